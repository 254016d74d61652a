package io.oneloop.bridge;

import io.oneloop.Addresses;
import io.oneloop.support.BridgeClient;
import io.oneloop.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static io.oneloop.support.BridgeClient.isErr;
import static io.oneloop.support.TestApp.config;
import static io.oneloop.support.TestApp.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class BridgeTest {

  private static JsonObject tickerConfig() {
    return config(task("ticker", "ticker", new JsonObject().put("intervalMs", 50)));
  }

  @Test
  @DisplayName("a WebSocket client registered for oneloop.ticker receives consecutive ticks")
  void receivesTicks(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, tickerConfig());
    BridgeClient client = BridgeClient.connect(vertx, app.port()).register(Addresses.TICKER);
    JsonObject first = client.awaitRec(Addresses.TICKER);
    JsonObject second = client.awaitRec(Addresses.TICKER);
    assertEquals(first.getLong("seq") + 1, second.getLong("seq"));
    assertTrue(java.time.Instant.parse(second.getString("time")).isAfter(java.time.Instant.parse(first.getString("time"))));
  }

  @Test
  @DisplayName("registering for an address not permitted gets access_denied and the socket stays usable")
  void deniedRegister(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, tickerConfig());
    BridgeClient client = BridgeClient.connect(vertx, app.port()).register("secret.address");
    assertEquals("access_denied", client.await(isErr()).getString("body"));
    client.register(Addresses.TICKER);
    assertTrue(client.awaitRec(Addresses.TICKER).containsKey("seq"));
  }

  @Test
  @DisplayName("sending or publishing to an address not permitted inbound gets access_denied and reaches no consumer")
  void deniedInbound(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, tickerConfig());
    JsonArray seen = new JsonArray();
    vertx.eventBus().consumer(Addresses.TICKER, msg -> {
      if (msg.body() instanceof JsonObject body && body.containsKey("forged")) {
        seen.add(body);
      }
    });
    BridgeClient client = BridgeClient.connect(vertx, app.port());
    client.publish(Addresses.TICKER, new JsonObject().put("forged", true));
    assertEquals("access_denied", client.await(isErr()).getString("body"));
    client.send("oneloop.admin", new JsonObject(), "r1");
    assertEquals("access_denied", client.await(isErr()).getString("body"));
    // A permitted request after the denied ones still works, and by then the forged publish would have arrived.
    assertTrue(client.request(Addresses.TASKS_LIST, new JsonObject()).getJsonObject("body").containsKey("tasks"));
    assertEquals(new JsonArray(), seen);
  }

  @Test
  @DisplayName("permissions come from the config: an addressRegex lets matching addresses through both ways")
  void configuredPermissions(Vertx vertx) throws Exception {
    JsonObject cfg = config().put("bridge", new JsonObject()
      .put("inbound", new JsonArray().add(new JsonObject().put("addressRegex", "sensor\\.in\\..+")))
      .put("outbound", new JsonArray().add(new JsonObject().put("addressRegex", "sensor\\.out\\..+"))));
    TestApp app = TestApp.start(vertx, cfg);
    io.vertx.core.Promise<JsonObject> inbound = io.vertx.core.Promise.promise();
    vertx.eventBus().<JsonObject>consumer("sensor.in.7", msg -> inbound.tryComplete(msg.body())).completion().await(5, TimeUnit.SECONDS);

    BridgeClient client = BridgeClient.connect(vertx, app.port());
    client.publish("sensor.in.7", new JsonObject().put("t", 21.5));
    assertEquals(new JsonObject().put("t", 21.5), inbound.future().await(10, TimeUnit.SECONDS));

    client.register(Addresses.TICKER);
    assertEquals("access_denied", client.await(isErr()).getString("body"), "the default list was replaced");
    client.register("sensor.out.7");
    // Publish until the registration has taken effect; the wait for the first delivery is bounded.
    long timer = vertx.setPeriodic(50, id -> vertx.eventBus().publish("sensor.out.7", new JsonObject().put("alarm", false)));
    try {
      assertEquals(new JsonObject().put("alarm", false), client.awaitRec("sensor.out.7"));
    } finally {
      vertx.cancelTimer(timer);
    }
  }

  @Test
  @DisplayName("the SockJS transport the browsers use applies the same permissions and delivers ticks")
  void sockJsTransport(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, tickerConfig());
    io.vertx.core.http.WebSocketClient client = vertx.createWebSocketClient();
    io.vertx.core.http.WebSocket ws = client.connect(new io.vertx.core.http.WebSocketConnectOptions()
      .setHost("127.0.0.1").setPort(app.port()).setURI("/eventbus/123/abcdefgh/websocket")).await(10, TimeUnit.SECONDS);
    java.util.concurrent.BlockingQueue<JsonObject> frames = new java.util.concurrent.LinkedBlockingQueue<>();
    // SockJS framing: "o" opens, "a[...]" carries an array of JSON strings, "h" is a heartbeat.
    ws.textMessageHandler(text -> {
      if (text.startsWith("a")) {
        new JsonArray(text.substring(1)).forEach(item -> frames.add(new JsonObject((String) item)));
      }
    });
    java.util.function.Consumer<JsonObject> send = frame -> ws.writeTextMessage(new JsonArray().add(frame.encode()).encode());
    send.accept(new JsonObject().put("type", "register").put("address", "secret.address"));
    assertEquals(new JsonObject().put("type", "err").put("body", "access_denied"), frames.poll(10, TimeUnit.SECONDS));
    send.accept(new JsonObject().put("type", "register").put("address", Addresses.TICKER));
    JsonObject tick = frames.poll(10, TimeUnit.SECONDS);
    assertEquals("rec", tick.getString("type"));
    assertEquals(Addresses.TICKER, tick.getString("address"));
    assertTrue(tick.getJsonObject("body").containsKey("seq"));
    client.close();
  }
}
