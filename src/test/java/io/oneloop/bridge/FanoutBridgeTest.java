package io.oneloop.bridge;

import io.oneloop.Addresses;
import io.oneloop.support.BridgeClient;
import io.oneloop.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.oneloop.support.TestApp.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The raw WebSocket bridge's fan-out: many subscribers, point-to-point sends, slow and silent clients. */
@ExtendWith(VertxExtension.class)
class FanoutBridgeTest {

  private static JsonObject feedConfig() {
    return config().put("bridge", new JsonObject()
      .put("outbound", new JsonArray().add(new JsonObject().put("addressRegex", "feed\\..+")))
      .put("inbound", new JsonArray().add(new JsonObject().put("address", Addresses.TASKS_LIST))));
  }

  /** Registers and proves the registration is in place with a request that round-trips after it. */
  private static BridgeClient subscribed(Vertx vertx, TestApp app, String address) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port()).register(address);
    client.request(Addresses.TASKS_LIST, new JsonObject());
    return client;
  }

  @Test
  @DisplayName("every subscriber receives every published message once, in order, with its headers")
  void fanOutToAll(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig());
    List<BridgeClient> clients = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      clients.add(subscribed(vertx, app, "feed.prices"));
    }
    for (int seq = 1; seq <= 20; seq++) {
      vertx.eventBus().publish("feed.prices", new JsonObject().put("seq", seq), new DeliveryOptions().addHeader("source", "test"));
    }
    for (BridgeClient client : clients) {
      for (int seq = 1; seq <= 20; seq++) {
        JsonObject frame = client.await(f -> "rec".equals(f.getString("type")));
        assertEquals("feed.prices", frame.getString("address"));
        assertEquals(seq, frame.getJsonObject("body").getInteger("seq"));
        assertEquals(new JsonObject().put("source", "test"), frame.getJsonObject("headers"));
      }
    }
    assertTrue(clients.stream().allMatch(c -> c.backlog().isEmpty()), "no duplicates");
  }

  @Test
  @DisplayName("a send to a subscribed address reaches one subscriber, whose reply reaches the sender")
  void pointToPointWithReply(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig());
    BridgeClient a = subscribed(vertx, app, "feed.orders");
    BridgeClient b = subscribed(vertx, app, "feed.orders");
    var reply = vertx.eventBus().<JsonObject>request("feed.orders", new JsonObject().put("order", 7));
    var atA = a.next(f -> "rec".equals(f.getString("type")));
    var atB = b.next(f -> "rec".equals(f.getString("type")));
    io.vertx.core.Future.any(atA, atB).await(10, TimeUnit.SECONDS);
    BridgeClient owner = atA.isComplete() ? a : b;
    JsonObject got = atA.isComplete() ? atA.result() : atB.result();
    assertEquals(new JsonObject().put("order", 7), got.getJsonObject("body"));
    owner.send(got.getString("replyAddress"), new JsonObject().put("accepted", true), null);
    assertEquals(new JsonObject().put("accepted", true), reply.await(10, TimeUnit.SECONDS).body());
    assertTrue(!(atA.isComplete() && atB.isComplete()), "only one subscriber got the send");
  }

  /** A WebSocket client that registers and then never reads: a plain socket, so nothing drains it behind the test's back. */
  private static Socket stalledClient(int port, String address) throws Exception {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    OutputStream out = socket.getOutputStream();
    out.write(("GET /eventbus/websocket HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
      + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
      .getBytes(StandardCharsets.US_ASCII));
    // Wait for the 101 answer: bytes sent before it are not yet the WebSocket's.
    java.io.InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IllegalStateException("the server closed the connection during the handshake: " + head);
      }
      head.append((char) b);
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      throw new IllegalStateException("no WebSocket upgrade: " + head);
    }
    byte[] payload = new JsonObject().put("type", "register").put("address", address).encode().getBytes(StandardCharsets.UTF_8);
    byte[] mask = {1, 2, 3, 4};
    out.write(new byte[]{(byte) 0x81, (byte) (0x80 | payload.length)});
    out.write(mask);
    for (int i = 0; i < payload.length; i++) {
      payload[i] ^= mask[i % 4];
    }
    out.write(payload);
    out.flush();
    return socket;
  }

  @Test
  @DisplayName("a client that stops reading is dropped once too much waits for it; the others keep receiving")
  void slowClientIsDropped(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig());
    try (Socket stalled = stalledClient(app.port(), "feed.video")) {
      BridgeClient healthy = subscribed(vertx, app, "feed.video");
      String chunk = "x".repeat(16 * 1024);
      long timer = vertx.setPeriodic(10, id -> {
        for (int i = 0; i < 8; i++) {
          vertx.eventBus().publish("feed.video", new JsonObject().put("chunk", chunk));
        }
      });
      try {
        // Bounded polling: the server drops the stalled socket once more than 4 MiB waits for it.
        int sockets = 2;
        for (int i = 0; i < 300 && sockets != 1; i++) {
          sockets = vertx.eventBus().<Integer>request(Addresses.BRIDGE_SOCKETS, null).await(5, TimeUnit.SECONDS).body();
          if (sockets != 1) {
            vertx.timer(100).await(5, TimeUnit.SECONDS);
          }
        }
        assertEquals(1, sockets, "only the healthy socket is left");
      } finally {
        vertx.cancelTimer(timer);
      }
      assertEquals(chunk, healthy.awaitRec("feed.video").getString("chunk"));
    }
  }
}
