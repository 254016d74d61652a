package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The paired S1: a pair's figure is the median of its steps, the target the median of the pairs, the baseline beside itself left out. */
class PairedTest {

  private static JsonObject pair(String peer, int round, double ratio) {
    return new JsonObject().put("round", round).put("peer", peer).put("kind", "paired")
        .put("baseline", "oneloop-sockjs").put("loopCpuRatio", ratio).put("cpuRatio", ratio);
  }

  private static JsonObject summary(String peer) {
    return new JsonObject().put("s1", new JsonObject().put("serverCpuUsPerDelivery", 10.0))
        .put("s2", new JsonObject()).put("s3", new JsonObject()).put("s5", new JsonObject());
  }

  private static JsonObject target(JsonArray targets, String prefix) {
    for (int i = 0; i < targets.size(); i++) {
      JsonObject t = targets.getJsonObject(i);
      if (t.getString("name", t.getString("target", "")).startsWith(prefix)) {
        return t;
      }
    }
    throw new AssertionError("no target " + prefix + " in " + targets.encodePrettily());
  }

  @Test
  void aPairIsTheMedianOfItsSteps() {
    assertEquals(1.02, Paired.median(new JsonArray().add(1.05).add(0.98).add(1.02)));
    assertEquals(1.015, Paired.median(new JsonArray().add(1.05).add(0.98).add(1.01).add(1.02)));
    // a step without a figure (no delivery) is left out, not read as 0
    assertEquals(1.0, Paired.median(new JsonArray().addNull().add(1.0)));
    assertNull(Paired.median(new JsonArray()));
  }

  @Test
  void theTargetReadsTheMedianOfTheVariantsPairsOnly() {
    Settings s = new Settings();
    JsonObject byPeer = new JsonObject().put("oneloop-sockjs", summary("oneloop-sockjs"))
        .put("oneloop-sockjs-authorizer", summary("oneloop-sockjs-authorizer"))
        .put("oneloop-sockjs-presence", summary("oneloop-sockjs-presence"));
    JsonArray runs = new JsonArray()
        // the baseline beside itself reads far off here: it must not count for either variant
        .add(pair("oneloop-sockjs", 1, 0.80))
        .add(pair("oneloop-sockjs-authorizer", 1, 1.01)).add(pair("oneloop-sockjs-authorizer", 1, 1.09))
        .add(pair("oneloop-sockjs-authorizer", 2, 0.99))
        .add(pair("oneloop-sockjs-presence", 1, 1.04)).add(pair("oneloop-sockjs-presence", 2, 1.08))
        .add(pair("oneloop-sockjs-presence", 2, 1.07));
    JsonArray targets = Targets.build(s, byPeer, new JsonObject(), runs);
    JsonObject auth = target(targets, "S1 over SockJS with an allow-all bridge.authorizer");
    assertEquals(1.0, ((Number) auth.getValue("value")).doubleValue(), 1e-9, auth.encode());
    assertTrue(auth.getBoolean("met"), auth.encode());
    assertTrue(auth.encode().contains("[0.8]"), auth.encode());
    JsonObject presence = target(targets, "S1 over SockJS with bridge.presence");
    assertEquals(7.0, ((Number) presence.getValue("value")).doubleValue(), 1e-9, presence.encode());
    assertFalse(presence.getBoolean("met"), presence.encode());
  }
}
