package io.oneloop.http;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * {@code http.maxPublishPerSecond} for {@code POST /api/publish}: a token bucket per caller (a
 * token's name, or a client address with auth off), refilled at the rate and holding at most a
 * second's worth (the burst). Shared by every HTTP server instance, so thread-safe.
 * <p>
 * The callers it remembers are bounded ({@link #MAX_CALLERS}): past that, callers whose bucket has
 * filled up again (idle for a second) are forgotten, and should all still be busy, new callers
 * share one bucket, so many addresses cannot make it hold more.
 */
final class PublishRate {

  static final int MAX_CALLERS = 10_000;
  private static final String OVERFLOW = "";
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final int perSecond;
  private final LongSupplier nanoClock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  PublishRate(int perSecond) {
    this(perSecond, System::nanoTime);
  }

  PublishRate(int perSecond, LongSupplier nanoClock) {
    this.perSecond = perSecond;
    this.nanoClock = nanoClock;
  }

  int perSecond() {
    return perSecond;
  }

  /** Takes {@code count} publishes for {@code caller}: 0 when they may go, else the seconds to wait before asking again. */
  long take(String caller, int count) {
    long now = nanoClock.getAsLong();
    Bucket bucket = buckets.get(caller);
    if (bucket == null) {
      if (buckets.size() >= MAX_CALLERS) {
        forgetIdle(now);
      }
      bucket = buckets.size() >= MAX_CALLERS ? buckets.computeIfAbsent(OVERFLOW, k -> new Bucket(perSecond, now))
        : buckets.computeIfAbsent(caller, k -> new Bucket(perSecond, now));
    }
    return bucket.take(count, now);
  }

  /** How many callers it remembers now. */
  int callers() {
    return buckets.size();
  }

  private void forgetIdle(long now) {
    for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
      if (it.next().full(now)) {
        it.remove();
      }
    }
  }

  /** Publishes a caller may make now: {@code tokens} of at most {@code perSecond}, as of {@code at}. */
  private final class Bucket {
    private double tokens;
    private long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }

    synchronized long take(int count, long now) {
      refill(now);
      if (tokens >= count) {
        tokens -= count;
        return 0;
      }
      double missing = count - tokens;
      return Math.max(1, (long) Math.ceil(missing / perSecond));
    }

    synchronized boolean full(long now) {
      refill(now);
      return tokens >= perSecond;
    }

    private void refill(long now) {
      if (now > at) {
        tokens = Math.min(perSecond, tokens + (double) (now - at) * perSecond / NANOS_PER_SECOND);
        at = now;
      }
    }
  }
}
