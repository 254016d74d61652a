package io.oneloop.supervision;

/**
 * The one exception Vert.x 5.0.10 raises on a context that the code running there did not cause:
 * when a cluster peer's connection closes, the clustered event bus completes one shared write
 * promise once per node, and the second completion throws "Promise already completed" from the
 * connection's write queue, on the context of whoever opened that connection. Recognised narrowly:
 * that exception and message, with no frame outside Vert.x core, Netty and the JDK.
 */
final class VertxWriteGlitch {

  private VertxWriteGlitch() {
  }

  static boolean is(Throwable cause) {
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
}
