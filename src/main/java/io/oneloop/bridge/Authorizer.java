package io.oneloop.bridge;

import io.vertx.core.Future;

/**
 * Authorization in code, named by {@code bridge.authorizer}: asked about each bridge socket's
 * connect and each register, send and publish, after the static {@code inbound}/{@code outbound}
 * lists have let it through (it can only narrow them). Deliveries to registered sockets are never
 * asked about.
 * <p>
 * It is called on the event loop of the socket it is asked about, and must not block it: answer at
 * once, or do blocking work with {@code Vertx.currentContext().executeBlocking(...)} and return that
 * future. An answer of {@code false}, a failed future, an exception, or no answer within
 * {@code bridge.authorizerTimeoutMs} denies. One instance serves every event loop, so any state it
 * keeps must be thread-safe. The class needs a public no-argument constructor.
 */
public interface Authorizer {

  /** Whether the socket may do what {@code request} says. */
  Future<Boolean> authorize(AuthRequest request);
}
