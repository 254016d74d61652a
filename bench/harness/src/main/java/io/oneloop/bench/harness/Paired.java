package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.oneloop.bench.harness.Bench.log;
import static io.oneloop.bench.harness.Rig.CLK_TCK;
import static io.oneloop.bench.harness.Rig.sleep;

/**
 * A variant's S1 cost beside its baseline, measured in the same seconds: both processes run at
 * once, each with its clients and its own generator, and each S1 step publishes to both together.
 * Here a step's CPU per delivery drifts by 20-40 % from one window of seconds to the next (the
 * machine, not the server), so two processes measured minutes apart cannot show a 2 % cost; two
 * measured in the same window share the drift. Each step gives the ratio of the variant's
 * event-loop CPU per delivery to the baseline's; the pair's figure is their median. One process
 * also runs a few % faster or slower than another of the same config for its whole life, so a
 * round takes several fresh pairs, and the baseline is paired with itself too.
 */
final class Paired implements Scenario {

  private final Rig rig;
  private final Settings s;

  Paired(Rig rig) {
    this.rig = rig;
    this.s = rig.s;
  }

  /**
   * The variants measured so (those whose cost on the delivery path has a target), and their
   * baseline beside itself: what the method reads when both sides are the same, its own bias.
   */
  static boolean takes(Peer p) {
    return p.oneloopKeys.containsKey(Peer.AUTHORIZER_KEY) || p.oneloopKeys.containsKey(Peer.PRESENCE_KEY)
        || p.id.equals(SELF);
  }

  /** The baseline the variants are paired with, paired with itself too. */
  static final String SELF = "oneloop-sockjs";

  @Override
  public JsonObject run(Peer variant, int round) throws Exception {
    Peer base = Peer.byId(variant.baseline());
    JsonObject r = new JsonObject().put("round", round).put("peer", variant.id).put("kind", "paired")
        .put("baseline", base.id);
    double stepSeconds = s.pairedStepSeconds;
    log("round %d %s beside %s: S1 at %.0f/s on both at once, %d steps of %.0f s", round, variant.id, base.id,
        s.s1Rate, s.pairedSteps, stepSeconds);
    Server a = rig.start(base, round, "paired");
    Server b = null;
    LoadGen genB = new LoadGen();
    try {
      JsonObject notReady = rig.awaitStart(r.copy(), base, a);
      if (notReady != null) {
        return notReady;
      }
      b = rig.start(variant, round, "paired");
      notReady = rig.awaitStart(r.copy(), variant, b);
      if (notReady != null) {
        return notReady;
      }
      int ca = rig.gen.connect(base.protocol, a.port, base.wsPath, Peer.ADDRESS, s.clients, s.connectTimeoutMs);
      int cb = genB.connect(variant.protocol, b.port, variant.wsPath, Peer.ADDRESS, s.clients, s.connectTimeoutMs);
      log("  %d and %d of %d clients connected", ca, cb, s.clients);
      r.put("connected", new JsonArray().add(ca).add(cb));
      if (ca < s.clients || cb < s.clients) {
        return rig.fail(r, variant, ca < s.clients ? a : b, "not every client connected");
      }
      JsonObject seen = rig.inspect(variant, b);
      r.put("server", seen);
      sleep(s.settleMs);
      Steps stepsA = new Steps(s, rig.gen);
      Steps stepsB = new Steps(s, genB);
      // unmeasured, as before S1 but longer: the first seconds of a cold process are not the steady state
      both(stepsA, a, stepsB, b, Math.max(s.s1WarmupSeconds, 2 * stepSeconds));
      Side sa = new Side();
      Side sb = new Side();
      JsonArray steps = new JsonArray();
      JsonArray ratios = new JsonArray();
      for (int k = 0; k < s.pairedSteps; k++) {
        StepStats[] st = both(stepsA, a, stepsB, b, stepSeconds);
        sa.add(st[0]);
        sb.add(st[1]);
        Double ratio = Side.ratio(st[1].serverLoopCpuUsPerDelivery(CLK_TCK), st[0].serverLoopCpuUsPerDelivery(CLK_TCK));
        ratios.add(ratio);
        steps.add(new JsonObject().put("baseline", st[0].toJson(CLK_TCK)).put("variant", st[1].toJson(CLK_TCK))
            .put("loopCpuRatio", ratio));
        if (!st[0].serverAlive || !st[1].serverAlive) {
          return rig.fail(r.put("steps", steps), st[0].serverAlive ? variant : base, st[0].serverAlive ? b : a,
              "server died during the paired steps");
        }
        sleep(s.pauseMs);
      }
      r.put("steps", steps);
      r.put("baselineTotals", sa.toJson());
      r.put("variantTotals", sb.toJson());
      r.put("stepRatios", ratios);
      Double loops = median(ratios);
      Double whole = Side.ratio(sb.cpuUsPerDelivery(), sa.cpuUsPerDelivery());
      r.put("loopCpuRatio", loops).put("cpuRatio", whole);
      log("  event-loop CPU per delivery %.3f vs %.3f us, median of the steps' ratios %sx %s; whole process %.3f vs %.3f us (%sx)",
          sb.loopUsPerDelivery(), sa.loopUsPerDelivery(), loops, ratios.encode(), sb.cpuUsPerDelivery(), sa.cpuUsPerDelivery(), whole);
      return r;
    } finally {
      a.destroy();
      if (b != null) {
        b.destroy();
      }
      rig.gen.disconnectAll();
      genB.close();
    }
  }

  /**
   * One S1 step on each server at the same time, each counted by its own generator: {baseline's,
   * variant's}. The servers share a core, so the variant starts half a publish interval later:
   * each delivers its tick to its clients while the other is idle, never both at once (one would
   * then wait for the other, and which one depends on who started first, not on its config).
   */
  private StepStats[] both(Steps stepsA, Server a, Steps stepsB, Server b, double seconds) throws Exception {
    CompletableFuture<StepStats> other = new CompletableFuture<>();
    long halfIntervalMs = Math.round(500 / s.s1Rate);
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(halfIntervalMs);
        other.complete(stepsB.measure(b, s.s1Rate, seconds));
      } catch (Throwable e) {
        other.completeExceptionally(e);
      }
    }, "paired-variant");
    t.start();
    StepStats first = stepsA.measure(a, s.s1Rate, seconds);
    return new StepStats[] {first, other.get(Math.round(seconds * 1000) + 120_000, TimeUnit.MILLISECONDS)};
  }

  /** The median of the numbers in {@code xs} (a step without a figure is left out); null when there are none. */
  static Double median(JsonArray xs) {
    List<Double> numbers = new ArrayList<>();
    xs.forEach(x -> {
      if (x instanceof Number n) {
        numbers.add(n.doubleValue());
      }
    });
    return numbers.isEmpty() ? null : Json.round(Targets.median(numbers), 3);
  }

  /** One side's steps together. */
  private static final class Side {
    long delivered;
    long expected;
    long loopTicks;
    long cpuTicks;
    long gaps;
    int steps;

    void add(StepStats st) {
      delivered += st.delivered;
      expected += st.expected();
      loopTicks += Math.max(0, st.serverLoopCpuTicks);
      cpuTicks += st.serverCpuTicks;
      gaps += st.gaps;
      steps++;
    }

    double loopUsPerDelivery() {
      return delivered == 0 ? Double.NaN : loopTicks * (1e6 / CLK_TCK) / delivered;
    }

    double cpuUsPerDelivery() {
      return delivered == 0 ? Double.NaN : cpuTicks * (1e6 / CLK_TCK) / delivered;
    }

    static Double ratio(double x, double y) {
      return Double.isNaN(x) || Double.isNaN(y) || y <= 0 ? null : Json.round(x / y, 3);
    }

    JsonObject toJson() {
      return new JsonObject().put("steps", steps).put("delivered", delivered)
          .put("deliveredPct", expected == 0 ? null : Json.round(100.0 * delivered / expected, 3))
          .put("gaps", gaps)
          .put("serverLoopCpuUsPerDelivery", Double.isNaN(loopUsPerDelivery()) ? null : Json.round(loopUsPerDelivery(), 3))
          .put("serverCpuUsPerDelivery", Double.isNaN(cpuUsPerDelivery()) ? null : Json.round(cpuUsPerDelivery(), 3));
    }
  }
}
