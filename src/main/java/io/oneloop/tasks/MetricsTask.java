package io.oneloop.tasks;

import io.oneloop.Addresses;
import io.vertx.core.Future;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Built-in task {@code metrics}: every {@code intervalMs} publishes the process's vital signs on
 * {@code address} (default {@code oneloop.metrics}): heap, CPU, threads, bridge sockets, how late
 * the event loops run queued work, and uptime.
 */
public class MetricsTask extends Task {

  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  /** The largest event-loop delay seen by the probes since the last sample, in microseconds. */
  private final AtomicLong maxLoopDelayMicros = new AtomicLong();
  private long timerId = -1;

  @Override
  public Future<?> start() {
    long intervalMs = configLong("intervalMs", 1000, 10, Integer.MAX_VALUE);
    String address = configString("address", Addresses.METRICS);
    timerId = vertx.setPeriodic(intervalMs, id -> sample(address));
    probeEventLoops();
    return Future.succeededFuture();
  }

  /** Queues a no-op on every event loop and records how long it waited for its turn. */
  private void probeEventLoops() {
    ((VertxInternal) vertx).nettyEventLoopGroup().forEach(loop -> {
      long queuedAt = System.nanoTime();
      loop.execute(() -> {
        long waited = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - queuedAt);
        maxLoopDelayMicros.accumulateAndGet(waited, Math::max);
      });
    });
  }

  private void sample(String address) {
    vertx.eventBus().<Integer>request(Addresses.BRIDGE_SOCKETS, null)
      .map(reply -> reply.body())
      .otherwise(-1)
      .onSuccess(sockets -> {
        publish(address, new JsonObject()
          .put("heapUsedBytes", memory.getHeapMemoryUsage().getUsed())
          .put("heapMaxBytes", memory.getHeapMemoryUsage().getMax())
          .put("processCpuLoad", processCpuLoad())
          .put("threads", threads.getThreadCount())
          .put("bridgeSockets", sockets)
          .put("eventLoopDelayMs", maxLoopDelayMicros.getAndSet(0) / 1000.0)
          .put("uptimeMs", ManagementFactory.getRuntimeMXBean().getUptime())
          .put("time", Instant.now().toString()));
        probeEventLoops();
      });
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
