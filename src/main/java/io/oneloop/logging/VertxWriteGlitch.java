package io.oneloop.logging;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one exception Vert.x 5.0.10 raises on a context that the code running there did not cause:
 * when a cluster peer's connection closes, the clustered event bus completes one shared write
 * promise once per node, and the second completion throws "Promise already completed" from the
 * connection's write queue, on the context of whoever opened that connection (a task, or the HTTP
 * server whose handler published). Recognised narrowly: that exception and message, with no frame
 * outside Vert.x core, Netty and the JDK. It is logged as a warning at most once a second, never
 * as an error nor as the failure of whoever's context it reached.
 */
public final class VertxWriteGlitch {

  private static final Logger log = LoggerFactory.getLogger(VertxWriteGlitch.class);
  private static final LogThrottle LINE = LogThrottle.perSecond();

  private VertxWriteGlitch() {
  }

  /** Whether {@code cause} is that exception. */
  public static boolean is(Throwable cause) {
    if (!(cause instanceof IllegalStateException) || !"Promise already completed".equals(cause.getMessage())) {
      return false;
    }
    StackTraceElement[] frames = cause.getStackTrace();
    if (frames.length == 0) {
      return false;
    }
    for (StackTraceElement frame : frames) {
      String c = frame.getClassName();
      if (!c.startsWith("io.vertx.core.") && !c.startsWith("io.netty.") && !c.startsWith("java.")) {
        return false;
      }
    }
    return true;
  }

  /**
   * When {@code cause} is that exception, logs the warning (throttled) saying that {@code who}
   * goes on, and returns true; false, logging nothing, for any other exception.
   */
  public static boolean absorbed(Throwable cause, String who) {
    return absorbed(cause, who, LINE);
  }

  static boolean absorbed(Throwable cause, String who, LogThrottle line) {
    if (!is(cause)) {
      return false;
    }
    long unlogged = line.pass();
    if (unlogged != LogThrottle.QUIET) {
      log.warn("A write to a cluster peer that is leaving was reported twice by Vert.x; {} goes on{}", who,
        unlogged > 0 ? " (" + unlogged + " more not logged)" : "");
    }
    return true;
  }
}
