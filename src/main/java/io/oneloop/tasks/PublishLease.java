package io.oneloop.tasks;

import io.micrometer.core.instrument.Counter;
import io.oneloop.metrics.AppMetrics;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BooleanSupplier;

/**
 * A singleton task's right to publish, kept on its context: {@link Task#publish} of a singleton
 * goes out only while the lease says this node runs it for the cluster. A publish without it is
 * dropped and counted ({@code oneloop_singleton_publishes_dropped_total{task}}).
 */
public final class PublishLease {

  private static final Logger log = LoggerFactory.getLogger(Task.class);
  private static final String KEY = "oneloop.publishLease";

  private final String task;
  private final BooleanSupplier valid;
  /** Whether the last publish was dropped, to log the start of a run of drops once. */
  private volatile boolean dropping;

  private PublishLease(String task, BooleanSupplier valid) {
    this.task = task;
    this.valid = valid;
  }

  /** Puts the lease of singleton {@code task} on the context its instance runs on; {@code valid} is asked from any thread. */
  public static void attach(Context context, String task, BooleanSupplier valid) {
    context.put(KEY, new PublishLease(task, valid));
  }

  /** Whether a publish from {@code context} may go out; a dropped one is counted and, at the start of a run, logged. */
  static boolean allows(Vertx vertx, Context context) {
    if (context == null || !(context.get(KEY) instanceof PublishLease lease)) {
      return true;
    }
    if (lease.valid.getAsBoolean()) {
      lease.dropping = false;
      return true;
    }
    if (!lease.dropping) {
      lease.dropping = true;
      log.warn("Task \"{}\" is a singleton without a valid lease on this node now: its publishes are dropped", lease.task);
    }
    AppMetrics metrics = AppMetrics.of(vertx);
    if (metrics != null) {
      Counter.builder("oneloop.singleton.publishes.dropped").tag("task", lease.task)
        .description("Publishes of a singleton task dropped because this node held no valid lease for it")
        .register(metrics.registry()).increment();
    }
    return false;
  }
}
