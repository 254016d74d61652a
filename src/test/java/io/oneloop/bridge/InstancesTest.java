package io.oneloop.bridge;

import io.oneloop.Addresses;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.TestApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.oneloop.testkit.BridgeClient.WAIT_SECONDS;
import static io.oneloop.support.TestApp.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several HTTP server instances on one port, each with its own engine: clients spread over them and miss nothing. */
@ExtendWith(VertxExtension.class)
class InstancesTest {

  @Test
  @DisplayName("with http.instances 2 and port 0, both instances share one random port, clients land on both, "
    + "and each client receives every published message once, in order")
  void twoInstances(Vertx vertx) throws Exception {
    JsonObject config = config().put("bridge", new JsonObject()
      .put("outbound", new JsonArray().add(new JsonObject().put("address", "feed.prices")))
      .put("inbound", new JsonArray().add(new JsonObject().put("address", Addresses.TASKS_LIST))));
    config.getJsonObject("http").put("instances", 2);
    TestApp app = TestApp.start(vertx, config);
    List<BridgeClient> clients = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      BridgeClient client = BridgeClient.connect(vertx, app.port(), i % 2 == 0 ? Transport.RAW : Transport.SOCKJS).register("feed.prices");
      client.request(Addresses.TASKS_LIST, new JsonObject());
      clients.add(client);
    }
    JsonObject bridge = WebClient.create(vertx).get(app.port(), "127.0.0.1", "/api/bridge").send()
      .await(WAIT_SECONDS, TimeUnit.SECONDS).bodyAsJsonObject();
    assertEquals(new JsonObject().put("raw", 4).put("sockjs-websocket", 4).put("sockjs-fallback", 0), bridge.getJsonObject("sockets"));
    JsonArray instances = bridge.getJsonArray("instances");
    assertEquals(2, instances.size());
    for (int i = 0; i < 2; i++) {
      JsonObject instance = instances.getJsonObject(i);
      assertEquals(i, instance.getInteger("id"));
      int open = instance.getJsonObject("sockets").stream().mapToInt(e -> (Integer) e.getValue()).sum();
      assertTrue(open > 0, "instance " + i + " serves some of the clients: " + bridge);
    }

    for (int seq = 1; seq <= 50; seq++) {
      vertx.eventBus().publish("feed.prices", new JsonObject().put("seq", seq));
    }
    for (BridgeClient client : clients) {
      for (int seq = 1; seq <= 50; seq++) {
        assertEquals(seq, client.awaitRec("feed.prices").getInteger("seq"));
      }
    }
    // One more round trip each: anything sent twice would have arrived by then.
    for (BridgeClient client : clients) {
      client.request(Addresses.TASKS_LIST, new JsonObject());
      assertTrue(client.backlog().isEmpty(), "no message twice: " + client.backlog());
    }
  }
}
