package io.oneloop.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;

/** Routes that answer HEAD wherever they answer GET, and a JSON 405 naming the allowed methods for the rest. */
final class Routes {

  static final String READ = "GET, HEAD";

  private Routes() {
  }

  /** A route for GET and HEAD on {@code path}. */
  static Route read(Router router, String path) {
    return router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD);
  }

  /** After a path's own routes: any other method gets 405 with {@code Allow}. */
  static void allow(Router router, String path, String allowed) {
    router.route(path).handler(ctx -> {
      ctx.response().putHeader(HttpHeaders.ALLOW, allowed);
      Responses.error(ctx, 405, ctx.request().method() + " is not allowed on " + path + " (allowed: " + allowed + ")");
    });
  }
}
