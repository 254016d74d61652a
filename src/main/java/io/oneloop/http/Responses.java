package io.oneloop.http;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON responses in one shape: a body, or {@code {"error": "..."}} saying what went wrong. */
public final class Responses {

  private Responses() {
  }

  public static void json(RoutingContext ctx, int status, Object body) {
    ctx.response()
      .setStatusCode(status)
      .putHeader("content-type", "application/json")
      .putHeader("cache-control", "no-store")
      .end(Json.encode(body));
  }

  public static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error", message));
  }
}
