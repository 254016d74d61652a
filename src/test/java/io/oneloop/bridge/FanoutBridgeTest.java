package io.oneloop.bridge;

import io.oneloop.Addresses;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.RawSocket;
import io.oneloop.support.TestApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static io.oneloop.support.TestApp.config;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What only the raw path's fan-out engine does: it bounds what may wait for a client that stops reading. */
@ExtendWith(VertxExtension.class)
class FanoutBridgeTest {

  private static JsonObject feedConfig() {
    return config().put("bridge", new JsonObject()
      .put("maxQueuedBytes", 4 * 1024 * 1024)
      .put("outbound", new JsonArray().add(new JsonObject().put("addressRegex", "feed\\..+")))
      .put("inbound", new JsonArray().add(new JsonObject().put("address", Addresses.TASKS_LIST))));
  }

  private static int bridgeSockets(Vertx vertx) throws Exception {
    return vertx.eventBus().<JsonObject>request(Addresses.BRIDGE_SOCKETS, null).await(BridgeClient.WAIT_SECONDS, TimeUnit.SECONDS).body()
      .getJsonObject("sockets").getInteger("raw");
  }

  @Test
  @DisplayName("a client that stops reading is dropped once too much waits for it; a healthy one keeps receiving every message, in order")
  void slowClientIsDropped(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig());
    BridgeClient healthy = BridgeClient.connect(vertx, app.port()).register("feed.video");
    healthy.request(Addresses.TASKS_LIST, new JsonObject());
    try (RawSocket stalled = RawSocket.connect(app.port(), Transport.RAW.path(), 4096)) {
      stalled.sendText(new JsonObject().put("type", "register").put("address", "feed.video").encode());
      String chunk = "x".repeat(16 * 1024);
      int seq = 0;
      // Bursts of 1 MiB, each read in full by the healthy client before the next, so only the
      // stalled client falls behind; the server drops it past 4 MiB waiting, within 64 bursts.
      int sockets = 2;
      for (int burst = 0; burst < 64 && sockets != 1; burst++) {
        int first = seq + 1;
        for (int i = 0; i < 64; i++) {
          vertx.eventBus().publish("feed.video", new JsonObject().put("seq", ++seq).put("chunk", chunk));
        }
        for (int expected = first; expected <= seq; expected++) {
          assertEquals(expected, healthy.awaitRec("feed.video").getInteger("seq"), "the healthy client's next message");
        }
        sockets = bridgeSockets(vertx);
      }
      assertEquals(1, sockets, "only the healthy socket is left");
      vertx.eventBus().publish("feed.video", new JsonObject().put("seq", ++seq).put("chunk", chunk));
      assertEquals(seq, healthy.awaitRec("feed.video").getInteger("seq"));
    }
  }
}
