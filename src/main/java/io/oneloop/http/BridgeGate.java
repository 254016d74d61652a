package io.oneloop.http;

import io.oneloop.auth.Authenticator;
import io.oneloop.auth.Principal;
import io.oneloop.bridge.Admission;
import io.oneloop.bridge.AllowedOrigins;
import io.oneloop.bridge.BridgePermissions;
import io.oneloop.config.AuthConfig;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Who may open the bridge, checked at the handshake on every transport: a permitted {@code Origin}
 * (403; none sent: not checked) and, with {@code auth} on, a valid token in the bridge URL's
 * {@code token} query parameter (401 at a WebSocket handshake; a SockJS session is closed with
 * {@code c[4401,"unauthorized"]}). What it admits is handed to the engine as an {@link Admission}.
 */
public final class BridgeGate {

  /** The SockJS close code for a session whose token was missing or refused. */
  public static final int UNAUTHORIZED_CLOSE = 4401;

  private final AllowedOrigins origins;
  private final BridgePermissions permissions;
  private final Authenticator auth;
  private final Refusals refusals;

  BridgeGate(AllowedOrigins origins, BridgePermissions permissions, Security security) {
    this.origins = origins;
    this.permissions = permissions;
    this.auth = security.auth();
    this.refusals = security.refusals();
  }

  /** A refused handshake: the status and the error to answer with. */
  static final class Refusal extends RuntimeException {
    final int status;

    Refusal(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /** A router handler for every {@code /eventbus/*} request: the origin is checked on each, SockJS's HTTP transports included. */
  void checkOrigin(RoutingContext ctx) {
    Refusal refusal = originRefusal(ctx.request());
    if (refusal != null) {
      Responses.error(ctx, refusal.status, refusal.getMessage());
    } else {
      ctx.next();
    }
  }

  /**
   * A WebSocket handshake: succeeds with the principal (null with auth off), or fails with a
   * {@link Refusal}.
   */
  Future<Principal> admitWebSocket(HttpServerRequest request) {
    Refusal refusal = originRefusal(request);
    if (refusal != null) {
      return Future.failedFuture(refusal);
    }
    return authenticate(request.uri(), request.remoteAddress())
      .recover(cause -> Future.failedFuture(new Refusal(401, cause.getMessage())));
  }

  /** A SockJS session being opened, from the URI it was opened with: the principal, or a failure. */
  public Future<Principal> admitSession(String uri, SocketAddress peer) {
    return authenticate(uri, peer);
  }

  /**
   * Who an admitted socket from {@code peer} is for the engine: the principal's name, and the
   * bridge's permissions narrowed by its {@code oneloop.addresses}, until its token expires; with
   * auth off (no principal), an anonymous socket marked with {@code peer}.
   */
  Admission admission(Principal principal, String peer) {
    if (principal == null) {
      return Admission.anonymous(peer);
    }
    return new Admission(principal.name(), peer, permissions.forUser(principal.name()).narrowedBy(principal.addresses()),
      principal.expiresAtMs());
  }

  private Future<Principal> authenticate(String uri, SocketAddress peer) {
    if (!auth.enabled()) {
      return Future.succeededFuture(null);
    }
    // A publisher's token is for services calling /api/publish: on the bridge it counts as no token.
    return auth.authenticate(tokenParameter(uri))
      .compose(principal -> principal.role() == AuthConfig.Role.PUBLISHER
        ? Future.failedFuture(new Authenticator.Refused("a publisher token may not open the bridge"))
        : Future.succeededFuture(principal))
      .onFailure(cause ->
        refusals.bridgeRefused("unauthorized", "a bridge connection from " + peer + ": " + cause.getMessage()));
  }

  private Refusal originRefusal(HttpServerRequest request) {
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origin == null || origins.permits(origin, request.getHeader(HttpHeaders.HOST))) {
      return null;
    }
    refusals.bridgeRefused("origin", "a bridge connection from " + request.remoteAddress() + " with origin "
      + RequestGuards.shorten(origin));
    return new Refusal(403, "this origin may not open the bridge (bridge.allowedOrigins)");
  }

  /** The {@code token} query parameter, decoded, or null; a broken encoding counts as no token. */
  static String tokenParameter(String uri) {
    int query = uri == null ? -1 : uri.indexOf('?');
    if (query < 0) {
      return null;
    }
    for (String pair : uri.substring(query + 1).split("&")) {
      if (pair.startsWith("token=")) {
        try {
          return URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
    }
    return null;
  }

  /** The answer to a refused WebSocket handshake. */
  static void refuse(HttpServerRequest request, Refusal refusal) {
    if (refusal.status == 401) {
      request.response().putHeader("WWW-Authenticate", "Bearer");
    }
    // The connection goes with the refusal: a half-done upgrade leaves nothing to reuse it for.
    request.response()
      .setStatusCode(refusal.status)
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
      .putHeader(HttpHeaders.CONNECTION, "close")
      .end(new JsonObject().put("error", refusal.getMessage()).encode())
      .onComplete(ar -> request.connection().close());
  }
}
