package com.acme;

import io.oneloop.bridge.AuthRequest;
import io.oneloop.bridge.Authorizer;
import io.vertx.core.Future;

/**
 * {@code bridge.authorizer}: the {@code acme.admin.*} feeds are for signed-in sockets only. With
 * auth off every socket is anonymous, so they stay closed even when {@code bridge.outbound} lists
 * them; with auth on, any token the bridge accepts may register for them. Everything else the
 * static lists allow passes.
 * <p>
 * It answers at once from what the request holds: it runs on the socket's event loop, and keeps no
 * state, so one instance serves every event loop.
 */
public class AcmeAuthorizer implements Authorizer {

  static final String ADMIN_PREFIX = "acme.admin.";

  @Override
  public Future<Boolean> authorize(AuthRequest request) {
    boolean adminFeed = request.action() == AuthRequest.Action.REGISTER && request.address().startsWith(ADMIN_PREFIX);
    return Future.succeededFuture(!adminFeed || request.user() != null);
  }
}
