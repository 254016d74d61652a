package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/** Medians per peer over the rounds, oneloop's ratios to each peer, and the targets. */
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
          .put("serverRssMiB", median(s1, "serverRssMiB"))
          .put("serverPeakRssMiB", median(s1, "serverPeakRssMiB"))
          .put("generatorCpuShare", median(s1, "generatorCpuShare"))
          .put("generatorCpuUsPerDelivery", median(s1, "generatorCpuUsPerDelivery"))
          .put("otherCpuShare", median(s1, "otherCpuShare"))
          .put("missing", sum(s1, "missing"))
          .put("duplicates", sum(s1, "duplicates"))
          .put("socketsClosed", sum(s1, "socketsClosed")));

      List<JsonObject> s2 = sub(s.smokeMode() ? life : sat, "s2");
      JsonArray perRound = new JsonArray();
      s2.forEach(x -> perRound.add(x.getValue("maxDeliveriesPerSec")));
      o.put("s2", new JsonObject()
          .put("rounds", s2.size())
          .put("maxDeliveriesPerSec", median(s2, "maxDeliveriesPerSec"))
          .put("perRound", perRound)
          .put("bestStepP99Ms", median(s2, "bestStepP99Ms"))
          .put("bestStepServerCpuShare", median(s2, "bestStepServerCpuShare"))
          .put("bestStepGeneratorCpuShare", median(s2, "bestStepGeneratorCpuShare"))
          .put("maxGeneratorCpuShare", maxStepValue(s2, "generatorCpuShare"))
          .put("maxOtherCpuShare", maxStepValue(s2, "otherCpuShare"))
          .put("oomRounds", (int) s2.stream().filter(x -> x.getBoolean("oom", false)).count())
          .put("diedRounds", (int) s2.stream().filter(x -> x.getBoolean("serverDied", false)).count()));

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

      List<JsonObject> s5 = sub(life, "s5");
      o.put("s5", new JsonObject()
          .put("idleRssMiB", median(s5, "idleRssMiB"))
          .put("clientsRssMiB", median(s5, "clientsRssMiB"))
          .put("clients", s.clients));
      byPeer.put(p.id, o);
    }

    JsonObject ratios = new JsonObject();
    JsonArray targets = new JsonArray();
    JsonObject one = byPeer.getJsonObject("oneloop");
    if (one != null) {
      for (Peer p : peers) {
        if (p.id.equals("oneloop")) {
          continue;
        }
        JsonObject o = byPeer.getJsonObject(p.id);
        ratios.put(p.id, new JsonObject()
            .put("s2Throughput", ratio(one, o, "s2", "maxDeliveriesPerSec"))
            .put("s1P99", ratio(one, o, "s1", "p99Ms"))
            .put("s1CpuPerDelivery", ratio(one, o, "s1", "serverCpuUsPerDelivery"))
            .put("s3Start", ratio(one, o, "s3", "medianMs"))
            .put("s3StartCds", p.jvm ? ratio(one, o, "s3Cds", "medianMs") : null)
            .put("s4Stop", ratio(one, o, "s4", "medianMs"))
            .put("s5IdleRss", ratio(one, o, "s5", "idleRssMiB"))
            .put("s5ClientsRss", ratio(one, o, "s5", "clientsRssMiB")));
      }
      target(targets, ratios, "raw", "s2Throughput", ">=", 1.0,
          "S2 throughput >= 1.0x raw Vert.x");
      target(targets, ratios, "bridge", "s2Throughput", ">=", 1.5,
          "S2 throughput >= 1.5x stock bridge");
      target(targets, ratios, "socketio", "s2Throughput", ">=", 1.3,
          "S2 throughput >= 1.3x Socket.IO");
      target(targets, ratios, "python", "s2Throughput", ">=", 8.0,
          "S2 throughput >= 8x Python");
      target(targets, ratios, "socketio", "s1P99", "<=", 1.0, "S1 p99 <= Socket.IO's");
      target(targets, ratios, "bridge", "s1P99", "<=", 1.0, "S1 p99 <= stock bridge's");
      target(targets, ratios, "raw", "s3Start", "<=", 1.2,
          "S3 start <= 1.2x the minimal raw Vert.x app");
      target(targets, ratios, "raw", "s3StartCds", "<=", 1.2,
          "S3 start with AppCDS for every JVM peer <= 1.2x raw Vert.x with AppCDS");
      Double stop = value(one, "s4", "medianMs");
      targets.add(new JsonObject().put("target", "S4 stop <= 1 s with " + s.clients + " clients")
          .put("value", stop).put("unit", "ms").put("limit", 1000.0)
          .put("met", stop == null ? null : stop <= 1000.0));
      target(targets, ratios, "bridge", "s5ClientsRss", "<=", 1.2,
          "S5 RSS with " + s.clients + " idle clients <= 1.2x stock bridge app");
    }
    return new JsonObject().put("peers", byPeer).put("ratios", ratios).put("targets", targets);
  }

  private static void target(JsonArray targets, JsonObject ratios, String peer, String key,
      String op, double limit, String name) {
    JsonObject r = ratios.getJsonObject(peer);
    Double v = r == null ? null : r.getDouble(key);
    Boolean met = v == null ? null : ">=".equals(op) ? v >= limit : v <= limit;
    targets.add(new JsonObject().put("target", name).put("value", v).put("unit", "x")
        .put("limit", limit).put("met", met));
  }

  private static Double value(JsonObject peer, String scenario, String key) {
    JsonObject sc = peer.getJsonObject(scenario);
    return sc == null ? null : sc.getDouble(key);
  }

  private static Double ratio(JsonObject a, JsonObject b, String scenario, String key) {
    Double x = value(a, scenario, key);
    Double y = value(b, scenario, key);
    if (x == null || y == null || y == 0) {
      return null;
    }
    return Json.round(x / y, 3);
  }

  private static Double maxStepValue(List<JsonObject> s2, String key) {
    Double max = null;
    for (JsonObject x : s2) {
      JsonArray steps = x.getJsonArray("steps");
      if (steps == null) {
        continue;
      }
      for (int i = 0; i < steps.size(); i++) {
        Double g = steps.getJsonObject(i).getDouble(key);
        if (g != null && (max == null || g > max)) {
          max = g;
        }
      }
    }
    return max;
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
    Bench.log("%-9s %9s %8s %8s %9s %8s %12s %8s %8s %8s %8s %8s", "peer", "S1 deliv%", "p50 ms",
        "p99 ms", "us/deliv", "RSS MiB", "S2 deliv/s", "S3 ms", "S3 CDS", "S4 ms", "S5 idle",
        "S5 N");
    for (String id : peers.fieldNames()) {
      JsonObject p = peers.getJsonObject(id);
      Function<String, JsonObject> g = p::getJsonObject;
      JsonObject cds = g.apply("s3Cds");
      Bench.log("%-9s %9s %8s %8s %9s %8s %12s %8s %8s %8s %8s %8s", id,
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
      Bench.log("target %-55s value %-8s met=%s", x.getString("target"), x.getValue("value"),
          x.getValue("met"));
    }
  }
}
