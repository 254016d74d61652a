package io.oneloop.http;

import io.oneloop.auth.Authenticator;
import io.oneloop.auth.Principal;
import io.oneloop.bridge.AllowedOrigins;
import io.oneloop.config.AuthConfig.Role;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;
import java.util.EnumSet;
import java.util.Set;

/**
 * The checks a request passes before any route sees it: a readable query string (400), a body no
 * larger than {@code http.maxBodyBytes} (413), and on {@code /api/*}: a permitted {@code Origin} on
 * what changes state (403), JSON bodies (415) and, with {@code auth} on, a bearer token (401) whose
 * role allows the request (403); with {@code auth} on, {@code /metrics} wants a viewer or admin token,
 * and a publisher's token passes only on {@code POST /api/publish}.
 */
final class RequestGuards {

  /** Where the routing context keeps the request's principal. */
  static final String PRINCIPAL = "oneloop.principal";
  static final String PUBLISH_PATH = "/api/publish";
  private static final Set<HttpMethod> CHANGING = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH);

  private final long maxBodyBytes;
  private final AllowedOrigins origins;
  private final Authenticator auth;
  private final Refusals refusals;

  RequestGuards(long maxBodyBytes, AllowedOrigins origins, Authenticator auth, Refusals refusals) {
    this.maxBodyBytes = maxBodyBytes;
    this.origins = origins;
    this.auth = auth;
    this.refusals = refusals;
  }

  void mount(Router router) {
    router.route().handler(this::everyRequest);
    router.route("/api/*").handler(this::api).handler(RequestGuards::notPublisher);
    // Prometheus sends the token as any client does (authorization: credentials in its scrape config).
    router.route("/metrics").handler(this::authenticated).handler(RequestGuards::notPublisher);
  }

  /** A publisher's token serves {@code POST /api/publish} only: 403 anywhere else it is shown. */
  private static void notPublisher(RoutingContext ctx) {
    Principal principal = ctx.get(PRINCIPAL);
    if (principal != null && principal.isPublisher() && !PUBLISH_PATH.equals(ctx.normalizedPath())) {
      Responses.error(ctx, 403, "the token \"" + principal.name() + "\" has the role publisher, which may only POST /api/publish");
      return;
    }
    ctx.next();
  }

  private void everyRequest(RoutingContext ctx) {
    try {
      ctx.queryParams();
    } catch (IllegalArgumentException e) {
      Responses.error(ctx, 400, "the query string is not valid (bad percent-encoding)");
      return;
    }
    String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && tooLong(length)) {
      refusals.refused("too_large", "a body of " + length + " bytes to " + ctx.request().path());
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
      Responses.error(ctx, 413, "the body is larger than http.maxBodyBytes (" + maxBodyBytes + " bytes)");
      return;
    }
    ctx.next();
  }

  private boolean tooLong(String length) {
    try {
      return Long.parseLong(length.trim()) > maxBodyBytes;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  private void api(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origin != null && CHANGING.contains(request.method()) && !origins.permits(origin, request.getHeader(HttpHeaders.HOST))) {
      refusals.refused("origin", request.method() + " " + request.path() + " from origin " + shorten(origin));
      Responses.error(ctx, 403, "requests from this origin may not change anything here (bridge.allowedOrigins)");
      return;
    }
    if (hasBody(request) && !isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
      Responses.error(ctx, 415, "the body must be JSON, sent with Content-Type: application/json");
      return;
    }
    authenticated(ctx);
  }

  /** With auth on, only a request with a valid bearer token goes on (401 otherwise); its principal is kept for the routes. */
  private void authenticated(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!auth.enabled()) {
      ctx.next();
      return;
    }
    String token = bearer(request.getHeader(HttpHeaders.AUTHORIZATION));
    auth.authenticate(token).onComplete(Responses.guarded(ctx, ar -> {
      if (ar.failed()) {
        refusals.refused("unauthorized", request.method() + " " + request.path() + " from " + request.remoteAddress()
          + ": " + ar.cause().getMessage());
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        Responses.error(ctx, 401, ar.cause().getMessage());
        return;
      }
      ctx.put(PRINCIPAL, ar.result());
      ctx.next();
    }));
  }

  /** On routes that change state: with auth on, only an admin token passes. */
  static void requireAdmin(RoutingContext ctx) {
    Principal principal = ctx.get(PRINCIPAL);
    if (principal != null && !principal.isAdmin()) {
      Responses.error(ctx, 403, "the token \"" + principal.name() + "\" has the role " + principal.role().configName
        + (principal.isPublisher() ? ", which may only POST /api/publish" : ", which may only read")
        + "; starting and cancelling jobs takes an admin token");
      return;
    }
    ctx.next();
  }

  /** The roles that may read what clients do (presence, history): a role added later is refused here until listed. */
  private static final Set<Role> READERS = EnumSet.of(Role.VIEWER, Role.ADMIN);

  /** On routes that read what clients do: with auth on, a viewer or an admin token. */
  static void requireReader(RoutingContext ctx) {
    Principal principal = ctx.get(PRINCIPAL);
    if (principal != null && !READERS.contains(principal.role())) {
      Responses.error(ctx, 403, "the token \"" + principal.name() + "\" has the role " + principal.role().configName
        + ", which may not read this");
      return;
    }
    ctx.next();
  }

  /** The name of who sent the request, for the log: the token's name, or null without auth. */
  static String who(RoutingContext ctx) {
    Principal principal = ctx.get(PRINCIPAL);
    return principal == null ? null : principal.name();
  }

  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return length != null ? !length.trim().equals("0") : request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json");
  }

  static String bearer(String authorization) {
    if (authorization == null || authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return authorization.substring(7).trim();
  }

  static String shorten(String value) {
    return value.length() <= 100 ? value : value.substring(0, 100) + "...";
  }
}
