package io.oneloop.bridge;

import io.vertx.core.Vertx;

import java.util.function.BooleanSupplier;

import static io.oneloop.bridge.FanoutBridge.log;

/**
 * A socket's ping deadline: a client that sends no ping for the ping timeout is closed. A check
 * that runs more than a second late finds the process or its event loop was held up (a long GC, a
 * stopped VM), while the client's pings may be waiting unread in the kernel: it waits one more
 * timeout instead of closing, so a pause does not close every client at once.
 */
final class PingCheck {

  /** A ping check this late means the process or its loop was held up: pings may be waiting unread. */
  private static final long LATE_CHECK_NANOS = 1_000_000_000L;

  private final Vertx vertx;
  private final long timeoutMs;
  private final BooleanSupplier released;
  private final Runnable onSilent;
  private long timer;
  private long lastPing = System.currentTimeMillis();

  PingCheck(Vertx vertx, long timeoutMs, BooleanSupplier released, Runnable onSilent) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.released = released;
    this.onSilent = onSilent;
  }

  void pinged() {
    lastPing = System.currentTimeMillis();
  }

  /** Checks for a ping one timeout from now. */
  void arm() {
    long due = System.nanoTime() + timeoutMs * 1_000_000;
    timer = vertx.setTimer(timeoutMs, id -> {
      if (released.getAsBoolean()) {
        return;
      }
      boolean late = System.nanoTime() - due > LATE_CHECK_NANOS;
      if (!late && System.currentTimeMillis() - lastPing >= timeoutMs) {
        log.debug("Closing a bridge socket that sent no ping for {} ms", timeoutMs);
        onSilent.run();
      } else {
        arm();
      }
    });
  }

  void cancel() {
    vertx.cancelTimer(timer);
  }
}
