package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * Medians per peer over the rounds, oneloop's ratios to each peer (its raw path's and its SockJS
 * path's), and the issues' targets, each met or not.
 */
final class Summary {
  private Summary() {
  }

  static JsonObject build(Settings s, List<Peer> peers, JsonArray runs) {
    JsonObject byPeer = new JsonObject();
    for (Peer p : peers) {
      List<JsonObject> life = runsOf(runs, p.id, "lifecycle");
      List<JsonObject> sat = runsOf(runs, p.id, "saturation");
      List<JsonObject> ss = runsOf(runs, p.id, "startstop");
      List<JsonObject> all = runsOf(runs, p.id, null);
      JsonObject o = new JsonObject().put("label", p.label);

      List<JsonObject> s1 = sub(life, "s1");
      o.put("s1", new JsonObject()
          .put("rounds", s1.size())
          .put("deliveriesPct", median(s1, "deliveriesPct"))
          .put("p50Ms", median(s1, "p50Ms"))
          .put("p99Ms", median(s1, "p99Ms"))
          .put("maxMs", median(s1, "maxMs"))
          .put("serverCpuUsPerDelivery", median(s1, "serverCpuUsPerDelivery"))
          .put("serverLoopCpuUsPerDelivery", median(s1, "serverLoopCpuUsPerDelivery"))
          .put("serverRssMiB", median(s1, "serverRssMiB"))
          .put("serverPeakRssMiB", median(s1, "serverPeakRssMiB"))
          .put("generatorCpuShare", median(s1, "generatorCpuShare"))
          .put("generatorCpuUsPerDelivery", median(s1, "generatorCpuUsPerDelivery"))
          .put("otherCpuShare", median(s1, "otherCpuShare"))
          .put("missing", sum(s1, "missing"))
          .put("gaps", sum(s1, "gaps"))
          .put("duplicates", sum(s1, "duplicates"))
          .put("outOfOrder", sum(s1, "outOfOrder"))
          .put("socketsClosed", sum(s1, "socketsClosed")));
      List<JsonObject> warm = sub(life, "s1Warmup");
      if (!warm.isEmpty()) {
        o.put("s1Warmup", new JsonObject()
            .put("rounds", warm.size())
            .put("p50Ms", median(warm, "p50Ms"))
            .put("p99Ms", median(warm, "p99Ms"))
            .put("maxMs", median(warm, "maxMs"))
            .put("serverCpuUsPerDelivery", median(warm, "serverCpuUsPerDelivery")));
      }

      List<JsonObject> s2 = sub(s.smokeMode() ? life : sat, "s2");
      int notWhole = 0;
      for (JsonObject x : s2) {
        notWhole += Saturation.revalidate(x, s.clients);
      }
      JsonArray perRound = new JsonArray();
      s2.forEach(x -> perRound.add(x.getValue("maxDeliveriesPerSec")));
      // whether each round's best step was taken while the generator was the limit (null: not recorded)
      JsonArray perRoundLimited = new JsonArray();
      s2.forEach(x -> perRoundLimited.add(bestStepGeneratorLimited(x)));
      o.put("s2", new JsonObject()
          .put("rounds", s2.size())
          .put("maxDeliveriesPerSec", median(s2, "maxDeliveriesPerSec"))
          .put("perRound", perRound)
          .put("perRoundGeneratorLimited", perRoundLimited)
          .put("generatorLimitedRounds", (int) s2.stream().filter(x -> Boolean.TRUE.equals(bestStepGeneratorLimited(x))).count())
          .put("bestStepP99Ms", median(s2, "bestStepP99Ms"))
          .put("bestStepServerCpuShare", median(s2, "bestStepServerCpuShare"))
          .put("bestStepGeneratorCpuShare", median(s2, "bestStepGeneratorCpuShare"))
          .put("maxGeneratorCpuShare", maxStepValue(s2, "generatorCpuShare"))
          .put("maxOtherCpuShare", maxStepValue(s2, "otherCpuShare"))
          .put("bestStepServerCpuUsPerDelivery", median(bestSteps(s2), "serverCpuUsPerDelivery"))
          .put("passingGaps", stepSum(s2, "gaps", true))
          .put("passingDuplicates", stepSum(s2, "duplicates", true))
          .put("passingOutOfOrder", stepSum(s2, "outOfOrder", true))
          .put("passingSocketsClosed", stepSum(s2, "socketsClosed", true))
          .put("allStepsGaps", stepSum(s2, "gaps", false))
          .put("allStepsDuplicates", stepSum(s2, "duplicates", false))
          .put("peakRssMiB", maxStepValue(s2, "serverPeakRssMiB", true))
          .put("peakRssAllStepsMiB", maxStepValue(s2, "serverPeakRssMiB", false))
          .put("oomRounds", (int) s2.stream().filter(x -> x.getBoolean("oom", false)).count())
          .put("diedRounds", (int) s2.stream().filter(x -> x.getBoolean("serverDied", false)).count())
          .put("stepsNotWhole", notWhole));

      List<Double> starts = new ArrayList<>();
      for (JsonObject r : all) {
        if (r.getValue("s3StartMs") != null) {
          starts.add(r.getDouble("s3StartMs"));
        }
      }
      o.put("s3", new JsonObject()
          .put("medianMs", medianOf(starts))
          .put("samples", new JsonArray(new ArrayList<>(starts))));

      if (p.jvm) {
        // S3 with the peer's AppCDS archive: only starts that mapped the archive count
        List<Double> cds = new ArrayList<>();
        int notMapped = 0;
        int failed = 0;
        for (JsonObject r : runsOf(runs, p.id, "cds")) {
          if (r.getValue("s3CdsStartMs") == null) {
            failed++;
          } else if (!r.getBoolean("archiveMapped", false)) {
            notMapped++;
          } else {
            cds.add(r.getDouble("s3CdsStartMs"));
          }
        }
        List<JsonObject> train = runsOf(runs, p.id, "cdstrain");
        JsonObject t = train.isEmpty() ? new JsonObject() : train.get(0);
        o.put("s3Cds", new JsonObject()
            .put("medianMs", medianOf(cds))
            .put("samples", new JsonArray(new ArrayList<>(cds)))
            .put("notMapped", notMapped)
            .put("failed", failed)
            .put("archiveMiB", t.getValue("archiveMiB"))
            .put("trainingStartMs", t.getValue("trainingStartMs"))
            .put("trainingStopMs", t.getValue("stopMs")));
      }

      List<Double> stops = new ArrayList<>();
      int timeouts = 0;
      JsonArray exitCodes = new JsonArray();
      List<JsonObject> s4runs = new ArrayList<>(life);
      s4runs.addAll(ss);
      for (JsonObject r : s4runs) {
        JsonObject x = r.getJsonObject("s4");
        if (x == null) {
          continue;
        }
        if (x.getBoolean("timedOut", false)) {
          timeouts++;
        } else {
          stops.add(x.getDouble("stopMs"));
        }
        exitCodes.add(x.getValue("exitCode"));
      }
      o.put("s4", new JsonObject()
          .put("medianMs", timeouts > stops.size() ? null : medianWithTimeouts(stops, timeouts))
          .put("samples", new JsonArray(new ArrayList<>(stops)))
          .put("timeouts", timeouts)
          .put("exitCodes", exitCodes));

      JsonArray high = new JsonArray();
      for (int i = 0; i < s.highRates.length; i++) {
        List<JsonObject> at = new ArrayList<>();
        for (JsonObject r : life) {
          JsonArray h = r.getJsonArray("high");
          if (h != null && i < h.size()) {
            at.add(h.getJsonObject(i));
          }
        }
        if (at.isEmpty()) {
          continue;
        }
        high.add(new JsonObject()
            .put("rate", s.highRates[i])
            .put("seconds", at.get(0).getValue("seconds"))
            .put("rounds", at.size())
            .put("deliveriesPct", median(at, "deliveriesPct"))
            .put("deliveriesPerSec", median(at, "deliveriesPerSec"))
            .put("p50Ms", median(at, "p50Ms"))
            .put("p99Ms", median(at, "p99Ms"))
            .put("serverCpuUsPerDelivery", median(at, "serverCpuUsPerDelivery"))
            .put("serverCpuShare", median(at, "serverCpuShare"))
            .put("serverRssMiB", median(at, "serverRssMiB"))
            .put("serverPeakRssMiB", median(at, "serverPeakRssMiB"))
            .put("generatorCpuShare", median(at, "generatorCpuShare"))
            .put("deliveriesPerFrame", median(at, "deliveriesPerFrame"))
            .put("otherCpuShare", median(at, "otherCpuShare"))
            .put("missing", sum(at, "missing"))
            .put("gaps", sum(at, "gaps"))
            .put("duplicates", sum(at, "duplicates"))
            .put("socketsClosed", sum(at, "socketsClosed")));
      }
      if (!high.isEmpty()) {
        o.put("high", high);
      }

      List<JsonObject> s6 = sub(runsOf(runs, p.id, "slow"), "s6");
      if (!s6.isEmpty()) {
        List<JsonObject> healthy = sub(s6, "healthy");
        o.put("s6", new JsonObject()
            .put("rounds", s6.size())
            .put("seconds", s6.get(0).getValue("seconds"))
            .put("boundBytes", s6.get(0).getValue("boundBytes"))
            .put("rssBeforeMiB", median(s6, "rssBeforeMiB"))
            .put("rssEarlyMiB", median(s6, "rssEarlyMiB"))
            .put("rssEndMiB", median(s6, "rssEndMiB"))
            .put("rssGrowthMiB", median(s6, "rssGrowthMiB"))
            .put("rssGrowthMaxMiB", max(s6, "rssGrowthMiB"))
            .put("passedBoundAfterMs", median(s6, "passedBoundAfterMs"))
            .put("serverLoggedAfterMs", median(s6, "serverLoggedAfterMs"))
            .put("loggedRounds", count(s6, "serverLoggedAfterMs"))
            .put("closedAfterMs", median(s6, "closedAfterMs"))
            .put("closedRounds", count(s6, "closedAfterMs"))
            .put("closedAfterBoundMs", median(s6, "closedAfterBoundMs"))
            .put("closedAfterBoundMaxMs", max(s6, "closedAfterBoundMs"))
            .put("healthyDeliveriesPct", median(healthy, "deliveriesPct"))
            .put("healthyDeliveriesMinPct", min(healthy, "deliveriesPct"))
            .put("healthyGaps", sum(healthy, "gaps"))
            .put("healthyDuplicates", sum(healthy, "duplicates"))
            .put("healthyP99Ms", median(healthy, "p99Ms"))
            .put("healthyLastDeliveryAfterMs", median(healthy, "lastDeliveryAfterMs"))
            .put("healthyClosedRounds", (int) healthy.stream()
                .filter(x -> x.getBoolean("closed", false)).count())
            .put("serverDiedRounds", (int) s6.stream()
                .filter(x -> !x.getBoolean("serverAlive", true)).count()));
      }
      List<JsonObject> storm = sub(runsOf(runs, p.id, "storm"), "storm");
      if (!storm.isEmpty()) {
        List<JsonObject> steps = sub(storm, "step");
        JsonObject st = new JsonObject().put("rounds", storm.size())
            .put("clients", storm.get(0).getValue("clients")).put("rate", storm.get(0).getValue("rate"))
            .put("catchUpMaxMs", max(storm, "catchUpMs")).put("caughtUpRounds", count(storm, "catchUpMs"))
            .put("gapFrames", sum(storm, "gapFrames")).put("deliveriesPct", median(steps, "deliveriesPct"));
        for (String key : List.of("reconnectMs", "catchUpMs", "serverCpuShareStorm", "serverCpuShareBefore",
            "serverCpuSecondsStorm")) {
          st.put(key, median(storm, key));
        }
        for (String key : List.of("missing", "gaps", "duplicates", "outOfOrder")) {
          st.put(key, sum(steps, key));
        }
        o.put("storm", st);
      }
      JsonObject clusterHistory = ClusterHistory.summary(runsOf(runs, p.id, ClusterFanout.HISTORY_KIND));
      if (clusterHistory != null) {
        o.put("clusterHistory", clusterHistory);
      }
      JsonObject rolling = RollingRestart.summary(runsOf(runs, p.id, "rolling"));
      if (rolling != null) {
        o.put("rolling", rolling);
      }
      JsonObject publish = HttpPublish.summary(runsOf(runs, p.id, "publish"));
      if (publish != null) {
        o.put("publish", publish);
      }
      for (JsonObject r : life) {
        if (r.getJsonObject("server") != null) {
          o.put("server", r.getJsonObject("server"));
          break;
        }
      }

      List<JsonObject> s5 = sub(life, "s5");
      o.put("s5", new JsonObject()
          .put("idleRssMiB", median(s5, "idleRssMiB"))
          .put("clientsRssMiB", median(s5, "clientsRssMiB"))
          .put("clients", s.clients));
      byPeer.put(p.id, o);
    }

    JsonObject ratios = new JsonObject();
    for (String subject : List.of("oneloop", "oneloop-sockjs")) {
      JsonObject one = byPeer.getJsonObject(subject);
      if (one == null) {
        continue;
      }
      JsonObject rs = new JsonObject();
      for (Peer p : peers) {
        if (p.id.equals(subject) || p.variant) {
          continue;
        }
        JsonObject o = byPeer.getJsonObject(p.id);
        rs.put(p.id, new JsonObject()
            .put("s2Throughput", ratio(one, o, "s2", "maxDeliveriesPerSec"))
            .put("s1P99", ratio(one, o, "s1", "p99Ms"))
            .put("s1CpuPerDelivery", ratio(one, o, "s1", "serverCpuUsPerDelivery"))
            .put("s3Start", ratio(one, o, "s3", "medianMs"))
            .put("s3StartCds", p.jvm ? ratio(one, o, "s3Cds", "medianMs") : null)
            .put("s4Stop", ratio(one, o, "s4", "medianMs"))
            .put("s5IdleRss", ratio(one, o, "s5", "idleRssMiB"))
            .put("s5ClientsRss", ratio(one, o, "s5", "clientsRssMiB")));
      }
      ratios.put(subject, rs);
    }
    JsonArray targets = Targets.build(s, byPeer, ratios, runs);
    return new JsonObject().put("peers", byPeer).put("ratios", ratios).put("targets", targets);
  }

  static Double value(JsonObject peer, String scenario, String key) {
    JsonObject sc = peer.getJsonObject(scenario);
    return sc == null ? null : sc.getDouble(key);
  }

  static Double ratio(JsonObject a, JsonObject b, String scenario, String key) {
    Double x = value(a, scenario, key);
    Double y = value(b, scenario, key);
    if (x == null || y == null || y == 0) {
      return null;
    }
    return Json.round(x / y, 3);
  }

  private static Double maxStepValue(List<JsonObject> s2, String key) {
    return maxStepValue(s2, key, false);
  }

  /** The largest value of a step figure over the S2 steps (or only the passing ones). */
  private static Double maxStepValue(List<JsonObject> s2, String key, boolean passingOnly) {
    Double max = null;
    for (JsonObject x : s2) {
      JsonArray steps = x.getJsonArray("steps");
      if (steps == null) {
        continue;
      }
      for (int i = 0; i < steps.size(); i++) {
        if (passingOnly && !steps.getJsonObject(i).getBoolean("pass", false)) {
          continue;
        }
        Double g = steps.getJsonObject(i).getDouble(key);
        if (g != null && (max == null || g > max)) {
          max = g;
        }
      }
    }
    return max;
  }

  /** The best passing step of each S2 search. */
  private static List<JsonObject> bestSteps(List<JsonObject> s2) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject x : s2) {
      JsonArray steps = x.getJsonArray("steps");
      Double best = x.getDouble("bestRate");
      if (steps == null || best == null) {
        continue;
      }
      for (int i = 0; i < steps.size(); i++) {
        JsonObject st = steps.getJsonObject(i);
        if (st.getBoolean("pass", false) && best.equals(st.getDouble("rate"))) {
          out.add(st);
          break;
        }
      }
    }
    return out;
  }

  /** The sum of a step figure over every S2 step (or only the passing ones). */
  private static long stepSum(List<JsonObject> s2, String key, boolean passingOnly) {
    long t = 0;
    for (JsonObject x : s2) {
      JsonArray steps = x.getJsonArray("steps");
      if (steps == null) {
        continue;
      }
      for (int i = 0; i < steps.size(); i++) {
        JsonObject st = steps.getJsonObject(i);
        if (passingOnly && !st.getBoolean("pass", false)) {
          continue;
        }
        Number n = (Number) st.getValue(key);
        if (n != null) {
          t += n.longValue();
        }
      }
    }
    return t;
  }

  private static Double max(List<JsonObject> xs, String key) {
    Double m = null;
    for (JsonObject x : xs) {
      if (x.getValue(key) instanceof Number n && (m == null || n.doubleValue() > m)) {
        m = n.doubleValue();
      }
    }
    return m;
  }

  private static Double min(List<JsonObject> xs, String key) {
    Double m = null;
    for (JsonObject x : xs) {
      if (x.getValue(key) instanceof Number n && (m == null || n.doubleValue() < m)) {
        m = n.doubleValue();
      }
    }
    return m;
  }

  private static int count(List<JsonObject> xs, String key) {
    int c = 0;
    for (JsonObject x : xs) {
      if (x.getValue(key) != null) {
        c++;
      }
    }
    return c;
  }

  static List<JsonObject> runsOf(JsonArray runs, String peer, String kind) {
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      JsonObject r = runs.getJsonObject(i);
      if (peer.equals(r.getString("peer")) && (kind == null || kind.equals(r.getString("kind")))) {
        out.add(r);
      }
    }
    return out;
  }

  /**
   * Whether an S2 record's best step was taken with the generator at its limit; from its best
   * step's generator share for records written before the flag was. Null when it had no best step.
   */
  static Boolean bestStepGeneratorLimited(JsonObject s2) {
    if (s2.getValue("bestStepGeneratorLimited") instanceof Boolean b) {
      return b;
    }
    return s2.getValue("bestStepGeneratorCpuShare") instanceof Number g
        ? g.doubleValue() >= Scale.GENERATOR_LIMIT : null;
  }

  private static List<JsonObject> sub(List<JsonObject> runs, String key) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject r : runs) {
      if (r.getJsonObject(key) != null) {
        out.add(r.getJsonObject(key));
      }
    }
    return out;
  }

  private static long sum(List<JsonObject> xs, String key) {
    long t = 0;
    for (JsonObject x : xs) {
      Number n = (Number) x.getValue(key);
      if (n != null) {
        t += n.longValue();
      }
    }
    return t;
  }

  private static Double median(List<JsonObject> xs, String key) {
    List<Double> v = new ArrayList<>();
    for (JsonObject x : xs) {
      Object o = x.getValue(key);
      if (o instanceof Number n) {
        v.add(n.doubleValue());
      }
    }
    return medianOf(v);
  }

  static Double medianOf(List<Double> v) {
    if (v.isEmpty()) {
      return null;
    }
    List<Double> c = new ArrayList<>(v);
    Collections.sort(c);
    int n = c.size();
    double m = n % 2 == 1 ? c.get(n / 2) : (c.get(n / 2 - 1) + c.get(n / 2)) / 2;
    return Json.round(m, 3);
  }

  /** Median where timed-out samples count as larger than every other. */
  private static Double medianWithTimeouts(List<Double> v, int timeouts) {
    List<Double> c = new ArrayList<>(v);
    for (int i = 0; i < timeouts; i++) {
      c.add(Double.MAX_VALUE);
    }
    Double m = medianOf(c);
    return m == null || m >= Double.MAX_VALUE / 2 ? null : m;
  }

  static void print(JsonObject result) {
    JsonObject peers = result.getJsonObject("summary");
    Bench.log("%-17s %9s %8s %8s %9s %8s %12s %8s %8s %8s %8s %8s", "peer", "S1 deliv%", "p50 ms",
        "p99 ms", "us/deliv", "RSS MiB", "S2 deliv/s", "S3 ms", "S3 CDS", "S4 ms", "S5 idle",
        "S5 N");
    for (String id : peers.fieldNames()) {
      JsonObject p = peers.getJsonObject(id);
      Function<String, JsonObject> g = p::getJsonObject;
      JsonObject cds = g.apply("s3Cds");
      Bench.log("%-17s %9s %8s %8s %9s %8s %12s %8s %8s %8s %8s %8s", id,
          g.apply("s1").getValue("deliveriesPct"), g.apply("s1").getValue("p50Ms"),
          g.apply("s1").getValue("p99Ms"), g.apply("s1").getValue("serverCpuUsPerDelivery"),
          g.apply("s1").getValue("serverRssMiB"), g.apply("s2").getValue("maxDeliveriesPerSec"),
          g.apply("s3").getValue("medianMs"), cds == null ? "-" : cds.getValue("medianMs"),
          g.apply("s4").getValue("medianMs"),
          g.apply("s5").getValue("idleRssMiB"), g.apply("s5").getValue("clientsRssMiB"));
    }
    JsonArray t = result.getJsonArray("targets");
    for (int i = 0; i < t.size(); i++) {
      JsonObject x = t.getJsonObject(i);
      Bench.log("target %-70s value %-10s met=%s", x.getString("target"), x.getValue("value"),
          x.getValue("met"));
    }
  }
}
