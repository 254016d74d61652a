package io.oneloop.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.distribution.TimeWindowMax;
import io.oneloop.base.EventLoops;
import io.vertx.core.Vertx;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * How late the event loops run queued work: every {@link #PROBE_EVERY_MS} a no-op is queued on
 * each loop and its wait recorded. Read as the longest wait within the last {@link #WINDOW_SECONDS}
 * seconds, a window that moves by itself: the page's samples and a scrape read the same figure,
 * and neither resets it for the other. The probes are queued from a thread of their own, so a
 * blocked loop still gets one queued behind the work that blocks it.
 */
public final class EventLoopDelay {

  static final long PROBE_EVERY_MS = 100;
  public static final int WINDOW_SECONDS = 15;
  private static final int BUCKETS = 5;

  private final Vertx vertx;
  private final TimeWindowMax max = new TimeWindowMax(Clock.SYSTEM, TimeUnit.SECONDS.toMillis(WINDOW_SECONDS) / BUCKETS, BUCKETS);
  private ScheduledExecutorService scheduler;

  EventLoopDelay(Vertx vertx) {
    this.vertx = vertx;
  }

  void start() {
    scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "oneloop-event-loop-probe");
      thread.setDaemon(true);
      return thread;
    });
    scheduler.scheduleAtFixedRate(this::probe, 0, PROBE_EVERY_MS, TimeUnit.MILLISECONDS);
  }

  void stop() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  private void probe() {
    EventLoops.probe(vertx, waited -> max.record(waited, TimeUnit.NANOSECONDS));
  }

  /** The longest wait in the window, in seconds. */
  public double maxSeconds() {
    return max.poll(TimeUnit.SECONDS);
  }
}
