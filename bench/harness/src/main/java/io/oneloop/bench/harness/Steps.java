package io.oneloop.bench.harness;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import static io.oneloop.bench.harness.Bench.log;
import static io.oneloop.bench.harness.Rig.CLK_TCK;

/**
 * Publish steps, the measurement S1 and S2 are made of: the server is told to publish at a rate
 * for a time, and the generator counts what arrives and when. The machine is shared, so a step
 * waits for it to be quiet and is repeated (bounded) when other processes interfered.
 */
final class Steps {

  private final Settings s;
  private final LoadGen gen;
  /** The first seq of the next step: every step numbers its messages from a fresh range. */
  private long nextFirst = 1_000_000_000L;
  private long quietWaitMs;
  private int interferenceRetriesUsed;

  Steps(Settings s, LoadGen gen) {
    this.s = s;
    this.gen = gen;
  }

  /** A fresh range of sequence numbers for a run measured outside {@link #measure}. */
  long reserveFirst() {
    long first = nextFirst;
    nextFirst += 1_000_000_000L;
    return first;
  }

  /** One publish step, repeated (bounded) when other processes interfered with it. */
  StepStats run(Server srv, double rate, double seconds) throws Exception {
    StepStats st = null;
    for (int attempt = 0; attempt <= s.interferenceRetries; attempt++) {
      if (s.quietMaxWaitMs > 0) {
        awaitQuietMachine(srv);
      }
      st = measure(srv, rate, seconds);
      st.attempts = attempt + 1;
      if (!st.serverAlive || st.otherCpuShare(CLK_TCK) <= s.interferenceShare
          || attempt == s.interferenceRetries) {
        break;
      }
      interferenceRetriesUsed++;
      log("  other processes used %.0f%% of a core during the step: repeating it",
          100 * st.otherCpuShare(CLK_TCK));
    }
    return st;
  }

  /** One publish step, measured once: arm the generator, tell the server, wait, collect. */
  StepStats measure(Server srv, double rate, double seconds) throws Exception {
    long count = Math.max(1, Math.round(rate * seconds));
    long first = reserveFirst();
    gen.beginStep(first, count);
    int sockets = gen.openCount();
    long expected = count * sockets;
    StepStats.Marks start = StepStats.Marks.now(srv);
    String controlError = null;
    try {
      MiniHttp.Response resp = MiniHttp.get(srv.controlPort,
          "/control?rate=" + rate + "&count=" + count + "&first=" + first, 10_000);
      if (resp.status() != 200) {
        controlError = "control request answered " + resp.status();
      }
    } catch (IOException e) {
      // a server too busy to answer its control request within 10 s fails the step, not the run
      controlError = "control request failed: " + e;
    }
    if (controlError != null) {
      log("  %s: the step fails", controlError);
      StepStats st = gen.endStep();
      st.rate = rate;
      st.seconds = count / rate;
      st.serverAlive = srv.alive();
      st.controlError = controlError;
      MiniHttp.status(srv.controlPort, "/control?rate=0&count=0", 5_000);
      gen.awaitQuiet(s.drainQuietMs, 20_000);
      return st;
    }
    long durationNs = (long) (count / rate * 1e9);
    long publishEnd = start.wallNanos() + durationNs;
    long deadline = publishEnd + TimeUnit.MILLISECONDS.toNanos(s.graceMs);
    long peak = 0;
    long rss = 0;
    boolean alive = true;
    StepStats.Marks published = null;
    while (System.nanoTime() < deadline) {
      long now = System.nanoTime();
      long wake = published == null ? Math.min(publishEnd, deadline) : deadline;
      long left = TimeUnit.NANOSECONDS.toMillis(wake - now);
      Thread.sleep(Math.max(1, Math.min(100, left)));
      if (published == null && System.nanoTime() >= publishEnd) {
        published = StepStats.Marks.now(srv);
      }
      long r = srv.rssKiB();
      if (r > 0) {
        rss = r;
        peak = Math.max(peak, r);
      }
      if (!srv.alive()) {
        alive = false;
        break;
      }
      if (published != null && gen.deliveredSoFar() >= expected) {
        break;
      }
    }
    StepStats.Marks end = StepStats.Marks.now(srv);
    StepStats st = gen.endStep();
    st.timed(rate, count, start, published == null ? end : published, end);
    st.serverRssKiB = rss;
    st.serverPeakRssKiB = peak;
    st.serverAlive = alive && srv.alive();
    if (st.serverAlive) {
      // stop the run in case it is still going (a slow server), then let any backlog drain so
      // the next step starts clean; what arrives late is counted, not lost
      MiniHttp.status(srv.controlPort, "/control?rate=0&count=0", 5_000);
      st.drainMs = gen.awaitQuiet(s.drainQuietMs, 20_000);
      st.arrivedAfterStep = gen.lateForLastStep();
    }
    return st;
  }

  /**
   * The machine is shared: waits (bounded) until processes other than the current server and
   * this harness use less than {@code quietShare} of a core over a 500 ms window. Returns the
   * share seen last.
   */
  double awaitQuietMachine(Server srv) throws InterruptedException {
    long budget = Math.min(s.quietMaxWaitMs, Math.max(0, s.quietBudgetMs - quietWaitMs));
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budget);
    double other;
    long waited = System.nanoTime();
    boolean said = false;
    do {
      long m0 = Proc.machineBusyTicks();
      long g0 = Proc.selfCpuTicks();
      long c0 = srv == null ? 0 : srv.cpuTicks();
      long w0 = System.nanoTime();
      Thread.sleep(500);
      long m1 = Proc.machineBusyTicks();
      long g1 = Proc.selfCpuTicks();
      long c1 = srv == null ? 0 : srv.cpuTicks();
      double secs = (System.nanoTime() - w0) / 1e9;
      other = Math.max(0, (m1 - m0) - (g1 - g0) - (c1 - c0)) / (double) CLK_TCK / secs;
      if (other < s.quietShare || m0 < 0) {
        break;
      }
      if (!said) {
        log("  waiting for the machine to be quiet (other processes use %.0f%% of a core)",
            100 * other);
        said = true;
      }
    } while (System.nanoTime() < deadline);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - waited);
    quietWaitMs += ms;
    if (other >= s.quietShare) {
      log("  machine still busy after %d ms (other processes %.0f%% of a core): measuring anyway",
          ms, 100 * other);
    }
    return other;
  }

  /** How long the run waited for a quiet machine, and how many steps it repeated. */
  JsonObject interference() {
    return new JsonObject()
        .put("quietWaitSeconds", Json.round(quietWaitMs / 1000.0, 1))
        .put("stepsRepeated", interferenceRetriesUsed);
  }
}
