package io.oneloop.http;

import io.oneloop.auth.Principal;
import io.oneloop.bridge.BridgeHeaders;
import io.oneloop.bridge.BridgePermissions;
import io.oneloop.bridge.HistoryStore;
import io.oneloop.bridge.HistoryUnavailable;
import io.oneloop.metrics.HttpMetrics;
import io.oneloop.supervision.AppState;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code POST /api/publish}: a backend publishes {@code {"address", "body", "headers"?}} or
 * {@code {"addresses": [...], "body", "headers"?}} on the event bus (every node's clients in a
 * cluster, numbered in history like any other message), answered {@code 200 {"published": n}}.
 * Only to addresses in {@code bridge.outbound} ({@code {user}} there matching any user), within
 * {@code bridge.maxOutboundBytes} and each caller's {@code http.maxPublishPerSecond}; with auth on,
 * for admin and publisher tokens, a publisher never to {@code oneloop.*}.
 */
final class PublishApi {

  static final String PATH = RequestGuards.PUBLISH_PATH;
  /** Addresses one call may name. */
  static final int MAX_ADDRESSES = 1000;
  private static final Set<String> KEYS = Set.of("address", "addresses", "body", "headers");
  private static final String RESERVED = "oneloop.";

  private final Vertx vertx;
  private final BridgePermissions permissions;
  private final long maxOutboundBytes;
  private final long maxBodyBytes;
  private final AppState state;
  private final Security security;
  private final HistoryStore history;

  PublishApi(Vertx vertx, BridgePermissions permissions, long maxOutboundBytes, long maxBodyBytes, AppState state, Security security,
             HistoryStore history) {
    this.history = history;
    this.vertx = vertx;
    this.permissions = permissions;
    this.maxOutboundBytes = maxOutboundBytes;
    this.maxBodyBytes = maxBodyBytes;
    this.state = state;
    this.security = security;
  }

  /** Before the guards: every answer on the path is counted by its result, the guards' own (401, 413, 415) included. */
  void count(Router router) {
    router.route(PATH).handler(ctx -> {
      ctx.addHeadersEndHandler(v -> HttpMetrics.of(vertx).published(result(ctx.response().getStatusCode())));
      ctx.next();
    });
  }

  void mount(Router router) {
    router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes)).handler(this::publish);
    Routes.allow(router, PATH, "POST");
  }

  static String result(int status) {
    return switch (status) {
      case 200 -> "ok";
      case 401, 403 -> "forbidden";
      case 413 -> "too_large";
      case 429 -> "rate_limited";
      case 503 -> "unavailable";
      default -> status >= 500 ? "unavailable" : "invalid";
    };
  }

  private void publish(RoutingContext ctx) {
    Principal principal = ctx.get(RequestGuards.PRINCIPAL);
    if (principal != null && !principal.isAdmin() && !principal.isPublisher()) {
      Responses.error(ctx, 403, "the token \"" + principal.name() + "\" has the role " + principal.role().configName
        + "; publishing takes an admin or publisher token");
      return;
    }
    if (state.stopping()) {
      ctx.response().putHeader("Retry-After", "5");
      Responses.error(ctx, 503, "the server is shutting down");
      return;
    }
    Request request;
    try {
      request = parse(ctx.body().asString());
    } catch (Invalid e) {
      Responses.error(ctx, e.status, e.getMessage());
      return;
    }
    for (String address : request.addresses) {
      boolean reserved = principal != null && !principal.isAdmin() && address.startsWith(RESERVED);
      if (reserved || !permissions.servicesMayPublish(address)) {
        Responses.error(ctx, 403, "address not permitted: " + RequestGuards.shorten(address)
          + (reserved ? " (oneloop.* addresses take an admin token)" : ""));
        return;
      }
    }
    String caller = principal != null ? principal.name() : security.caps().peer(ctx.request());
    long waitSeconds = security.publishRate().take(caller, request.addresses.size());
    if (waitSeconds > 0) {
      ctx.response().putHeader("Retry-After", Long.toString(waitSeconds));
      Responses.error(ctx, 429, "more than http.maxPublishPerSecond (" + security.publishRate().perSecond()
        + ") publishes a second from this caller");
      return;
    }
    DeliveryOptions options = new DeliveryOptions().setHeaders(request.headers);
    // 200 once the history (a cluster's shared one) has taken every message to an address that keeps one.
    history.appended(() -> {
      for (String address : request.addresses) {
        vertx.eventBus().publish(address, request.body, options);
      }
    }).onComplete(ar -> {
      if (ar.succeeded()) {
        Responses.json(ctx, 200, new JsonObject().put("published", request.addresses.size()));
      } else {
        Responses.error(ctx, 503, ar.cause() instanceof HistoryUnavailable unavailable
          ? "history unavailable: " + RequestGuards.shorten(unavailable.address()) : "history unavailable");
      }
    });
  }

  /** The body read and checked: every address a non-empty string, the body within bridge.maxOutboundBytes, the headers valid. */
  private Request parse(String text) {
    Object parsed;
    try {
      parsed = text == null || text.isBlank() ? null : Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new Invalid(400, "the body is not valid JSON");
    }
    if (!(parsed instanceof JsonObject json)) {
      throw new Invalid(400, "the body must be a JSON object {\"address\", \"body\", \"headers\"?} or {\"addresses\": [...], \"body\"}");
    }
    for (String key : json.fieldNames()) {
      if (!KEYS.contains(key)) {
        throw new Invalid(400, RequestGuards.shorten(key) + " is not a known key (expected address or addresses, body, headers)");
      }
    }
    if (json.containsKey("address") == json.containsKey("addresses")) {
      throw new Invalid(400, "give exactly one of \"address\" (a string) or \"addresses\" (a list of strings)");
    }
    List<String> addresses = new ArrayList<>();
    if (json.containsKey("address")) {
      addresses.add(address(json.getValue("address"), "address"));
    } else if (json.getValue("addresses") instanceof JsonArray list && !list.isEmpty() && list.size() <= MAX_ADDRESSES) {
      for (int i = 0; i < list.size(); i++) {
        addresses.add(address(list.getValue(i), "addresses[" + i + "]"));
      }
    } else {
      throw new Invalid(400, "addresses must be a list of 1 to " + MAX_ADDRESSES + " addresses");
    }
    if (addresses.size() > security.publishRate().perSecond()) {
      throw new Invalid(400, "addresses names " + addresses.size() + " addresses, more than http.maxPublishPerSecond ("
        + security.publishRate().perSecond() + ")");
    }
    if (!json.containsKey("body")) {
      throw new Invalid(400, "body is required (any JSON value)");
    }
    Object body = json.getValue("body");
    long bytes = Json.encodeToBuffer(body).length();
    if (bytes > maxOutboundBytes) {
      throw new Invalid(413, "body is " + bytes + " bytes as JSON, more than bridge.maxOutboundBytes (" + maxOutboundBytes + ")");
    }
    return new Request(addresses, body, headers(json.getValue("headers")));
  }

  private static String address(Object value, String key) {
    if (!(value instanceof String address) || address.isEmpty()) {
      throw new Invalid(400, key + " must be a non-empty string");
    }
    return address;
  }

  private static MultiMap headers(Object value) {
    if (value == null) {
      return MultiMap.caseInsensitiveMultiMap();
    }
    MultiMap headers = value instanceof JsonObject object ? BridgeHeaders.toMultiMap(object) : null;
    if (headers == null) {
      throw new Invalid(400, "headers must be an object of at most " + BridgeHeaders.MAX_HEADERS
        + " names (HTTP tokens) with string, number or boolean values without line breaks");
    }
    for (String name : headers.names()) {
      // Only the bridge and the history set these: a publisher cannot fake a sender or a seq.
      if (name.toLowerCase(Locale.ROOT).startsWith(RESERVED)) {
        throw new Invalid(400, "headers may not set " + RequestGuards.shorten(name) + ": oneloop.* headers are set by the server only");
      }
    }
    return headers;
  }

  private record Request(List<String> addresses, Object body, MultiMap headers) {
  }

  /** A request refused with a status and a reason. */
  private static final class Invalid extends RuntimeException {
    final int status;

    Invalid(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
