package io.oneloop.http;

import io.oneloop.logging.Unexpected;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON responses in one shape: a body, or {@code {"error": "..."}} saying what went wrong. */
public final class Responses {

  private Responses() {
  }

  public static void json(RoutingContext ctx, int status, Object body) {
    // Encoded first: a body that cannot be encoded leaves the response untouched for the 500.
    String text = Json.encode(body);
    ctx.response()
      .setStatusCode(status)
      .putHeader("content-type", "application/json")
      .putHeader("cache-control", "no-store")
      .end(text);
  }

  public static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error", message));
  }

  /**
   * For a route that answers when a future completes: an exception thrown while handling the
   * outcome fails the request (the router's error handlers answer 500 with an id). Thrown from a
   * bare callback it would reach only the event loop's exception handler, and the request would
   * never be answered.
   */
  public static <T> Handler<AsyncResult<T>> guarded(RoutingContext ctx, Handler<AsyncResult<T>> handler) {
    return ar -> {
      try {
        handler.handle(ar);
      } catch (RuntimeException e) {
        if (!ctx.failed() && !ctx.response().ended()) {
          ctx.fail(e);
          return;
        }
        // Already failing or answered: nothing more can be said to the client than a close.
        Unexpected.log("answering " + ctx.request().method() + " " + ctx.request().path(), e);
        if (!ctx.response().ended()) {
          ctx.request().connection().close();
        }
      }
    };
  }
}
