package io.oneloop.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The net for bugs: an exception while handling one request or frame is logged once, with an id the
 * client is also given, so the two can be matched; the process goes on.
 */
public final class Unexpected {

  private static final Logger log = LoggerFactory.getLogger(Unexpected.class);

  private Unexpected() {
  }

  /** Logs the failure with a new id and returns the id. */
  public static String log(String doing, Throwable cause) {
    String id = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
    log.error("Unexpected error {} while {}", id, doing, cause);
    return id;
  }
}
