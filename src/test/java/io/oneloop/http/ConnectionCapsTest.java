package io.oneloop.http;

import io.oneloop.Addresses;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.TickingApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bridge.maxConnections and bridge.maxConnectionsPerIp, with the client's address from a trusted proxy's X-Forwarded-For. */
class ConnectionCapsTest {

  @RegisterExtension
  final TickingApp app = TickingApp.with(config -> {
    config.getJsonObject("http").put("trustedProxies", new JsonArray().add("127.0.0.1"));
    config.put("bridge", new JsonObject().put("maxConnections", 6).put("maxConnectionsPerIp", 2));
  });
  private final List<BridgeClient> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    clients.forEach(BridgeClient::close);
  }

  private BridgeClient connect(Vertx vertx, Transport transport, String forwardedFor) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport, null,
      forwardedFor == null ? Map.of() : Map.of("X-Forwarded-For", forwardedFor));
    clients.add(client);
    return client;
  }

  private void assertRefused(Vertx vertx, Transport transport, String forwardedFor) {
    Exception refused = assertThrows(Exception.class, () -> connect(vertx, transport, forwardedFor));
    assertTrue(refused instanceof UpgradeRejectedException rejected && rejected.getStatus() == 503, refused.toString());
  }

  @Test
  @DisplayName("past bridge.maxConnectionsPerIp one address gets 503 at the handshake; others, and loopback, still connect")
  void perAddress(Vertx vertx) throws Exception {
    connect(vertx, Transport.RAW, "203.0.113.7");
    connect(vertx, Transport.SOCKJS, "198.51.100.1, 203.0.113.7");
    assertRefused(vertx, Transport.RAW, "203.0.113.7");
    assertRefused(vertx, Transport.SOCKJS, "203.0.113.7, 127.0.0.1");
    connect(vertx, Transport.RAW, "203.0.113.8").register(Addresses.TICKER).awaitRec(Addresses.TICKER);
    connect(vertx, Transport.RAW, null).register(Addresses.TICKER).awaitRec(Addresses.TICKER);
  }

  @Test
  @DisplayName("past bridge.maxConnections every new handshake gets 503, and a closed socket makes room again")
  void inAll(Vertx vertx) throws Exception {
    for (int i = 0; i < 5; i++) {
      connect(vertx, i % 2 == 0 ? Transport.RAW : Transport.SOCKJS, null);
    }
    assertRefused(vertx, Transport.RAW, null);
    assertRefused(vertx, Transport.SOCKJS, null);
    BridgeClient last = clients.remove(clients.size() - 1);
    last.close();
    last.closed().await(10, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + 10_000_000_000L;
    BridgeClient again = null;
    while (again == null && System.nanoTime() < deadline) {
      try {
        again = connect(vertx, Transport.RAW, null);
      } catch (UpgradeRejectedException e) {
        // the server has not seen the close yet
      }
    }
    assertTrue(again != null, "room again after a close");
    assertEquals("rec", again.register(Addresses.TICKER).await(BridgeClient.isRec(Addresses.TICKER)).getString("type"));
  }

  /** Opens an xhr-polling session as a proxy on loopback forwarding for {@code forwardedFor}: the answers to its first polls, until a close or a message. */
  private static String xhrSession(WebClient web, int port, String forwardedFor) throws Exception {
    String session = "/eventbus/000/" + UUID.randomUUID() + "/xhr";
    StringBuilder answers = new StringBuilder();
    for (int poll = 0; poll < 3 && !answers.toString().contains("c["); poll++) {
      answers.append(web.post(port, "127.0.0.1", session).putHeader("X-Forwarded-For", forwardedFor)
        .send().await(10, TimeUnit.SECONDS).bodyAsString());
      if (poll == 0) {
        // Something for the next poll to find at once, refused or not.
        web.post(port, "127.0.0.1", session + "_send").putHeader("X-Forwarded-For", forwardedFor)
          .sendBuffer(Buffer.buffer(new JsonArray().add(new JsonObject().put("type", "register").put("address", "nowhere").encode())
            .encode())).await(10, TimeUnit.SECONDS);
      }
      if (answers.toString().contains("access_denied")) {
        break;
      }
    }
    return answers.toString();
  }

  @Test
  @DisplayName("SockJS's HTTP sessions count against bridge.maxConnectionsPerIp by the forwarded address too: one more is closed at once")
  void perAddressOverHttpSessions(Vertx vertx) throws Exception {
    WebClient web = WebClient.create(vertx, new WebClientOptions().setKeepAlive(false));
    for (int i = 0; i < 2; i++) {
      String opened = xhrSession(web, app.port(), "203.0.113.7");
      assertTrue(opened.startsWith("o\n") && opened.contains("access_denied") && !opened.contains("c["), "session " + i + ": " + opened);
    }
    String refused = xhrSession(web, app.port(), "198.51.100.1, 203.0.113.7");
    // Vert.x closes an HTTP session with SockJS's own close frame whatever code it is given.
    assertTrue(refused.startsWith("o\n") && refused.contains("c[") && !refused.contains("access_denied"), refused);
    assertEquals(1, refused.split("o\n", -1).length - 1, "the refused session is not opened afresh: " + refused);
    String other = xhrSession(web, app.port(), "203.0.113.8");
    assertTrue(other.startsWith("o\n") && other.contains("access_denied") && !other.contains("c["), other);
  }
}
