package io.oneloop.logging;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets one line through per interval for a kind of event that may come in floods, and counts the
 * events that got no line so the next line can say how many it follows. Thread-safe and lock-free:
 * the engines and HTTP servers of several event loops share one.
 */
public final class LogThrottle {

  /** What {@link #pass()} answers for an event that gets no line. */
  public static final long QUIET = -1;

  private final long intervalNanos;
  private final LongSupplier nanoClock;
  /** When the next line may go out, on {@code nanoClock}. */
  private final AtomicLong nextLine;
  private final AtomicLong unlogged = new AtomicLong();

  LogThrottle(long interval, TimeUnit unit, LongSupplier nanoClock) {
    this.intervalNanos = unit.toNanos(interval);
    this.nanoClock = nanoClock;
    this.nextLine = new AtomicLong(nanoClock.getAsLong());
  }

  /** One line a second, on {@link System#nanoTime()}. */
  public static LogThrottle perSecond() {
    return new LogThrottle(1, TimeUnit.SECONDS, System::nanoTime);
  }

  /**
   * Counts one event: {@link #QUIET} if it gets no line, else how many events got none since the
   * last line. Of events racing at the same moment exactly one gets the line; each other one is
   * counted once, by this line or the next.
   */
  public long pass() {
    long now = nanoClock.getAsLong();
    long due = nextLine.get();
    // Compared as a difference: nanoTime may wrap.
    if (now - due >= 0 && nextLine.compareAndSet(due, now + intervalNanos)) {
      return unlogged.getAndSet(0);
    }
    unlogged.incrementAndGet();
    return QUIET;
  }

  /** One line a second per key, each key on its own throttle. */
  public static Keyed perSecondByKey() {
    return new Keyed(() -> new LogThrottle(1, TimeUnit.SECONDS, System::nanoTime));
  }

  /**
   * A throttle per kind of event, for events whose kind comes from a closed set (a reason, an
   * exception's class). Past {@link #MAX_KEYS} kinds the rest share one throttle, so no input can
   * make it hold more.
   */
  public static final class Keyed {

    static final int MAX_KEYS = 256;
    private static final String OTHER = "(other)";

    private final java.util.function.Supplier<LogThrottle> factory;
    private final Map<String, LogThrottle> byKey = new ConcurrentHashMap<>();

    Keyed(java.util.function.Supplier<LogThrottle> factory) {
      this.factory = factory;
    }

    /** As {@link LogThrottle#pass()}, for an event of kind {@code key}. */
    public long pass(String key) {
      LogThrottle throttle = byKey.get(key);
      if (throttle == null) {
        String slot = byKey.size() < MAX_KEYS ? key : OTHER;
        throttle = byKey.computeIfAbsent(slot, k -> factory.get());
      }
      return throttle.pass();
    }
  }
}
