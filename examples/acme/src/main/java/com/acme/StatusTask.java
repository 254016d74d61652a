package com.acme;

import io.oneloop.tasks.Task;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.time.Instant;

/**
 * Every {@code intervalMs} reads this machine's load and this JVM's heap and publishes them on
 * {@code address} (default {@code acme.status}), where the page and the tests receive them.
 */
public class StatusTask extends Task {

  private long timer;
  private long seq;

  @Override
  public Future<?> start() {
    long intervalMs = configLong("intervalMs", 1000, 100, 3_600_000);
    String address = configString("address", "acme.status");
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    timer = vertx.setPeriodic(1, intervalMs, id -> {
      MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      publish(address, new JsonObject()
        .put("seq", ++seq)
        .put("loadAverage", os.getSystemLoadAverage())
        .put("cpus", os.getAvailableProcessors())
        .put("heapUsedBytes", heap.getUsed())
        .put("heapMaxBytes", heap.getMax())
        .put("time", Instant.now().toString()));
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }
}
