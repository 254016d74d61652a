package io.oneloop.http;

import io.oneloop.logging.LogThrottle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code http.maxConnections}: the TCP connections open on every instance of the HTTP server
 * together, bridge sockets included. One more is closed as soon as it is accepted, before it can
 * cost anything; refusals are logged at most once a second, saying how many came since.
 */
public final class OpenConnections {

  private static final Logger log = LoggerFactory.getLogger(OpenConnections.class);

  private final int max;
  private final Runnable onRefused;
  private final AtomicInteger open = new AtomicInteger();
  private final LogThrottle throttle = LogThrottle.perSecond();

  /** @param onRefused told of each refusal (the metrics) */
  public OpenConnections(int max, Runnable onRefused) {
    this.max = max;
    this.onRefused = onRefused;
  }

  /** Counts one more open connection if there is room; false (and the refusal counted) if not. */
  boolean tryOpen(String peer) {
    for (int n = open.get(); n < max; n = open.get()) {
      if (open.compareAndSet(n, n + 1)) {
        return true;
      }
    }
    onRefused.run();
    long unlogged = throttle.pass();
    if (unlogged != LogThrottle.QUIET) {
      log.warn("Refused a connection from {}: {} are open, the most http.maxConnections allows{}", peer, max,
        unlogged > 0 ? " (" + unlogged + " more refused since the last line)" : "");
    }
    return false;
  }

  /** A connection counted by {@link #tryOpen} has closed. */
  void closed() {
    open.decrementAndGet();
  }

  /** The connections open now. */
  public int open() {
    return open.get();
  }
}
