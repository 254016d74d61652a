package io.oneloop.bridge;

import io.oneloop.Addresses;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.TickingApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bridge.maxMessageBytes, bridge.maxInboundPerSecond and bridge.floodCloseMs: the offender alone is refused or closed. */
class BridgeLimitsTest {

  @RegisterExtension
  final TickingApp app = TickingApp.with(config -> config.put("bridge", new JsonObject()
    .put("maxMessageBytes", 1000).put("maxInboundPerSecond", 20).put("floodCloseMs", 1000).put("maxOutboundBytes", 2000)));

  /** A register the bridge refuses (access_denied), padded with two-byte characters. */
  private static String padded(int padding) {
    return new JsonObject().put("type", "register").put("address", "nowhere").put("pad", "\u00e9".repeat(padding)).encode();
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("a frame over bridge.maxMessageBytes (counted in UTF-8) closes that socket with 1009")
  void tooLarge(Transport transport, Vertx vertx) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport);
    client.writeText(padded(400));
    assertEquals("access_denied", client.awaitErr(), "400 two-byte characters are within 1000 bytes");
    client.writeText(padded(600));
    assertEquals(1009, client.closed().await(10, TimeUnit.SECONDS).code());
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("a message over bridge.maxOutboundBytes reaching the engine closes each subscriber with message_too_large")
  void outboundTooLarge(Transport transport, Vertx vertx) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport).register(Addresses.SERVER);
    client.request(Addresses.TASKS_LIST, new JsonObject()); // the register is in place: frames are taken in order
    vertx.eventBus().publish(Addresses.SERVER, new JsonObject().put("event", "notice").put("text", "small"));
    assertEquals("small", client.awaitRec(Addresses.SERVER).getString("text"));
    vertx.eventBus().publish(Addresses.SERVER, new JsonObject().put("event", "notice").put("text", "x".repeat(3000)));
    JsonObject err = client.await(BridgeClient.isErr());
    assertEquals("message_too_large", err.getString("body"));
    assertEquals(Addresses.SERVER, err.getString("address"));
    assertEquals(1009, client.closed().await(10, TimeUnit.SECONDS).code());
  }

  @Test
  @DisplayName("the broadcast job refuses a body over bridge.maxOutboundBytes with 400")
  void broadcastTooLarge(Vertx vertx) throws Exception {
    HttpResponse<Buffer> response = WebClient.create(vertx).post(app.port(), "127.0.0.1", "/api/jobs")
      .putHeader("Content-Type", "application/json")
      .sendJsonObject(new JsonObject().put("type", "broadcast").put("params", new JsonObject()
        .put("address", Addresses.SERVER).put("body", "x".repeat(3000))))
      .await(10, TimeUnit.SECONDS);
    assertEquals(400, response.statusCode(), response.bodyAsString());
    assertTrue(response.bodyAsJsonObject().getString("error").contains("bridge.maxOutboundBytes"), response.bodyAsString());
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("frames over bridge.maxInboundPerSecond get rate_limited; a client still flooding after floodCloseMs is closed with 1008")
  void flood(Transport transport, Vertx vertx) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport);
    for (int i = 0; i < 40; i++) {
      client.writeText("{\"type\":\"register\",\"address\":\"nowhere." + i + "\"}");
    }
    int denied = 0;
    int limited = 0;
    for (int i = 0; i < 40; i++) {
      String err = client.awaitErr();
      if ("access_denied".equals(err)) {
        denied++;
      } else if ("rate_limited".equals(err)) {
        limited++;
      }
    }
    assertTrue(denied >= 20 && denied < 40 && limited > 0, denied + " handled, " + limited + " rate limited");
    // Keep flooding, 100 frames a second, until the server has had enough.
    long flooding = vertx.setPeriodic(10, id -> client.writeText("{\"type\":\"register\",\"address\":\"nowhere\"}"));
    try {
      assertEquals(1008, client.closed().await(10, TimeUnit.SECONDS).code());
    } finally {
      vertx.cancelTimer(flooding);
    }
  }
}
