package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

import static io.oneloop.bench.harness.Bench.log;
import static io.oneloop.bench.harness.Rig.CLK_TCK;
import static io.oneloop.bench.harness.Rig.sleep;

/**
 * S2, saturation: a fresh process with the clients connected, its publish rate stepped up until
 * a step fails, then bisected between the best passing and the first failing rate. A later round
 * starts from half the rate the peer last passed.
 */
final class Saturation implements Scenario {

  private final Rig rig;
  private final Settings s;
  private final Map<String, Double> lastBestRate = new HashMap<>();

  Saturation(Rig rig) {
    this.rig = rig;
    this.s = rig.s;
  }

  @Override
  public JsonObject run(Peer p, int round) throws Exception {
    JsonObject r = new JsonObject().put("round", round).put("peer", p.id).put("kind", "saturation");
    log("round %d %s: saturation (S2)", round, p.id);
    Server srv = rig.start(p, round, "s2");
    try {
      JsonObject notReady = rig.ready(r, p, srv);
      if (notReady != null) {
        return notReady;
      }
      r.put("s2", search(p, srv, round));
    } finally {
      rig.gen.expectClose();
      srv.stopQuietly(5_000);
      rig.gen.disconnectAll();
    }
    return r;
  }

  /** A step passes with every client there from start to end: one the server closed fails it, as an undelivered message does. */
  private boolean passes(StepStats st) {
    return st.serverAlive && st.deliveriesPct() >= s.s2MinDeliveriesPct
        && st.histogram.getTotalCount() > 0 && st.ms(99) <= s.s2P99LimitMs && whole(st.sockets, st.closedDuringStep, s.clients);
  }

  /**
   * Whether a step was measured on every client: {@code sockets} open at its start, none closed
   * during it. A server that bounds its queues closes the slowest clients of an overloaded step
   * (oneloop's {@code bridge.maxQueuedBytesTotal}); a step measured on those left would count
   * fewer deliveries at a higher rate.
   */
  static boolean whole(int sockets, int closed, int clients) {
    return sockets >= clients && closed == 0;
  }

  /** One S2 step at {@code rate}, added to {@code steps} ({@code retry}: the second at a rate that failed once). */
  private StepStats step(Server srv, double rate, JsonArray steps, boolean retry) throws Exception {
    StepStats st = rig.steps.run(srv, rate, s.s2StepSeconds);
    boolean ok = passes(st);
    steps.add(st.toJson(CLK_TCK).put("pass", ok).put("retry", retry)
        .put("generatorLimited", st.generatorLimited(CLK_TCK)));
    log("  S2 step %.1f/s%s: %.2f%% delivered, %.0f deliveries/s, p99 %.2f ms, server CPU %.0f%%,"
            + " generator CPU %.0f%% (%.1f us/delivery)%s, other CPU %.0f%%, %d late -> %s", rate,
        retry ? " again" : "", st.deliveriesPct(), st.deliveriesPerSec(), st.ms(99), 100 * st.serverCpuShare(CLK_TCK),
        100 * st.generatorCpuShare(CLK_TCK), st.generatorCpuUsPerDelivery(CLK_TCK),
        st.generatorLimited(CLK_TCK) ? " (the generator was the limit)" : "", 100 * st.otherCpuShare(CLK_TCK),
        st.arrivedAfterStep, ok ? "pass" : "FAIL");
    return st;
  }

  /**
   * Holds the steps of an "s2" record to {@link #whole}: a passing step measured on fewer clients
   * (recorded before the search connected every client again after an overloaded step) is marked
   * {@code notWhole} and no longer passes, and the best step is found again among the rest. The
   * steps left out count as neither passing nor failing. Returns how many were left out (also in
   * the record as {@code stepsNotWhole}); a record made since changes in nothing.
   */
  static int revalidate(JsonObject s2, int clients) {
    JsonArray steps = s2.getJsonArray("steps");
    if (steps == null) {
      return 0;
    }
    int left = 0;
    JsonObject best = null;
    Double firstFailing = null;
    for (int i = 0; i < steps.size(); i++) {
      JsonObject st = steps.getJsonObject(i);
      boolean pass = st.getBoolean("pass", false);
      if (pass && !whole(st.getInteger("sockets", 0), st.getInteger("socketsClosed", 0), clients)) {
        st.put("pass", false).put("notWhole", true);
        pass = false;
        left++;
      }
      double rate = st.getDouble("rate", 0.0);
      if (pass && (best == null || rate > best.getDouble("rate"))) {
        best = st;
      } else if (!pass && !st.getBoolean("notWhole", false) && (firstFailing == null || rate < firstFailing)) {
        firstFailing = rate;
      }
    }
    if (left > 0) {
      s2.put("bestRate", best == null ? null : best.getDouble("rate"))
          .put("firstFailingRate", firstFailing)
          .put("maxDeliveriesPerSec", best == null ? 0.0 : best.getDouble("deliveriesPerSec"))
          .put("bestStepP99Ms", best == null ? null : best.getValue("p99Ms"))
          .put("bestStepServerCpuShare", best == null ? null : best.getValue("serverCpuShare"))
          .put("bestStepGeneratorCpuShare", best == null ? null : best.getValue("generatorCpuShare"))
          .put("bestStepGeneratorLimited", best == null ? null : best.getValue("generatorLimited"))
          .put("stepsNotWhole", left);
    }
    return left;
  }

  /** The rate search on a running server with its clients connected: the "s2" record. */
  JsonObject search(Peer p, Server srv, int round) throws Exception {
    double rate = round == 1 || !lastBestRate.containsKey(p.id) ? s.s2FirstRate
        : Math.max(s.s2MinRate, lastBestRate.get(p.id) / 2);
    if (s.s2WarmupSeconds > 0) {
      // unmeasured warm-up (JIT, pools) at the first step's rate and long enough for the JIT to
      // compile the fan-out: on the server's one core a compile stalls the event loop past S2's
      // p99 limit, and a step failed that way would end the search far below the server's limit
      StepStats w = rig.steps.measure(srv, rate, s.s2WarmupSeconds);
      log("  S2 warm-up %.1f/s for %.0f s: %.2f%% delivered, p99 %.2f ms", rate, s.s2WarmupSeconds,
          w.deliveriesPct(), w.ms(99));
      sleep(s.pauseMs);
    }
    Double pass = null;
    Double fail = null;
    StepStats best = null;
    JsonArray steps = new JsonArray();
    boolean died = false;
    for (int i = 0; i < s.s2MaxSteps; i++) {
      StepStats st = step(srv, rate, steps, false);
      boolean ok = passes(st);
      if (!ok && st.serverAlive && s.s2RetryFailed && st.deliveriesPct() >= s.s2MinDeliveriesPct) {
        // a pause of the process (a JIT compile, a GC, another process on the core) fails one step
        // on its p99 at any rate, with every message delivered: such a rate fails only when a second
        // step at it fails too, for every peer alike. A step that left messages undelivered was
        // beyond the server: running it again would only pile more on a server still behind
        sleep(s.pauseMs);
        st = step(srv, rate, steps, true);
        ok = passes(st);
      }
      if (!st.serverAlive) {
        died = true;
        fail = rate;
        break;
      }
      if (rig.gen.openCount() < s.clients) {
        // the next step is measured on every client again, not on those the server left open
        log("  S2: %d of %d clients still open after the step: all connected again", rig.gen.openCount(), s.clients);
        rig.gen.expectClose();
        rig.gen.disconnectAll();
        JsonObject notConnected = rig.connectAll(new JsonObject().put("round", round).put("kind", "saturation"), p, srv);
        if (notConnected != null) {
          fail = fail == null ? rate : Math.min(fail, rate);
          break;
        }
        sleep(s.settleMs);
      }
      if (ok) {
        if (pass == null || rate > pass) {
          pass = rate;
          best = st;
        }
      } else {
        fail = fail == null ? rate : Math.min(fail, rate);
      }
      if (fail == null) {
        rate = rate * 2;
        if (rate > s.s2MaxRate) {
          break;
        }
      } else if (pass == null) {
        rate = rate / 2;
        if (rate < s.s2MinRate) {
          break;
        }
      } else {
        if (fail / pass <= s.s2Resolution) {
          break;
        }
        rate = Math.sqrt(pass * fail);
      }
      sleep(s.pauseMs);
    }
    if (pass != null) {
      lastBestRate.put(p.id, pass);
    }
    boolean oom = died && srv.logMentions("OutOfMemoryError");
    JsonObject o = new JsonObject()
        .put("steps", steps)
        .put("bestRate", pass)
        .put("firstFailingRate", fail)
        .put("maxDeliveriesPerSec", best == null ? 0.0 : Json.round(best.deliveriesPerSec(), 1))
        .put("bestStepP99Ms", best == null ? null : Json.round(best.ms(99), 3))
        .put("bestStepServerCpuShare", best == null ? null : Json.round(best.serverCpuShare(CLK_TCK), 3))
        .put("bestStepGeneratorCpuShare",
            best == null ? null : Json.round(best.generatorCpuShare(CLK_TCK), 3))
        .put("bestStepGeneratorLimited", best == null ? null : best.generatorLimited(CLK_TCK))
        .put("serverDied", died)
        .put("oom", oom);
    log("  S2 result: %.0f deliveries/s%s%s", best == null ? 0.0 : best.deliveriesPerSec(),
        oom ? " (server ran out of memory)" : died ? " (server died)" : "",
        best != null && best.generatorLimited(CLK_TCK) ? " (generator-limited: the server may sustain more)" : "");
    return o;
  }
}
