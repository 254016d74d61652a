package io.oneloop.bridge;

import static io.oneloop.bridge.FanoutBridge.log;

/**
 * Closes a session that sends no ping for the hub's ping timeout. A check that runs more than a
 * second late finds the process or its event loop was held up (a long GC, a stopped VM), while
 * the client's pings may be waiting unread in the kernel: it waits one more timeout instead of
 * closing, so a pause does not close every client at once.
 */
final class PingCheck {

  /** A ping check this late means the process or its loop was held up: pings may be waiting unread. */
  private static final long LATE_CHECK_NANOS = 1_000_000_000L;

  private final Hub hub;
  private final Session session;
  private long lastPing = System.currentTimeMillis();
  private long timer;
  private boolean cancelled;

  PingCheck(Hub hub, Session session) {
    this.hub = hub;
    this.session = session;
    arm();
  }

  void pinged() {
    lastPing = System.currentTimeMillis();
  }

  void cancel() {
    cancelled = true;
    hub.vertx.cancelTimer(timer);
  }

  private void arm() {
    long pingTimeoutMs = hub.pingTimeoutMs;
    long due = System.nanoTime() + pingTimeoutMs * 1_000_000;
    timer = hub.vertx.setTimer(pingTimeoutMs, id -> {
      if (cancelled) {
        return;
      }
      boolean late = System.nanoTime() - due > LATE_CHECK_NANOS;
      if (!late && System.currentTimeMillis() - lastPing >= pingTimeoutMs) {
        log.debug("Closing a bridge socket that sent no ping for {} ms", pingTimeoutMs);
        session.close(session.wire::close);
      } else {
        arm();
      }
    });
  }
}
