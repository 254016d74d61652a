package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * round takes several fresh pairs, and the baseline is paired with itself too. Before the steps
 * both are warmed up until their JITs are quiet: a process that still compiles at S1's rate (it
 * does for minutes) runs other code from one step to the next. Nothing but the config tells the
 * two sides apart: each has a fresh generator of its own, the side that starts its tick first
 * alternates from step to step, and the process started first from pair to pair (the baseline
 * beside itself read ~1 % high while the baseline always went first with the harness's own
 * generator).
 */
final class Paired implements Scenario {

  private final Rig rig;
  private final Settings s;
  /** Pairs run so far per variant: which process is started first alternates with it. */
  private final Map<String, Integer> pairs = new HashMap<>();

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
    boolean variantStartsFirst = pairs.merge(variant.id, 1, Integer::sum) % 2 == 0;
    r.put("startedFirst", variantStartsFirst ? "variant" : "baseline");
    Server a = null;
    Server b = null;
    LoadGen genA = new LoadGen();
    LoadGen genB = new LoadGen();
    try {
      for (boolean variantNow : new boolean[] {variantStartsFirst, !variantStartsFirst}) {
        Peer p = variantNow ? variant : base;
        Server srv = rig.start(p, round, "paired");
        if (variantNow) {
          b = srv;
        } else {
          a = srv;
        }
        JsonObject notReady = rig.awaitStart(r.copy(), p, srv);
        if (notReady != null) {
          return notReady;
        }
      }
      int ca = genA.connect(base.protocol, a.port, base.wsPath, Peer.ADDRESS, s.clients, s.connectTimeoutMs);
      int cb = genB.connect(variant.protocol, b.port, variant.wsPath, Peer.ADDRESS, s.clients, s.connectTimeoutMs);
      log("  %d and %d of %d clients connected", ca, cb, s.clients);
      r.put("connected", new JsonArray().add(ca).add(cb));
      if (ca < s.clients || cb < s.clients) {
        return rig.fail(r, variant, ca < s.clients ? a : b, "not every client connected");
      }
      sleep(s.settleMs);
      Steps stepsA = new Steps(s, genA);
      Steps stepsB = new Steps(s, genB);
      r.put("warmUp", warmUp(stepsA, a, stepsB, b));
      Side sa = new Side();
      Side sb = new Side();
      JsonArray steps = new JsonArray();
      JsonArray ratios = new JsonArray();
      for (int k = 0; k < s.pairedSteps; k++) {
        long[] compiled = {PerfData.read(a.pid, PerfData.COMPILES), PerfData.read(b.pid, PerfData.COMPILES)};
        StepStats[] st = both(stepsA, a, stepsB, b, stepSeconds, s.s1Rate, k % 2 == 1);
        JsonArray compiles = new JsonArray()
            .add(grown(compiled[0], PerfData.read(a.pid, PerfData.COMPILES)))
            .add(grown(compiled[1], PerfData.read(b.pid, PerfData.COMPILES)));
        sa.add(st[0]);
        sb.add(st[1]);
        Double ratio = Side.ratio(st[1].serverLoopCpuUsPerDelivery(), st[0].serverLoopCpuUsPerDelivery());
        ratios.add(ratio);
        steps.add(new JsonObject().put("baseline", st[0].toJson(CLK_TCK)).put("variant", st[1].toJson(CLK_TCK))
            .put("loopCpuRatio", ratio).put("jitCompiles", compiles));
        if (!st[0].serverAlive || !st[1].serverAlive) {
          return rig.fail(r.put("steps", steps), st[0].serverAlive ? variant : base, st[0].serverAlive ? b : a,
              "server died during the paired steps");
        }
        sleep(s.pauseMs);
      }
      r.put("steps", steps);
      // only now: that the variant's setting took effect. Asked before the steps, its /metrics
      // scrape would run code in the variant that the baseline never runs before being measured
      r.put("server", rig.inspect(variant, b));
      r.put("stepCompiles", stepCompiles(steps));
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
      if (a != null) {
        a.destroy();
      }
      if (b != null) {
        b.destroy();
      }
      genA.close();
      genB.close();
    }
  }

  /**
   * Unmeasured: first {@code pairedWarmSeconds} at {@code pairedWarmRate} on both, which gets the
   * delivery path through the JIT, then windows at the S1 rate until in one of them neither
   * process compiled more than {@code pairedQuietCompiles} methods (at most
   * {@code pairedQuietMaxSeconds}). A process still compiling at 20/s runs other code from one
   * minute to the next: measured then, two fresh processes of the same config differed by ±5 %.
   */
  private JsonObject warmUp(Steps stepsA, Server a, Steps stepsB, Server b) throws Exception {
    long t0 = System.nanoTime();
    both(stepsA, a, stepsB, b, s.pairedWarmSeconds, s.pairedWarmRate, false);
    double window = 3;
    long[] last = {-1, -1};
    int windows = 0;
    boolean quiet = false;
    long deadline = System.nanoTime() + (long) (s.pairedQuietMaxSeconds * 1e9);
    while (!quiet && System.nanoTime() < deadline) {
      long ca = PerfData.read(a.pid, PerfData.COMPILES);
      long cb = PerfData.read(b.pid, PerfData.COMPILES);
      both(stepsA, a, stepsB, b, window, s.s1Rate, windows % 2 == 1);
      windows++;
      last = new long[] {grown(ca, PerfData.read(a.pid, PerfData.COMPILES)),
          grown(cb, PerfData.read(b.pid, PerfData.COMPILES))};
      quiet = last[0] >= 0 && last[1] >= 0 && last[0] <= s.pairedQuietCompiles && last[1] <= s.pairedQuietCompiles;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    log("  warm-up %.0f s (%.0f s at %.0f/s, then %d windows of %.0f s at %.0f/s): the last compiled %d and %d methods%s",
        seconds, s.pairedWarmSeconds, s.pairedWarmRate, windows, window, s.s1Rate, last[0], last[1],
        quiet ? "" : " (not quiet within the bound: measured anyway)");
    return new JsonObject().put("seconds", Json.round(seconds, 1)).put("windows", windows)
        .put("lastWindowCompiles", new JsonArray().add(last[0]).add(last[1])).put("quiet", quiet);
  }

  /** Methods the two JITs compiled during the measured steps, "baseline + variant"; null when unknown. */
  static String stepCompiles(JsonArray steps) {
    long a = 0;
    long b = 0;
    for (int i = 0; i < steps.size(); i++) {
      JsonArray c = steps.getJsonObject(i).getJsonArray("jitCompiles");
      if (c == null || c.getLong(0) < 0 || c.getLong(1) < 0) {
        return null;
      }
      a += c.getLong(0);
      b += c.getLong(1);
    }
    return a + " + " + b;
  }

  /** {@code after - before}, or -1 when either could not be read. */
  private static long grown(long before, long after) {
    return before < 0 || after < 0 ? -1 : after - before;
  }

  /**
   * One S1 step on each server at the same time, each counted by its own generator: {baseline's,
   * variant's}. The servers share a core, so the variant starts half a publish interval later:
   * each delivers its tick to its clients while the other is idle, never both at once (one would
   * then wait for the other, and which one depends on who started first, not on its config).
   * {@code rate} publishes/s on each; {@code variantFirst}: the variant's ticks lead.
   */
  private StepStats[] both(Steps stepsA, Server a, Steps stepsB, Server b, double seconds, double rate,
      boolean variantFirst) throws Exception {
    CompletableFuture<StepStats> later = new CompletableFuture<>();
    long halfIntervalMs = Math.round(500 / rate);
    Steps lateSteps = variantFirst ? stepsA : stepsB;
    Server lateServer = variantFirst ? a : b;
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(halfIntervalMs);
        later.complete(lateSteps.measure(lateServer, rate, seconds));
      } catch (Throwable e) {
        later.completeExceptionally(e);
      }
    }, "paired-later");
    t.start();
    StepStats first = variantFirst ? stepsB.measure(b, rate, seconds) : stepsA.measure(a, rate, seconds);
    StepStats second = later.get(Math.round(seconds * 1000) + 120_000, TimeUnit.MILLISECONDS);
    return variantFirst ? new StepStats[] {second, first} : new StepStats[] {first, second};
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
    long loopNanos;
    long cpuTicks;
    long gaps;
    int steps;

    void add(StepStats st) {
      delivered += st.delivered;
      expected += st.expected();
      loopNanos += Math.max(0, st.serverLoopCpuNanos);
      cpuTicks += st.serverCpuTicks;
      gaps += st.gaps;
      steps++;
    }

    double loopUsPerDelivery() {
      return delivered == 0 ? Double.NaN : loopNanos / 1e3 / delivered;
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
