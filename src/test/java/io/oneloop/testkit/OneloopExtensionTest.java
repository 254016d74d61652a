package io.oneloop.testkit;

import io.oneloop.Addresses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The test kit as an app's test uses it: one oneloop for the class, with the ticker. */
class OneloopExtensionTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension
  static OneloopExtension oneloop = OneloopExtension.builder()
    .config(new JsonObject()
      // A port the kit must replace: the test never binds it.
      .put("http", new JsonObject().put("port", 1))
      .put("tasks", new JsonArray(List.of(new JsonObject().put("name", "ticker").put("type", "ticker")
        .put("config", new JsonObject().put("intervalMs", 100))))))
    .build();

  @Test
  void startsOnAFreePortOfLoopback() throws Exception {
    assertTrue(oneloop.port() > 1, "port " + oneloop.port());
    assertEquals("http://127.0.0.1:" + oneloop.port(), oneloop.baseUrl());
    assertEquals("UP", ((JsonObject) oneloop.getJson("/health")).getString("status"));
  }

  @Test
  void awaitsAMessageOnTheEventBus() throws Exception {
    JsonObject tick = (JsonObject) oneloop.awaitMessage(Addresses.TICKER, WAIT);
    assertTrue(tick.getLong("seq") >= 1, tick.encode());
  }

  @Test
  void bridgeClientsOverRawWebSocketAndSockJs() throws Exception {
    for (Transport transport : Transport.values()) {
      BridgeClient client = oneloop.connectBridge(transport).register(Addresses.TICKER);
      JsonObject tick = (JsonObject) client.awaitMessage(Addresses.TICKER, WAIT);
      assertTrue(tick.getLong("seq") >= 1, transport + ": " + tick.encode());
      client.close();
    }
  }

  @Test
  void runsAJobToItsEnd() throws Exception {
    JsonObject job = oneloop.runJob("sleep", new JsonObject().put("ms", 50), WAIT);
    assertEquals("succeeded", job.getString("state"), job.encode());
    assertTrue(oneloop.jobs().stream().anyMatch(j -> job.getString("id").equals(((JsonObject) j).getString("id"))));
    AssertionError refused = assertThrows(AssertionError.class, () -> oneloop.startJob("no-such-type", new JsonObject()));
    assertTrue(refused.getMessage().contains("400"), refused.getMessage());
  }

  @Test
  void taskRecords() throws Exception {
    assertEquals("running", oneloop.task("ticker").getString("state"));
    assertEquals(1, oneloop.tasks().size());
  }
}
