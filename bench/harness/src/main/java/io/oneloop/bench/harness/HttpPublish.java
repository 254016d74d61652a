package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.oneloop.bench.harness.Bench.log;
import static io.oneloop.bench.harness.Rig.CLK_TCK;

/**
 * The publish API ({@code --only publish}, oneloop's two paths): the clients subscribed to the
 * bench address, and a backend publishing with {@code POST /api/publish} instead of the bench
 * task ({@link Poster}: open loop, many pipelined connections, so the figure is the server's and
 * not the round trip's), at rates doubled step by step until the server no longer keeps pace
 * (accepted or delivered under 99 %). Per step: publishes
 * accepted per second, the answers that were not 200, the POST's answer time, and the deliveries
 * with their latency from the POST's scheduled send time. The run raises {@code http.maxPublishPerSecond}
 * (one caller, 127.0.0.1, would otherwise be held to the default 1000 a second).
 */
final class HttpPublish implements Scenario {

  static final String RATE_KEY = "http.maxPublishPerSecond";

  private final Rig rig;
  private final Settings s;

  HttpPublish(Rig rig) {
    this.rig = rig;
    this.s = rig.s;
  }

  /** The peers it runs for: oneloop over SockJS and over raw WebSocket. */
  static boolean takes(Peer p) {
    return p.id.equals("oneloop-sockjs") || p.id.equals("oneloop");
  }

  /** When a step counts as kept pace with: S2's rule, plus the publishes accepted. */
  String passRule() {
    return "p99 POST to delivery <= " + s.s2P99LimitMs + " ms, accepted >= " + s.s2MinDeliveriesPct
        + " % of the step's publishes and deliveries >= " + s.s2MinDeliveriesPct + " %";
  }

  @Override
  public JsonObject run(Peer peer, int round) throws Exception {
    JsonObject r = new JsonObject().put("round", round).put("peer", peer.id).put("kind", "publish");
    log("round %d %s: POST /api/publish, open loop over %d pipelined connections (at most %d"
        + " unanswered each), rates from %.0f/s", round, peer.id, s.publishConnections,
        s.publishMaxInFlight, s.publishFirstRate);
    Peer p = peer.with(Map.of(RATE_KEY, s.publishMaxPerSecond));
    Server srv = rig.start(p, round, "publish");
    Poster poster = null;
    try {
      JsonObject notReady = rig.ready(r, p, srv);
      if (notReady != null) {
        return notReady;
      }
      poster = new Poster(srv.port, Peer.ADDRESS, s.publishConnections, s.publishMaxInFlight, 10_000);
      r.put("connections", s.publishConnections).put("maxInFlight", s.publishMaxInFlight)
          .put("openLoop", true).put("maxPublishPerSecond", s.publishMaxPerSecond)
          .put("warmupSeconds", s.publishWarmupSeconds)
          .put("clients", rig.gen.openCount()).put("passRule", passRule());
      warmUp(poster, s.publishFirstRate, s.publishWarmupSeconds);
      JsonArray steps = new JsonArray();
      double best = 0;
      double rate = s.publishFirstRate;
      for (int i = 0; i < s.publishMaxSteps && srv.alive(); i++, rate *= 2) {
        JsonObject st = step(srv, poster, rate, s.publishStepSeconds);
        steps.add(st);
        log("  %.0f/s: accepted %.0f/s (%d refused, %d failed, %d not sent), POST p99 %.2f ms,"
                + " %.2f%% delivered, p99 %.2f ms, %d gaps, server %.3f us/delivery -> %s",
            rate, st.getDouble("acceptedPerSec"), st.getLong("refused"), st.getLong("failed"),
            st.getLong("notSent"),
            st.getDouble("postP99Ms"), st.getDouble("deliveriesPct"), st.getDouble("p99Ms"),
            st.getLong("gaps"), st.getDouble("serverCpuUsPerDelivery"),
            st.getBoolean("pass") ? "kept pace" : "did not keep pace");
        if (!st.getBoolean("pass")) {
          break;
        }
        best = rate;
      }
      r.put("steps", steps).put("bestRate", best > 0 ? best : null);
      if (!srv.alive()) {
        return rig.fail(r, p, srv, "server died during the publish steps");
      }
      r.put("s4", rig.stop(srv));
    } finally {
      if (poster != null) {
        poster.close();
      }
      srv.destroy();
      rig.gen.disconnectAll();
    }
    return r;
  }

  /**
   * The summary of a peer's publish runs (null when none): per step rate, the medians over the
   * rounds and the sums of what went wrong; the highest passing step's accepted publishes/s and
   * p99, medians over the rounds.
   */
  static JsonObject summary(List<JsonObject> runs) {
    List<JsonObject> ran = runs.stream().filter(r -> r.getJsonArray("steps") != null).toList();
    if (ran.isEmpty()) {
      return null;
    }
    Map<Double, List<JsonObject>> byRate = new TreeMap<>();
    List<Double> best = new ArrayList<>();
    List<Double> bestP99 = new ArrayList<>();
    List<Double> bestPostP99 = new ArrayList<>();
    List<Double> bestCpu = new ArrayList<>();
    for (JsonObject r : ran) {
      JsonArray steps = r.getJsonArray("steps");
      for (int i = 0; i < steps.size(); i++) {
        JsonObject st = steps.getJsonObject(i);
        byRate.computeIfAbsent(st.getDouble("rate"), k -> new ArrayList<>()).add(st);
        if (st.getBoolean("pass", false) && st.getDouble("rate").equals(r.getDouble("bestRate"))) {
          best.add(st.getDouble("acceptedPerSec"));
          bestP99.add(st.getDouble("p99Ms"));
          if (st.getValue("postP99Ms") instanceof Number n) {
            bestPostP99.add(n.doubleValue());
          }
          if (st.getValue("serverCpuUsPerDelivery") instanceof Number n) {
            bestCpu.add(n.doubleValue());
          }
        }
      }
    }
    JsonArray steps = new JsonArray();
    byRate.forEach((rate, at) -> {
      JsonObject o = new JsonObject().put("rate", rate).put("seconds", at.get(0).getValue("seconds"))
          .put("rounds", at.size())
          .put("passedRounds", (int) at.stream().filter(x -> x.getBoolean("pass", false)).count());
      for (String key : List.of("acceptedPerSec", "acceptedPct", "postP50Ms", "postP99Ms",
          "deliveriesPct", "deliveriesPerSec", "p50Ms", "p99Ms", "serverCpuUsPerDelivery",
          "serverCpuShare", "generatorCpuShare", "otherCpuShare")) {
        List<Double> v = new ArrayList<>();
        at.forEach(x -> {
          if (x.getValue(key) instanceof Number n) {
            v.add(n.doubleValue());
          }
        });
        o.put(key, Summary.medianOf(v));
      }
      o.put("p99WithinLimitRounds", (int) at.stream().filter(x -> x.getBoolean("p99WithinLimit", false)).count());
      for (String key : List.of("refused", "failed", "notSent", "missing", "gaps", "duplicates",
          "socketsClosed")) {
        o.put(key, at.stream().mapToLong(x -> x.getLong(key, 0L)).sum());
      }
      steps.add(o);
    });
    JsonObject first = ran.get(0);
    return new JsonObject().put("rounds", ran.size()).put("clients", first.getValue("clients"))
        .put("connections", first.getValue("connections"))
        .put("maxInFlight", first.getValue("maxInFlight"))
        .put("openLoop", first.getBoolean("openLoop", false))
        .put("maxPublishPerSecond", first.getValue("maxPublishPerSecond"))
        .put("passRule", first.getValue("passRule"))
        .put("warmupSeconds", first.getValue("warmupSeconds"))
        .put("maxAcceptedPerSec", Summary.medianOf(best))
        .put("maxStepP99Ms", Summary.medianOf(bestP99))
        .put("maxStepPostP99Ms", Summary.medianOf(bestPostP99))
        .put("maxStepServerCpuUsPerDelivery", Summary.medianOf(bestCpu))
        .put("steps", steps);
  }

  /** Unmeasured POSTs first: the publish path's code is cold in a fresh process. */
  private void warmUp(Poster poster, double rate, double seconds) throws Exception {
    long count = Math.round(rate * seconds);
    if (count <= 0) {
      return;
    }
    long first = rig.steps.reserveFirst();
    rig.gen.beginStep(first, count);
    Poster.Result res = poster.run(rate, count, first);
    rig.gen.awaitQuiet(s.drainQuietMs, 20_000);
    rig.gen.endStep();
    log("  warm-up: %d of %d POSTs accepted", res.accepted(), count);
  }

  /** One step: POSTs at {@code rate} for {@code seconds}, the deliveries awaited, the figures. */
  private JsonObject step(Server srv, Poster poster, double rate, double seconds) throws Exception {
    if (s.quietMaxWaitMs > 0) {
      rig.steps.awaitQuietMachine(srv);
    }
    long count = Math.max(1, Math.round(rate * seconds));
    long first = rig.steps.reserveFirst();
    rig.gen.beginStep(first, count);
    int sockets = rig.gen.openCount();
    StepStats.Marks start = StepStats.Marks.now(srv);
    Poster.Result res = poster.run(rate, count, first);
    StepStats.Marks published = StepStats.Marks.now(srv);
    long expected = res.accepted() * sockets;
    long deadline = published.wallNanos() + TimeUnit.MILLISECONDS.toNanos(s.graceMs);
    while (System.nanoTime() < deadline && rig.gen.deliveredSoFar() < expected && srv.alive()) {
      Thread.sleep(10);
    }
    StepStats.Marks end = StepStats.Marks.now(srv);
    StepStats st = rig.gen.endStep();
    st.timed(rate, count, start, published, end);
    st.serverRssKiB = srv.rssKiB();
    st.serverPeakRssKiB = st.serverRssKiB;
    st.serverAlive = srv.alive();
    if (st.serverAlive) {
      st.drainMs = rig.gen.awaitQuiet(s.drainQuietMs, 20_000);
      st.arrivedAfterStep = rig.gen.lateForLastStep();
    }
    JsonObject o = st.toJson(CLK_TCK);
    // deliveries are counted against every message of the step: one that was refused or never
    // sent is missing at every client, as a message the bench task could not publish in time
    double acceptedPct = 100.0 * res.accepted() / count;
    JsonObject statuses = new JsonObject();
    res.statuses().forEach((k, v) -> statuses.put(String.valueOf(k), v));
    Double postP99 = res.answerUs().getTotalCount() == 0 ? null
        : Json.round(res.answerUs().getValueAtPercentile(99) / 1000.0, 3);
    Double postP50 = res.answerUs().getTotalCount() == 0 ? null
        : Json.round(res.answerUs().getValueAtPercentile(50) / 1000.0, 3);
    o.put("posted", res.sent())
        .put("accepted", res.accepted())
        .put("acceptedPct", Json.round(acceptedPct, 3))
        .put("acceptedPerSec", Json.round(res.accepted() / (count / rate), 1))
        .put("refused", res.refused())
        .put("failed", res.failed())
        .put("notSent", res.notSent())
        .put("maxInFlightSeen", res.maxInFlightSeen())
        .put("statuses", statuses)
        .put("firstError", res.firstError())
        .put("postP50Ms", postP50)
        .put("postP99Ms", postP99);
    // as S2: a rate reached only with deliveries seconds late is not one the server keeps pace with
    boolean pass = st.serverAlive && acceptedPct >= s.s2MinDeliveriesPct
        && st.deliveriesPct() >= s.s2MinDeliveriesPct && st.ms(99) <= s.s2P99LimitMs;
    return o.put("pass", pass).put("p99WithinLimit", st.ms(99) <= s.s2P99LimitMs);
  }
}
