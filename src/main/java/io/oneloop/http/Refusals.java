package io.oneloop.http;

import io.oneloop.logging.LogThrottle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Counts what oneloop refuses, by reason ({@code origin}, {@code unauthorized}, {@code too_large},
 * {@code rate_limited}, {@code max_connections}, ...), and logs each reason at most once a second,
 * with how many were refused since, so a flood cannot flood the log. Shared by every HTTP instance.
 */
public final class Refusals {

  private static final Logger log = LoggerFactory.getLogger(Refusals.class);

  private final Map<String, Kind> kinds = new ConcurrentHashMap<>();
  private final Consumer<String> bridgeCounter;

  /** @param bridgeCounter told the reason of each refusal of a bridge connection (the metrics) */
  public Refusals(Consumer<String> bridgeCounter) {
    this.bridgeCounter = bridgeCounter;
  }

  private static final class Kind {
    final AtomicLong total = new AtomicLong();
    final LogThrottle log = LogThrottle.perSecond();
  }

  /** Counts one refusal; {@code detail} (never a secret) is logged if this reason was not logged in the last second. */
  public void refused(String reason, String detail) {
    Kind kind = kinds.computeIfAbsent(reason, r -> new Kind());
    kind.total.incrementAndGet();
    long unlogged = kind.log.pass();
    if (unlogged != LogThrottle.QUIET) {
      log.warn("Refused ({}): {}{}", reason, detail,
        unlogged > 0 ? " (" + (unlogged + 1) + " refused for this reason in the last second)" : "");
    }
  }

  /** A refused bridge connection: as {@link #refused}, and counted in the bridge's metrics too. */
  public void bridgeRefused(String reason, String detail) {
    bridgeCounter.accept(reason);
    refused(reason, detail);
  }

  /** How many were refused for this reason since the start. */
  public long total(String reason) {
    Kind kind = kinds.get(reason);
    return kind == null ? 0 : kind.total.get();
  }
}
