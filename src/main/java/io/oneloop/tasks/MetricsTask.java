package io.oneloop.tasks;

import io.oneloop.Addresses;
import io.oneloop.base.EventLoops;
import io.oneloop.metrics.AppMetrics;
import io.oneloop.shape.ConfigShape;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Built-in task {@code metrics}: every {@code intervalMs} publishes the process's vital signs on
 * {@code address} (default {@code oneloop.metrics}): heap, CPU, threads, bridge sockets (in all and
 * by transport), how late
 * the event loops run queued work, and uptime. With the app's metrics on, it reads the series a
 * Prometheus scrape reads, so the page's chart and the scrape agree; without, the JVM directly.
 * In a cluster each node's samples stay on that node: a page shows the node it is connected to.
 */
public class MetricsTask extends Task {

  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  /** The largest event-loop delay seen by the probes since the last sample, in microseconds. */
  private final AtomicLong maxLoopDelayMicros = new AtomicLong();
  private long timerId = -1;
  private AppMetrics metrics;

  /** Its config: none of it is secret, so {@code /api/info} shows all of it. */
  public static ConfigShape configShape() {
    return ConfigShape.of(
      ConfigShape.integer("intervalMs", 10, Integer.MAX_VALUE).orElse(1000).shown(),
      ConfigShape.address("address").orElse(Addresses.METRICS).shown());
  }

  @Override
  public Future<?> start() {
    long intervalMs = configLong("intervalMs", 1000, 10, Integer.MAX_VALUE);
    String address = configString("address", Addresses.METRICS);
    metrics = AppMetrics.of(vertx);
    timerId = vertx.setPeriodic(intervalMs, id -> sample(address));
    if (metrics == null) {
      probeEventLoops();
    }
    return Future.succeededFuture();
  }

  /** Queues a no-op on every event loop and records how long it waited for its turn. */
  private void probeEventLoops() {
    EventLoops.probe(vertx, waited -> maxLoopDelayMicros.accumulateAndGet(TimeUnit.NANOSECONDS.toMicros(waited), Math::max));
  }

  private void sample(String address) {
    vertx.eventBus().<JsonObject>request(Addresses.BRIDGE_SOCKETS, null)
      .map(reply -> reply.body().getJsonObject("sockets"))
      .otherwise(new JsonObject())
      .onSuccess(byTransport -> {
        int sockets = byTransport.isEmpty() ? -1
          : byTransport.stream().mapToInt(e -> ((Number) e.getValue()).intValue()).sum();
        JsonObject sample = metrics != null ? fromRegistry(metrics) : fromJvm();
        publishLocal(address, sample
          .put("bridgeSockets", sockets)
          .put("bridgeSocketsByTransport", byTransport)
          .put("uptimeMs", ManagementFactory.getRuntimeMXBean().getUptime())
          .put("time", Instant.now().toString()));
        if (metrics == null) {
          probeEventLoops();
        }
      });
  }

  /** The same gauges {@code /metrics} shows: the JVM binders' and the windowed event-loop delay. */
  private static JsonObject fromRegistry(AppMetrics metrics) {
    return new JsonObject()
      .put("heapUsedBytes", (long) orZero(metrics.gauge("jvm.memory.used", "area", "heap")))
      .put("heapMaxBytes", (long) orZero(metrics.gauge("jvm.memory.max", "area", "heap")))
      .put("processCpuLoad", Math.min(1, orZero(metrics.gauge("process.cpu.usage"))))
      .put("threads", (int) orZero(metrics.gauge("jvm.threads.live")))
      .put("eventLoopDelayMs", metrics.loopDelay().maxSeconds() * 1000);
  }

  private JsonObject fromJvm() {
    return new JsonObject()
      .put("heapUsedBytes", memory.getHeapMemoryUsage().getUsed())
      .put("heapMaxBytes", memory.getHeapMemoryUsage().getMax())
      .put("processCpuLoad", processCpuLoad())
      .put("threads", threads.getThreadCount())
      .put("eventLoopDelayMs", maxLoopDelayMicros.getAndSet(0) / 1000.0);
  }

  private static double orZero(double value) {
    return Double.isNaN(value) ? 0 : value;
  }

  private static double processCpuLoad() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      double load = os.getProcessCpuLoad();
      return load < 0 ? 0 : Math.min(1, load);
    }
    return 0;
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timerId);
    return Future.succeededFuture();
  }
}
