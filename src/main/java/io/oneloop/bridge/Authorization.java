package io.oneloop.bridge;

import io.netty.channel.EventLoop;
import io.oneloop.logging.LogThrottle;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

import static io.oneloop.bridge.FanoutBridge.log;

/**
 * The {@link Authorizer} for one socket: each register, send and publish that passed the static
 * lists is asked about, and goes on only once allowed, in the order the client sent them (a
 * later frame never overtakes an earlier one still being asked about). A denial reaches the client
 * as {@code access_denied}. At most {@link #MAX_PENDING} frames of one socket wait for an answer;
 * one more is answered {@code rate_limited} without asking, so a client cannot make the server hold
 * more for it than that, whatever the authorizer does.
 */
final class Authorization {

  /**
   * Frames of one socket waiting for the authorizer at once: above the default burst of
   * bridge.maxInboundPerSecond (50), so a page registering for its addresses at connect is never
   * refused for it, even when answers come a turn later.
   */
  static final int MAX_PENDING = 64;
  /** An authorizer that fails is logged at most once a second, whichever engine asked it. */
  private static final LogThrottle FAILURE_LOG = LogThrottle.perSecond();
  private static final Future<Void> DONE = Future.succeededFuture();

  private final Hub hub;
  private final Session session;
  private final String user;
  private int pending;
  /** Completes when every frame asked about so far has been handled: the next one waits for it. */
  private Future<Void> tail;

  Authorization(Hub hub, Session session, String user) {
    this.hub = hub;
    this.session = session;
    this.user = user;
    this.tail = DONE;
  }

  /**
   * Runs {@code allowed} once the authorizer allows {@code action} on {@code address} (at once,
   * without an authorizer); otherwise the client gets {@code access_denied}.
   */
  void then(AuthRequest.Action action, String address, MultiMap headers, Runnable allowed) {
    if (hub.authorizer == null) {
      allowed.run();
      return;
    }
    if (pending >= MAX_PENDING) {
      session.error("rate_limited");
      return;
    }
    Future<Boolean> verdict = ask(hub.vertx, hub.context, hub.authorizer, hub.authorizerTimeoutMs, hub.listener,
      new AuthRequest(action, user, address, session.wire.transport(), headers));
    if (pending == 0 && verdict.isComplete()) {
      // nothing asked earlier still waits, and the answer came at once: no chain to keep
      handle(Boolean.TRUE.equals(verdict.result()), allowed);
      return;
    }
    pending++;
    tail = tail.transform(previous -> verdict).transform(ar -> {
      pending--;
      handle(ar.succeeded() && Boolean.TRUE.equals(ar.result()), allowed);
      if (pending == 0) {
        // every frame asked about is handled: the socket keeps no chain of them for its life
        tail = DONE;
      }
      return DONE;
    });
  }

  private void handle(boolean allow, Runnable allowed) {
    if (session.closing()) {
      return;
    }
    try {
      if (allow) {
        allowed.run();
      } else {
        session.error("access_denied");
      }
    } catch (RuntimeException e) {
      session.onFailure(e);
    }
  }

  /**
   * Asks {@code authorizer} about {@code request} on {@code context}: the future is true only for
   * an answer of true within {@code timeoutMs}; it never fails, and completes on {@code context}.
   * Each denial is counted by its reason, and every answer's time.
   */
  static Future<Boolean> ask(Vertx vertx, Context context, Authorizer authorizer, long timeoutMs, BridgeListener listener,
                             AuthRequest request) {
    Promise<Boolean> verdict = Promise.promise();
    long started = System.nanoTime();
    long timer = vertx.setTimer(timeoutMs, id -> {
      if (verdict.tryComplete(false)) {
        listener.authorizerAnswered(System.nanoTime() - started);
        listener.authorizerDenied("timeout");
      }
    });
    Future<Boolean> answer;
    try {
      answer = authorizer.authorize(request);
      if (answer == null) {
        answer = Future.failedFuture(new NullPointerException("authorize returned null instead of a future"));
      }
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      answer = Future.failedFuture(e);
    }
    EventLoop loop = ((ContextInternal) context).nettyEventLoop();
    answer.onComplete(ar -> {
      // An authorizer may complete its future on any thread: the verdict is taken on the socket's
      // loop. Already on it (the socket's handlers run on duplicates of its context), an answer
      // given at once is taken at once: the socket opens or registers in the same turn as without
      // an authorizer, not one turn later.
      if (loop.inEventLoop()) {
        decide(vertx, timer, started, verdict, listener, ar);
      } else {
        context.runOnContext(v -> decide(vertx, timer, started, verdict, listener, ar));
      }
    });
    return verdict.future();
  }

  private static void decide(Vertx vertx, long timer, long started, Promise<Boolean> verdict, BridgeListener listener,
                             AsyncResult<Boolean> ar) {
    boolean allowed = ar.succeeded() && Boolean.TRUE.equals(ar.result());
    if (!verdict.tryComplete(allowed)) {
      return;
    }
    vertx.cancelTimer(timer);
    listener.authorizerAnswered(System.nanoTime() - started);
    if (ar.failed()) {
      listener.authorizerDenied("failed");
      long unlogged = FAILURE_LOG.pass();
      if (unlogged != LogThrottle.QUIET) {
        log.warn("The bridge authorizer failed, so it denied: {}{}", ar.cause().toString(),
          unlogged > 0 ? "; " + unlogged + " more failures since the last such line" : "");
      }
    } else if (!allowed) {
      listener.authorizerDenied("denied");
    }
  }
}
