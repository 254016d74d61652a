package io.oneloop.logging;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The net for bugs: an exception while handling one request or frame is logged with an id the
 * client is also given, so the two can be matched; the process goes on. A client can cause the
 * same failure again and again: each kind of failure (its exception's class) is logged with its
 * stack at most once a second, and the next line says how many it follows.
 */
public final class Unexpected {

  private static final Logger log = LoggerFactory.getLogger(Unexpected.class);
  private static final LogThrottle.Keyed THROTTLE = LogThrottle.perSecondByKey();

  private Unexpected() {
  }

  /** Logs the failure with a new id and returns the id. */
  public static String log(String doing, Throwable cause) {
    String id = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
    long unlogged = THROTTLE.pass(cause == null ? "none" : cause.getClass().getName());
    if (unlogged != LogThrottle.QUIET) {
      log.error("Unexpected error {} while {}{}", id, doing,
        unlogged > 0 ? " (" + unlogged + " more of this kind since the last such line, not logged)" : "", cause);
    } else {
      log.debug("Unexpected error {} while {}: {}", id, doing, String.valueOf(cause));
    }
    return id;
  }
}
