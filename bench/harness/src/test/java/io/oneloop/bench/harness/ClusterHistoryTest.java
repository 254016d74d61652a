package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cluster-with-history figures: three nodes' CPU per delivery over one node's, per step and at the top rate. */
class ClusterHistoryTest {

  private static JsonObject step(double rate, double cpuUs, double perSec) {
    return new JsonObject().put("rate", rate).put("seconds", 5.0).put("deliveriesPct", 100.0)
        .put("deliveriesPerSec", perSec).put("p99Ms", 3.0).put("serverCpuUsPerDelivery", cpuUs)
        .put("gaps", 0L).put("duplicates", 0L);
  }

  private static JsonObject run(int round, boolean shared, double threeTop, double oneTop) {
    return new JsonObject().put("round", round).put("peer", "oneloop").put("kind", ClusterFanout.HISTORY_KIND)
        .put("label", ClusterFanout.LABEL).put("historyShared", shared)
        .put("steps", new JsonArray().add(step(20, 30, 20_000)).add(step(1000, threeTop, 1_000_000)))
        .put("single", new JsonObject().put("steps",
            new JsonArray().add(step(20, 20, 20_000)).add(step(1000, oneTop, 1_000_000))));
  }

  @Test
  void comparesThreeNodesWithOneAtEachRate() {
    JsonObject sum = ClusterHistory.summary(List.of(run(1, true, 3.0, 2.0), run(2, false, 4.0, 2.0),
        run(3, true, 2.4, 2.0)));
    assertEquals(3, sum.getInteger("rounds"));
    assertEquals(2, sum.getInteger("historySharedRounds"));
    assertEquals(1000.0, sum.getDouble("topRate"));
    // the median of the rounds' ratios 1.5, 2.0 and 1.2
    assertEquals(1.5, sum.getDouble("cpuRatioTop"));
    JsonObject low = sum.getJsonArray("steps").getJsonObject(0);
    assertEquals(20.0, low.getDouble("rate"));
    assertEquals(1.5, low.getDouble("cpuRatio"));
    assertEquals(30.0, low.getDouble("three_serverCpuUsPerDelivery"));
    assertEquals(20.0, low.getDouble("one_serverCpuUsPerDelivery"));
  }

  @Test
  void aRunWithoutTheSingleNodeGivesNoFigure() {
    JsonObject r = run(1, true, 3.0, 2.0);
    r.remove("single");
    assertNull(ClusterHistory.summary(List.of(r)));
  }

  @Test
  void rendersBothSetupsAndTheTarget() {
    JsonObject sum = ClusterHistory.summary(List.of(run(1, true, 3.0, 2.0)));
    sum.put("history", new JsonArray().add(new JsonObject().put("address", Peer.ADDRESS).put("size", 100)));
    String md = ClusterHistory.markdown(new JsonObject().put("summary",
        new JsonObject().put("oneloop", new JsonObject().put("clusterHistory", sum))));
    assertTrue(md.contains("### Three clustered nodes with history on, beside one node with history on"), md);
    assertTrue(md.contains("| 1000/s for 5.0 s | 1 node | 100.00 % | 1,000,000 | 3.00 ms | 2.000 µs | |"), md);
    assertTrue(md.contains("| 1000/s for 5.0 s | 3 nodes | 100.00 % | 1,000,000 | 3.00 ms | 3.000 µs | 1.50× |"), md);
    assertTrue(md.contains("at most 1.5×; it is 1.50×"), md);
  }
}
