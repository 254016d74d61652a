package io.oneloop.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Notices that this process stood still (paused, frozen, a long stop-the-world) for longer than
 * the heartbeat timeout: its peers may have taken it for dead and handed its singletons on, while
 * it still believes it holds them. Until {@code confirmMs} after such a gap, in which Hazelcast has
 * judged the members afresh, {@link #suspended} says so. A thread of its own stamps the time every
 * {@value #STAMP_EVERY_MS} ms, and every question looks at the stamp's age too, so the first
 * publish after a pause is caught even before the stamping thread runs again.
 */
final class PauseWatch {

  private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);
  static final long STAMP_EVERY_MS = 100;

  private final long limitNanos;
  private final long confirmNanos;
  private final LongSupplier clock;
  /** The stamping thread; null when the stamps are left to the caller (tests). */
  private final ScheduledExecutorService stamper;
  private volatile long lastStamp;
  /** Whether a gap was seen; then {@link #suspendedUntil} holds when the suspension ends. */
  private volatile boolean gapSeen;
  private volatile long suspendedUntil;

  PauseWatch(long limitMs, long confirmMs) {
    this(limitMs, confirmMs, System::nanoTime, true);
  }

  /** On {@code clock} (nanoseconds); with {@code stamping} false nothing stamps but {@link #stamp}'s callers. */
  PauseWatch(long limitMs, long confirmMs, LongSupplier clock, boolean stamping) {
    this.limitNanos = TimeUnit.MILLISECONDS.toNanos(limitMs);
    this.confirmNanos = TimeUnit.MILLISECONDS.toNanos(confirmMs);
    this.clock = clock;
    this.lastStamp = clock.getAsLong();
    if (!stamping) {
      this.stamper = null;
      return;
    }
    this.stamper = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "oneloop-pause-watch");
      thread.setDaemon(true);
      return thread;
    });
    stamper.scheduleWithFixedDelay(this::stamp, STAMP_EVERY_MS, STAMP_EVERY_MS, TimeUnit.MILLISECONDS);
  }

  void stamp() {
    long now = clock.getAsLong();
    long gap = now - lastStamp;
    if (gap > limitNanos) {
      suspend(now);
      log.warn("This node stood still for {} ms, longer than the heartbeat timeout: its peers may have taken it for dead, so its"
        + " singletons publish nothing until its membership is confirmed", TimeUnit.NANOSECONDS.toMillis(gap));
    }
    // After the suspension is set: a reader that sees this stamp sees the suspension too.
    lastStamp = now;
  }

  private void suspend(long now) {
    suspendedUntil = now + confirmNanos;
    gapSeen = true;
  }

  /** Whether this node's singletons are to publish nothing now. Any thread. */
  boolean suspended() {
    long now = clock.getAsLong();
    if (now - lastStamp > limitNanos) {
      suspend(now);
    }
    return gapSeen && now - suspendedUntil < 0;
  }

  void close() {
    if (stamper != null) {
      stamper.shutdownNow();
    }
  }
}
