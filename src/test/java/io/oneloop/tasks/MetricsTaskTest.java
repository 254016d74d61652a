package io.oneloop.tasks;

import io.oneloop.Addresses;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.List;

import static io.oneloop.support.TestApp.config;
import static io.oneloop.support.TestApp.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class MetricsTaskTest {

  @Test
  @DisplayName("the metrics task publishes the process's vital signs, counting open bridge sockets, to the pages")
  void publishesMetrics(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config(task("metrics", "metrics", new JsonObject().put("intervalMs", 50))));
    BridgeClient page = BridgeClient.connect(vertx, app.port()).register(Addresses.METRICS);
    BridgeClient other = BridgeClient.connect(vertx, app.port());
    JsonObject m = page.awaitRec(Addresses.METRICS);
    for (int i = 0; i < 100 && m.getInteger("bridgeSockets") < 2; i++) {
      m = page.awaitRec(Addresses.METRICS);
    }
    assertEquals(List.of("bridgeSockets", "bridgeSocketsByTransport", "eventLoopDelayMs", "heapMaxBytes", "heapUsedBytes", "processCpuLoad", "threads", "time", "uptimeMs"),
      m.fieldNames().stream().sorted().toList());
    assertEquals(2, m.getInteger("bridgeSockets"));
    assertEquals(new JsonObject().put("raw", 2).put("sockjs-websocket", 0).put("sockjs-fallback", 0),
      m.getJsonObject("bridgeSocketsByTransport"));
    assertTrue(m.getLong("heapUsedBytes") > 0 && m.getLong("heapUsedBytes") <= m.getLong("heapMaxBytes"));
    assertTrue(m.getDouble("processCpuLoad") >= 0 && m.getDouble("processCpuLoad") <= 1);
    assertTrue(m.getInteger("threads") > 0);
    assertTrue(m.getDouble("eventLoopDelayMs") >= 0);
    assertTrue(m.getLong("uptimeMs") > 0);
    assertTrue(Instant.parse(m.getString("time")).isBefore(Instant.now().plusSeconds(1)));

    other.close();
    other.closed().await(10, java.util.concurrent.TimeUnit.SECONDS);
    for (int i = 0; i < 100 && m.getInteger("bridgeSockets") != 1; i++) {
      m = page.awaitRec(Addresses.METRICS);
    }
    assertEquals(1, m.getInteger("bridgeSockets"), "a closed socket is no longer counted");
  }
}
