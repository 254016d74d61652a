package com.acme;

import io.oneloop.shape.ConfigShape;
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

  /**
   * The keys of this task's {@code config}: {@code --check-config} and every start check them
   * against it (e.g. {@code tasks[0].config.intervalMs must be an integer 100-3600000, got "fast"}),
   * and {@code GET /api/info} shows the two values.
   */
  public static ConfigShape configShape() {
    return ConfigShape.of(
      ConfigShape.integer("intervalMs", 100, 3_600_000).orElse(1000).shown(),
      ConfigShape.address("address").orElse("acme.status").shown());
  }

  @Override
  public Future<?> start() {
    // Checked before the start, so what remains is filling in the defaults.
    JsonObject config = configShape().withDefaults(config());
    long intervalMs = config.getLong("intervalMs");
    String address = config.getString("address");
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
