package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.oneloop.bench.harness.Bench.log;
import static io.oneloop.bench.harness.Markdown.num;
import static io.oneloop.bench.harness.Rig.CLK_TCK;

/**
 * The cluster with history on the bench address ({@link ClusterFanout} with history): one node
 * alone with history on, then three clustered nodes with the same {@code bridge.history}, whose
 * history is one Hazelcast ring for the whole cluster; the same steps (S1's rate and the fixed
 * rates) on both. The figure compared is the server CPU per delivery (all three processes' CPU over
 * all their deliveries beside the one node's), target at most 1.5x at the highest fixed rate.
 */
final class ClusterHistory {

  static final double TARGET = 1.5;

  private ClusterHistory() {
  }

  /** One node alone with {@code p}'s config (history on), the cluster's steps; its record. */
  static JsonObject singleNode(Rig rig, Peer p, int round) throws Exception {
    Settings s = rig.s;
    JsonObject r = new JsonObject().put("round", round).put("kind", ClusterFanout.HISTORY_KIND)
        .put("nodes", 1);
    log("round %d %s: one node, history on %s, %d clients", round, p.id, Peer.ADDRESS, s.clients);
    Server srv = rig.start(p, round, "clusterhistory-single");
    try {
      JsonObject notReady = rig.ready(r, p, srv);
      if (notReady != null) {
        return notReady;
      }
      r.put("rssMiB", Json.round(srv.rssKiB() / 1024.0, 1));
      JsonArray steps = new JsonArray();
      steps.add(step(rig, srv, s.s1Rate, s.s1Seconds));
      for (int i = 0; i < s.highRates.length && srv.alive(); i++) {
        steps.add(step(rig, srv, s.highRates[i], s.highSeconds[i]));
      }
      r.put("steps", steps);
      if (!srv.alive()) {
        return rig.fail(r, p, srv, "the single node with history died during the run");
      }
    } finally {
      rig.gen.expectClose();
      srv.stopQuietly(10_000);
      rig.gen.disconnectAll();
    }
    return r;
  }

  private static JsonObject step(Rig rig, Server srv, double rate, double seconds) throws Exception {
    StepStats st = rig.steps.run(srv, rate, seconds);
    log("  one node, history on: %.0f/s for %.0f s: %.2f%% delivered (%,.0f/s), %d gaps, p99 %.2f ms, "
            + "%.2f us/delivery", rate, seconds, st.deliveriesPct(), st.deliveriesPerSec(), st.gaps,
        st.ms(99), st.serverCpuUsPerDelivery(CLK_TCK));
    return st.toJson(CLK_TCK);
  }

  /**
   * Whether the nodes kept one history: each node's {@code GET /api/history/<address>} answered
   * 200 with the same epoch (a node whose {@code bridge.history} differed would not have started;
   * one without history would answer 404). Put into {@code r} as {@code historyShared} with each
   * node's answer.
   */
  static void checkShared(JsonObject r, List<Server> nodes) {
    JsonArray seen = new JsonArray();
    Object epoch = null;
    boolean shared = true;
    for (Server node : nodes) {
      JsonObject o = new JsonObject().put("node", node.peer.id);
      try {
        MiniHttp.Response res = MiniHttp.get(node.port, "/api/history/" + Peer.ADDRESS + "?limit=1", 5_000);
        o.put("status", res.status());
        if (res.status() == 200) {
          JsonObject body = new JsonObject(res.body());
          o.put("epoch", body.getValue("epoch"));
          JsonArray m = body.getJsonArray("messages");
          o.put("oldestSeq", m == null || m.isEmpty() ? null : m.getJsonObject(0).getValue("seq"));
          epoch = epoch == null ? body.getValue("epoch") : epoch;
          shared &= epoch != null && epoch.equals(body.getValue("epoch"));
        } else {
          shared = false;
        }
      } catch (IOException | RuntimeException e) {
        o.put("error", e.toString());
        shared = false;
      }
      seen.add(o);
    }
    log("  history on every node, one epoch: %s %s", shared, seen.encode());
    r.put("historyShared", shared).put("historyByNode", seen);
  }

  /**
   * The summary of oneloop's cluster-with-history runs (null when none): per step rate the
   * medians over the rounds of both setups and of the per-round ratio of CPU per delivery, and
   * that ratio at the highest rate.
   */
  static JsonObject summary(List<JsonObject> runs) {
    List<JsonObject> ran = runs.stream().filter(r -> r.getJsonArray("steps") != null
        && r.getJsonObject("single") != null && r.getJsonObject("single").getJsonArray("steps") != null)
        .toList();
    if (ran.isEmpty()) {
      return null;
    }
    Map<Double, List<JsonObject[]>> byRate = new TreeMap<>();
    for (JsonObject r : ran) {
      JsonArray three = r.getJsonArray("steps");
      JsonArray one = r.getJsonObject("single").getJsonArray("steps");
      for (int i = 0; i < three.size(); i++) {
        JsonObject c = three.getJsonObject(i);
        for (int j = 0; j < one.size(); j++) {
          JsonObject n = one.getJsonObject(j);
          if (n.getDouble("rate").equals(c.getDouble("rate"))) {
            byRate.computeIfAbsent(c.getDouble("rate"), k -> new ArrayList<>()).add(new JsonObject[] {c, n});
          }
        }
      }
    }
    JsonArray steps = new JsonArray();
    Double topRatio = null;
    Double topRate = null;
    for (Map.Entry<Double, List<JsonObject[]>> e : byRate.entrySet()) {
      JsonObject o = new JsonObject().put("rate", e.getKey())
          .put("seconds", e.getValue().get(0)[0].getValue("seconds")).put("rounds", e.getValue().size());
      for (String key : List.of("deliveriesPct", "deliveriesPerSec", "p99Ms", "serverCpuUsPerDelivery",
          "serverRssMiB")) {
        o.put("three_" + key, median(e.getValue(), 0, key));
        o.put("one_" + key, median(e.getValue(), 1, key));
      }
      List<Double> ratios = new ArrayList<>();
      for (JsonObject[] pair : e.getValue()) {
        Double c = number(pair[0], "serverCpuUsPerDelivery");
        Double n = number(pair[1], "serverCpuUsPerDelivery");
        if (c != null && n != null && n > 0) {
          ratios.add(c / n);
        }
      }
      long gaps = 0;
      for (JsonObject[] pair : e.getValue()) {
        gaps += pair[0].getLong("gaps", 0L) + pair[0].getLong("duplicates", 0L);
      }
      o.put("three_gapsAndDuplicates", gaps);
      o.put("cpuRatio", Summary.medianOf(ratios));
      steps.add(o);
      topRate = e.getKey();
      topRatio = Summary.medianOf(ratios);
    }
    return new JsonObject().put("rounds", ran.size()).put("nodes", ClusterFanout.NODES)
        .put("label", ran.get(0).getString("label")).put("history", ran.get(0).getValue("history"))
        .put("historySharedRounds", (int) ran.stream().filter(r -> r.getBoolean("historyShared", false)).count())
        .put("topRate", topRate).put("cpuRatioTop", topRatio).put("steps", steps);
  }

  private static Double median(List<JsonObject[]> pairs, int which, String key) {
    List<Double> v = new ArrayList<>();
    for (JsonObject[] pair : pairs) {
      Double d = number(pair[which], key);
      if (d != null) {
        v.add(d);
      }
    }
    return Summary.medianOf(v);
  }

  private static Double number(JsonObject o, String key) {
    return o.getValue(key) instanceof Number n && !Double.isNaN(n.doubleValue()) ? n.doubleValue() : null;
  }

  /** BENCHMARKS.md's rows: three nodes with history on beside one node with history on. */
  static String markdown(JsonObject r) {
    JsonObject one = r.getJsonObject("summary").getJsonObject("oneloop");
    JsonObject ch = one == null ? null : one.getJsonObject("clusterHistory");
    if (ch == null) {
      return "";
    }
    StringBuilder rows = new StringBuilder();
    JsonArray steps = ch.getJsonArray("steps");
    for (int i = 0; i < steps.size(); i++) {
      JsonObject x = steps.getJsonObject(i);
      String step = num(x.getValue("rate"), "%.0f") + "/s for " + num(x.getValue("seconds"), "%.1f") + " s";
      rows.append("| ").append(step).append(" | 1 node | ")
          .append(num(x.getValue("one_deliveriesPct"), "%.2f %%")).append(" | ")
          .append(num(x.getValue("one_deliveriesPerSec"), "%,.0f")).append(" | ")
          .append(num(x.getValue("one_p99Ms"), "%.2f ms")).append(" | ")
          .append(num(x.getValue("one_serverCpuUsPerDelivery"), "%.3f µs")).append(" | |\n");
      rows.append("| ").append(step).append(" | ").append(ch.getValue("nodes")).append(" nodes | ")
          .append(num(x.getValue("three_deliveriesPct"), "%.2f %%")).append(" | ")
          .append(num(x.getValue("three_deliveriesPerSec"), "%,.0f")).append(" | ")
          .append(num(x.getValue("three_p99Ms"), "%.2f ms")).append(" | ")
          .append(num(x.getValue("three_serverCpuUsPerDelivery"), "%.3f µs")).append(" | ")
          .append(num(x.getValue("cpuRatio"), "%.2f×")).append(" |\n");
    }
    return "### Three clustered nodes with history on, beside one node with history on\n\n"
        + "`bridge.history` `" + ch.getValue("history") + "` on every node: in a cluster that history is "
        + "one Hazelcast ring for all nodes, so each message is appended once to it and every node "
        + "delivers it from its own read of the ring. Run as above (" + ch.getValue("label") + ", the "
        + "clients spread evenly, one publisher on the first node), and before it, in the same run, one "
        + "node alone with the same `bridge.history` at the same steps. Server CPU per delivery: all "
        + "processes' CPU over all their deliveries; the ratio is three nodes' over one node's, median "
        + "of the rounds' ratios (target at the highest rate: at most " + num(TARGET, "%.1f×")
        + "; it is "
        + num(ch.getValue("cpuRatioTop"), "%.2f×") + "). Every node answered `GET /api/history/"
        + Peer.ADDRESS + "` with the same epoch in " + ch.getValue("historySharedRounds") + " of "
        + ch.getValue("rounds") + " rounds.\n\n"
        + "| step | setup | delivered | deliveries/s | p99 | server CPU / delivery | CPU / delivery, 3 nodes ÷ 1 |\n"
        + "|---|---|---:|---:|---:|---:|---:|\n" + rows + "\n";
  }
}
