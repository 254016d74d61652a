package io.oneloop.http;

import io.oneloop.Addresses;
import io.oneloop.bridge.HistoryStore;
import io.oneloop.bridge.Presence;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a backend or an operator asks of the bridge: who is subscribed to an address
 * ({@code GET /api/presence/{address}}), an address's recent history on this node
 * ({@code GET /api/history/{address}}), both for a viewer or an admin, and closing a user's or a
 * connection's sockets on every node ({@code POST /api/disconnect}, admin only).
 */
final class AdminApi {

  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
  static final int DEFAULT_HISTORY_LIMIT = 100;
  static final int MAX_HISTORY_LIMIT = 1000;
  /** A WebSocket close reason holds at most 123 bytes: a reason is held well under it. */
  static final int MAX_REASON = 100;
  /** A node that has not answered a disconnect within this long is not counted. */
  private static final long ASK_TIMEOUT_MS = 5000;

  private final Vertx vertx;
  private final HttpInstances instances;
  private final long maxBodyBytes;

  AdminApi(Vertx vertx, HttpInstances instances, long maxBodyBytes) {
    this.vertx = vertx;
    this.instances = instances;
    this.maxBodyBytes = maxBodyBytes;
  }

  void mount(Router router) {
    Routes.read(router, "/api/presence/:address").handler(RequestGuards::requireReader).handler(this::presence);
    Routes.allow(router, "/api/presence/:address", Routes.READ);
    Routes.read(router, "/api/history/:address").handler(RequestGuards::requireReader).handler(this::history);
    Routes.allow(router, "/api/history/:address", Routes.READ);
    router.post("/api/disconnect").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
      .handler(RequestGuards::requireAdmin).handler(this::disconnect);
    Routes.allow(router, "/api/disconnect", "POST");
  }

  /** This node's part of a disconnect, asked by whichever node took the request; registered once per process. */
  static void answerDisconnects(Vertx vertx, HttpInstances instances) {
    vertx.eventBus().<JsonObject>consumer(Addresses.bridgeDisconnect(instances.nodeId()), msg -> {
      JsonObject body = msg.body();
      instances.disconnect(body.getString("user"), body.getString("connId"), body.getString("reason"))
        .onComplete(ar -> msg.reply(new JsonObject().put("closed", ar.succeeded() ? ar.result() : 0)));
    });
  }

  private void presence(RoutingContext ctx) {
    String address = ctx.pathParam("address");
    instances.presence(vertx).describe(address).onComplete(Responses.guarded(ctx, ar -> {
      if (ar.failed()) {
        Responses.error(ctx, 503, "the presence is not available: " + ar.cause().getMessage());
      } else if (ar.result() == null) {
        Responses.error(ctx, 404, "no presence is kept for " + RequestGuards.shorten(address) + " (bridge.presence)");
      } else {
        Responses.json(ctx, 200, ar.result());
      }
    }));
  }

  private void history(RoutingContext ctx) {
    String address = ctx.pathParam("address");
    long since;
    long limit;
    try {
      since = parameter(ctx, "since", 0, 0, Long.MAX_VALUE);
      limit = parameter(ctx, "limit", DEFAULT_HISTORY_LIMIT, 1, MAX_HISTORY_LIMIT);
    } catch (IllegalArgumentException e) {
      Responses.error(ctx, 400, e.getMessage());
      return;
    }
    HistoryStore history = instances.history();
    JsonObject read = history.read(address, since, (int) limit);
    if (read == null) {
      Responses.error(ctx, 404, "no history is kept for " + RequestGuards.shorten(address) + " on this node");
    } else {
      Responses.json(ctx, 200, read);
    }
  }

  /** A query parameter that must be an integer {@code min}-{@code max}; {@code fallback} when absent. */
  private static long parameter(RoutingContext ctx, String name, long fallback, long min, long max) {
    List<String> values = ctx.queryParam(name);
    if (values.isEmpty()) {
      return fallback;
    }
    String value = values.get(0);
    try {
      long parsed = Long.parseLong(value);
      if (values.size() == 1 && parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new IllegalArgumentException(name + " must be one integer " + min + "-" + max + ", got \"" + RequestGuards.shorten(value) + "\"");
  }

  private void disconnect(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      Responses.error(ctx, 400, "the body must be a JSON object {\"user\" or \"connId\", \"reason\"}");
      return;
    }
    String problem = body == null ? "the body must be a JSON object {\"user\" or \"connId\", \"reason\"}" : disconnectProblem(body);
    if (problem != null) {
      Responses.error(ctx, 400, problem);
      return;
    }
    JsonObject ask = new JsonObject().put("user", body.getString("user")).put("connId", body.getString("connId"))
      .put("reason", body.getString("reason", "disconnected"));
    List<Future<Integer>> answers = new ArrayList<>();
    for (String node : instances.members()) {
      answers.add(vertx.eventBus().<JsonObject>request(Addresses.bridgeDisconnect(node), ask, new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS))
        .map(Message::body).map(reply -> reply.getInteger("closed", 0))
        .otherwise(cause -> {
          log.warn("Cluster node {} did not answer a disconnect: {}", node, cause.getMessage());
          return 0;
        }));
    }
    Future.all(answers).onComplete(Responses.guarded(ctx, ar -> {
      int closed = answers.stream().mapToInt(Future::result).sum();
      log.info("Disconnect of {} {} by {}: {} socket(s) closed", ask.getString("user") != null ? "user" : "connection",
        ask.getString("user") != null ? "\"" + ask.getString("user") + "\"" : ask.getString("connId"),
        RequestGuards.who(ctx) == null ? "an API call" : "\"" + RequestGuards.who(ctx) + "\"", closed);
      Responses.json(ctx, 200, new JsonObject().put("closed", closed));
    }));
  }

  static String disconnectProblem(JsonObject body) {
    for (String key : body.fieldNames()) {
      if (!key.equals("user") && !key.equals("connId") && !key.equals("reason")) {
        return "unknown key \"" + RequestGuards.shorten(key) + "\" (expected \"user\" or \"connId\", and \"reason\")";
      }
    }
    if (body.containsKey("user") == body.containsKey("connId")) {
      return "the body must have exactly one of \"user\" or \"connId\"";
    }
    String key = body.containsKey("user") ? "user" : "connId";
    if (!(body.getValue(key) instanceof String value) || value.isEmpty() || value.length() > 200) {
      return key + " must be a string of 1-200 characters";
    }
    Object reason = body.getValue("reason");
    if (reason != null && (!(reason instanceof String r) || r.isEmpty() || r.length() > MAX_REASON
      || r.codePoints().anyMatch(Character::isISOControl) || r.getBytes(StandardCharsets.UTF_8).length > 123)) {
      return "reason must be a string of 1-" + MAX_REASON + " characters without control characters";
    }
    return null;
  }
}
