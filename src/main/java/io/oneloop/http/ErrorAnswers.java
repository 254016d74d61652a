package io.oneloop.http;

import io.netty.handler.codec.TooLongFrameException;
import io.oneloop.logging.Unexpected;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Every error answer of the HTTP server in one shape, {@code {"error": "..."}}: the router's error
 * handlers for every status (so no failure goes unhandled) and the answer to requests too broken
 * to parse. A 500 is a bug: it is logged once with an id, and the client gets the id, never the
 * exception. A failure on a connection the client has already closed (an upload cut short) has no
 * one to answer and is no bug: it is dropped, logged at debug only.
 */
final class ErrorAnswers {

  private static final Logger log = LoggerFactory.getLogger(ErrorAnswers.class);

  private static final Map<Integer, String> MESSAGES = Map.ofEntries(
    Map.entry(400, "bad request"),
    Map.entry(401, "a token is required (Authorization: Bearer <token>)"),
    Map.entry(403, "forbidden"),
    Map.entry(404, "not found"),
    Map.entry(405, "method not allowed"),
    Map.entry(408, "the request did not arrive in time (http.requestTimeoutMs)"),
    Map.entry(413, "the body is too large (http.maxBodyBytes)"),
    Map.entry(414, "the request line is too long"),
    Map.entry(415, "the body must be JSON, sent with Content-Type: application/json"),
    Map.entry(431, "the request headers are too large"),
    Map.entry(429, "too many requests"),
    Map.entry(503, "the server is not available"));

  private ErrorAnswers() {
  }

  /**
   * An error handler on every status, not only 400 to 599: Vert.x Web's BodyHandler fails a request
   * whose stream broke with status 200, and a status without a handler is logged by the router at
   * ERROR ("Unhandled exception in router") and answered as plain text.
   */
  static void install(Router router) {
    for (int status = 100; status < 600; status++) {
      router.errorHandler(status, ErrorAnswers::answer);
    }
  }

  private static void answer(RoutingContext ctx) {
    if (gone(ctx)) {
      log.debug("Dropped a failure of {} {} on a closed connection: {}", ctx.request().method(),
        RequestGuards.shorten(ctx.request().path()), String.valueOf(ctx.failure()));
      return;
    }
    int status = ctx.statusCode() < 400 ? 500 : ctx.statusCode();
    Throwable failure = ctx.failure();
    if (failure instanceof HttpException http && http.getStatusCode() >= 400) {
      status = http.getStatusCode();
    }
    if (status == 500) {
      String id = Unexpected.log("handling " + ctx.request().method() + " " + ctx.request().path(), failure);
      send(ctx, 500, new JsonObject().put("error", "internal error").put("id", id));
      return;
    }
    send(ctx, status, new JsonObject().put("error", MESSAGES.getOrDefault(status, "request failed")));
  }

  /** Whether the request's connection is closed, so that no answer can reach the client. */
  private static boolean gone(RoutingContext ctx) {
    return ctx.failure() instanceof HttpClosedException || ctx.response().closed();
  }

  private static void send(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().headWritten()) {
      // Part of an answer has gone out already: the client can only learn of the failure by the close.
      ctx.request().connection().close();
      return;
    }
    if (status == 405 && ctx.response().headers().get(HttpHeaders.ALLOW) == null) {
      ctx.response().putHeader(HttpHeaders.ALLOW, "GET, HEAD");
    }
    Responses.json(ctx, status, body);
  }

  /**
   * Requests Vert.x could not parse (a broken request line or header, one too long): a JSON 400,
   * 414 or 431, after which the server closes the connection.
   */
  static Handler<HttpServerRequest> invalidRequest() {
    return request -> {
      Throwable cause = request.decoderResult().cause();
      String message = cause == null ? "" : String.valueOf(cause.getMessage());
      int status = 400;
      if (cause instanceof TooLongFrameException) {
        status = message.contains("header") ? 431 : 414;
      }
      String error = status == 400 ? "the request is not valid HTTP" : MESSAGES.get(status);
      String body = new JsonObject().put("error", error).encode();
      request.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(body);
    };
  }
}
