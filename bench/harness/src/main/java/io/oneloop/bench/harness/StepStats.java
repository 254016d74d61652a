package io.oneloop.bench.harness;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

/** What the load generator saw during one publish run, plus the server-side figures. */
final class StepStats {

  /** The clocks a step reads: the server's CPU, this harness's CPU, the machine's busy ticks, the wall clock. */
  record Marks(long server, long generator, long machine, long wallNanos, long serverLoops) {
    static Marks now(Server srv) {
      return new Marks(srv.cpuTicks(), Proc.selfCpuTicks(), Proc.machineBusyTicks(), System.nanoTime(),
          srv.loopCpuNanos());
    }
  }

  /** The step's rate and times, from the clocks read at its start, when its publishing ended, and at its end. */
  void timed(double rate, long count, Marks start, Marks published, Marks end) {
    this.rate = rate;
    seconds = count / rate;
    wallSeconds = (end.wallNanos() - start.wallNanos()) / 1e9;
    publishSeconds = (published.wallNanos() - start.wallNanos()) / 1e9;
    serverCpuTicks = end.server() >= 0 && start.server() >= 0 ? end.server() - start.server() : 0;
    serverCpuTicksPublishing = published.server() >= 0 && start.server() >= 0 ? published.server() - start.server() : 0;
    generatorCpuTicks = end.generator() - start.generator();
    generatorCpuTicksPublishing = published.generator() - start.generator();
    machineBusyTicksPublishing = start.machine() >= 0 && published.machine() >= 0 ? published.machine() - start.machine() : -1;
    serverLoopCpuNanos = end.serverLoops() >= 0 && start.serverLoops() >= 0 ? end.serverLoops() - start.serverLoops() : -1;
  }
  long first;
  long count;
  Histogram histogram;
  long delivered;
  long duplicates;
  long outOfOrder;
  long stale;
  long negativeLatency;
  long missing;
  int socketsWithMissing;
  /** Messages missing before a later one that arrived on the same socket (silently dropped). */
  long gaps;
  int socketsWithGaps;
  long deliveryFrames;
  /** Wire bytes of the frames that carried deliveries (payload and frame header). */
  long deliveryBytes;
  int sockets;
  int closedDuringStep;
  long firstRecvUs;
  long lastRecvUs;

  // filled in by the orchestrator
  double rate;
  double seconds;
  double wallSeconds;
  long serverCpuTicks;
  long generatorCpuTicks;
  double publishSeconds;
  long serverCpuTicksPublishing;
  long generatorCpuTicksPublishing;
  long arrivedAfterStep;
  long machineBusyTicksPublishing;
  /** The server's event-loop threads' CPU over the step in nanoseconds; -1 when it has none (not a JVM peer). */
  long serverLoopCpuNanos = -1;
  int attempts = 1;
  long drainMs;
  long serverRssKiB;
  long serverPeakRssKiB;
  boolean serverAlive = true;
  /** Why the server was not told to publish (it did not answer its control request), or null. */
  String controlError;

  long expected() {
    return count * sockets;
  }

  double deliveriesPct() {
    long e = expected();
    return e == 0 ? 0 : 100.0 * delivered / e;
  }

  double ms(double percentile) {
    return histogram.getTotalCount() == 0 ? Double.NaN
        : histogram.getValueAtPercentile(percentile) / 1000.0;
  }

  double maxMs() {
    return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getMaxValue() / 1000.0;
  }

  double deliveriesPerSec() {
    return seconds <= 0 ? 0 : delivered / seconds;
  }

  double serverCpuUsPerDelivery(long clkTck) {
    return delivered == 0 ? Double.NaN : serverCpuTicks * (1e6 / clkTck) / delivered;
  }

  /** The event-loop threads' CPU per delivery: the delivery path without JIT and GC threads; NaN when not known. */
  double serverLoopCpuUsPerDelivery() {
    return delivered == 0 || serverLoopCpuNanos < 0 ? Double.NaN : serverLoopCpuNanos / 1e3 / delivered;
  }

  /** Share of one core used by the server while the run was publishing. */
  double serverCpuShare(long clkTck) {
    return publishSeconds <= 0 ? 0 : serverCpuTicksPublishing / (double) clkTck / publishSeconds;
  }

  /** Share of one core used by the load generator while the run was publishing. */
  double generatorCpuShare(long clkTck) {
    return publishSeconds <= 0 ? 0
        : generatorCpuTicksPublishing / (double) clkTck / publishSeconds;
  }

  /**
   * Share of a core used on the machine by anything but the server and this generator while the
   * run was publishing (kernel softirq work included): a measure of interference.
   */
  double otherCpuShare(long clkTck) {
    if (publishSeconds <= 0 || machineBusyTicksPublishing < 0) {
      return 0;
    }
    long other = machineBusyTicksPublishing - serverCpuTicksPublishing - generatorCpuTicksPublishing;
    return Math.max(0, other) / (double) clkTck / publishSeconds;
  }

  /**
   * Whether the generator used {@link Scale#GENERATOR_LIMIT} of its core or more while the run was
   * publishing: such a step measured the generator as much as the server.
   */
  boolean generatorLimited(long clkTck) {
    return generatorCpuShare(clkTck) >= Scale.GENERATOR_LIMIT;
  }

  double generatorCpuUsPerDelivery(long clkTck) {
    return delivered == 0 ? Double.NaN : generatorCpuTicks * (1e6 / clkTck) / delivered;
  }

  JsonObject toJson(long clkTck) {
    return new JsonObject()
        .put("rate", rate)
        .put("seconds", seconds)
        .put("messages", count)
        .put("sockets", sockets)
        .put("expected", expected())
        .put("delivered", delivered)
        .put("deliveriesPct", Json.round(deliveriesPct(), 3))
        .put("deliveriesPerSec", Json.round(deliveriesPerSec(), 1))
        .put("p50Ms", Json.round(ms(50), 3))
        .put("p99Ms", Json.round(ms(99), 3))
        .put("p999Ms", Json.round(ms(99.9), 3))
        .put("maxMs", Json.round(maxMs(), 3))
        .put("missing", missing)
        .put("socketsWithMissing", socketsWithMissing)
        .put("gaps", gaps)
        .put("socketsWithGaps", socketsWithGaps)
        .put("deliveryFrames", deliveryFrames)
        .put("deliveriesPerFrame", deliveryFrames == 0 ? null
            : Json.round(delivered / (double) deliveryFrames, 3))
        .put("duplicates", duplicates)
        .put("outOfOrder", outOfOrder)
        .put("staleFromEarlierRuns", stale)
        .put("negativeLatency", negativeLatency)
        .put("socketsClosed", closedDuringStep)
        .put("wallSeconds", Json.round(wallSeconds, 3))
        .put("serverCpuMs", serverCpuTicks * 1000L / clkTck)
        .put("serverCpuShare", Json.round(serverCpuShare(clkTck), 3))
        .put("serverCpuUsPerDelivery", Json.round(serverCpuUsPerDelivery(clkTck), 3))
        .put("serverLoopCpuUsPerDelivery", serverLoopCpuNanos < 0 ? null : Json.round(serverLoopCpuUsPerDelivery(), 3))
        .put("generatorCpuShare", Json.round(generatorCpuShare(clkTck), 3))
        .put("generatorCpuUsPerDelivery", Json.round(generatorCpuUsPerDelivery(clkTck), 3))
        .put("otherCpuShare", Json.round(otherCpuShare(clkTck), 3))
        .put("attempts", attempts)
        .put("arrivedAfterStep", arrivedAfterStep)
        .put("drainMs", drainMs)
        .put("serverRssMiB", Json.round(serverRssKiB / 1024.0, 1))
        .put("serverPeakRssMiB", Json.round(serverPeakRssKiB / 1024.0, 1))
        .put("serverAlive", serverAlive)
        .put("controlError", controlError);
  }
}
