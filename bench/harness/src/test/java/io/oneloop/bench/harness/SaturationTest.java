package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** S2 counts a step only when it was measured on every client: none missing at its start, none closed during it. */
class SaturationTest {

  private static JsonObject step(double rate, boolean pass, int sockets, int closed, double perSec) {
    return new JsonObject().put("rate", rate).put("pass", pass).put("sockets", sockets).put("socketsClosed", closed)
        .put("deliveriesPerSec", perSec).put("p99Ms", 40.0).put("serverCpuShare", 1.0).put("generatorCpuShare", 0.6)
        .put("generatorLimited", false);
  }

  @Test
  void aStepOnTheClientsAnOverloadedStepLeftIsLeftOut() {
    JsonObject s2 = new JsonObject()
        .put("steps", new JsonArray()
            .add(step(2560, true, 1000, 0, 2_560_000))
            .add(step(5120, false, 1000, 509, 974_908))
            .add(step(3620.4, true, 491, 0, 1_777_610)))
        .put("bestRate", 3620.4).put("firstFailingRate", 5120.0).put("maxDeliveriesPerSec", 1_777_610.0);
    assertEquals(1, Saturation.revalidate(s2, 1000));
    assertEquals(2560.0, s2.getDouble("bestRate"));
    assertEquals(2_560_000.0, s2.getDouble("maxDeliveriesPerSec"));
    assertEquals(5120.0, s2.getDouble("firstFailingRate"), "the step left out fails nothing");
    JsonObject left = s2.getJsonArray("steps").getJsonObject(2);
    assertFalse(left.getBoolean("pass"));
    assertTrue(left.getBoolean("notWhole"));
    assertEquals(1, s2.getInteger("stepsNotWhole"));
  }

  @Test
  void aRecordOfWholeStepsIsUnchanged() {
    JsonObject s2 = new JsonObject()
        .put("steps", new JsonArray().add(step(2560, true, 1000, 0, 2_560_000)).add(step(5120, false, 1000, 12, 1_000_000)))
        .put("bestRate", 2560.0).put("firstFailingRate", 5120.0).put("maxDeliveriesPerSec", 2_560_000.0);
    JsonObject before = s2.copy();
    assertEquals(0, Saturation.revalidate(s2, 1000));
    assertEquals(before, s2);
  }

  @Test
  void wholeMeansEveryClientFromStartToEnd() {
    assertTrue(Saturation.whole(1000, 0, 1000));
    assertFalse(Saturation.whole(999, 0, 1000));
    assertFalse(Saturation.whole(1000, 1, 1000));
  }
}
