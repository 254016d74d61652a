package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The figures BENCHMARKS.md shows from single runs rather than from the summary: the load other
 * processes put on the machine during the measured steps, and the cluster's steps beside the single
 * node's. The results file keeps them beside the summary, so that it renders without the raw runs.
 */
final class RunFigures {
  /** The step figures the cluster table shows, copied as the runs have them. */
  private static final List<String> CLUSTER_STEP = List.of("rate", "seconds", "deliveriesPct",
      "deliveriesPerSec", "p99Ms", "gaps", "serverCpuUsPerDelivery", "serverRssMiB");

  /** The step figures the scale table shows. */
  private static final List<String> SCALE_STEP = List.of("rate", "seconds", "deliveriesPct", "p50Ms", "p99Ms",
      "serverCpuUsPerDelivery", "generatorCpuShare", "generatorLimited");

  private RunFigures() {
  }

  static JsonObject of(JsonArray runs) {
    JsonObject o = new JsonObject();
    JsonObject load = otherCpuShare(runs);
    if (load != null) {
      o.put("otherCpuShare", load);
    }
    return o.put("cluster", cluster(runs)).put("connMemory", ofKind(runs, "connmem")).put("scale", ofKind(runs, "scale"))
        .put("paired", paired(runs)).put("memProfile", ofKind(runs, "memprofile"))
        .put("startProfile", ofKind(runs, "startprofile"));
  }

  /** The paired S1 runs (a variant and its baseline in the same seconds): their ratios and totals, without the steps. */
  private static JsonArray paired(JsonArray runs) {
    JsonArray out = new JsonArray();
    for (int i = 0; i < runs.size(); i++) {
      JsonObject run = runs.getJsonObject(i);
      if ("paired".equals(run.getString("kind")) && run.getString("error") == null) {
        JsonObject copy = run.copy();
        copy.remove("steps");
        copy.remove("server");
        out.add(copy);
      }
    }
    return out;
  }

  /** The runs of {@code kind} as they are (memory per connection, the connection scale): their figures are their own. */
  private static JsonArray ofKind(JsonArray runs, String kind) {
    JsonArray out = new JsonArray();
    for (int i = 0; i < runs.size(); i++) {
      JsonObject run = runs.getJsonObject(i);
      if (kind.equals(run.getString("kind")) && run.getString("error") == null) {
        JsonObject copy = run.copy();
        // the step's full figures stay in the raw runs; the table needs these
        JsonArray sizes = copy.getJsonArray("sizes");
        for (int k = 0; sizes != null && k < sizes.size(); k++) {
          JsonArray steps = sizes.getJsonObject(k).getJsonArray("steps");
          JsonArray kept = new JsonArray();
          for (int j = 0; steps != null && j < steps.size(); j++) {
            JsonObject st = steps.getJsonObject(j);
            JsonObject row = new JsonObject();
            for (String key : SCALE_STEP) {
              if (st.containsKey(key)) {
                row.put(key, st.getValue(key));
              }
            }
            kept.add(row);
          }
          sizes.getJsonObject(k).put("steps", kept);
        }
        out.add(copy);
      }
    }
    return out;
  }

  /**
   * Other processes' share of a core over every measured step (S1, the fixed rates, S2): how many
   * steps, their median and maximum, and how many were over 30 %; null when no step has it.
   */
  private static JsonObject otherCpuShare(JsonArray runs) {
    List<Double> other = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      JsonObject run = runs.getJsonObject(i);
      List<JsonObject> steps = new ArrayList<>();
      if (run.getJsonObject("s1") != null) {
        steps.add(run.getJsonObject("s1"));
      }
      JsonArray high = run.getJsonArray("high");
      for (int k = 0; high != null && k < high.size(); k++) {
        steps.add(high.getJsonObject(k));
      }
      JsonArray s2 = run.getJsonObject("s2") == null ? null
          : run.getJsonObject("s2").getJsonArray("steps");
      for (int k = 0; s2 != null && k < s2.size(); k++) {
        steps.add(s2.getJsonObject(k));
      }
      for (JsonObject st : steps) {
        if (st.getValue("otherCpuShare") instanceof Number n) {
          other.add(n.doubleValue());
        }
      }
    }
    if (other.isEmpty()) {
      return null;
    }
    return new JsonObject()
        .put("steps", other.size())
        .put("median", Summary.medianOf(other))
        .put("max", other.stream().max(Double::compare).orElse(0.0))
        .put("over30Pct", other.stream().filter(x -> x > 0.3).count());
  }

  /**
   * oneloop's three-node cluster steps and, of the same rounds, its single node's S1 and fixed
   * rates, one row per step in the runs' order; empty when the run has no cluster steps.
   */
  private static JsonArray cluster(JsonArray runs) {
    JsonArray rows = new JsonArray();
    boolean clustered = false;
    for (int i = 0; i < runs.size(); i++) {
      JsonObject run = runs.getJsonObject(i);
      if (!"oneloop".equals(run.getString("peer"))) {
        continue;
      }
      List<JsonObject> steps = new ArrayList<>();
      String setup;
      if ("cluster".equals(run.getString("kind")) && run.getJsonArray("steps") != null) {
        setup = run.getInteger("nodes", 3) + " nodes (" + run.getString("label", "") + ")";
        run.getJsonArray("steps").forEach(x -> steps.add((JsonObject) x));
        clustered = true;
      } else if ("lifecycle".equals(run.getString("kind")) && run.getJsonObject("s1") != null) {
        setup = "1 node";
        steps.add(run.getJsonObject("s1"));
        if (run.getJsonArray("high") != null) {
          run.getJsonArray("high").forEach(x -> steps.add((JsonObject) x));
        }
      } else {
        continue;
      }
      for (JsonObject x : steps) {
        JsonObject row = new JsonObject().put("setup", setup).put("round", run.getValue("round"));
        for (String key : CLUSTER_STEP) {
          if (x.containsKey(key)) {
            row.put(key, x.getValue(key));
          }
        }
        rows.add(row);
      }
    }
    return clustered ? rows : new JsonArray();
  }
}
