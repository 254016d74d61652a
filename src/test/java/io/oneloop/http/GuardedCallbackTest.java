package io.oneloop.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A route that answers from a future's callback answers 500 when that callback throws; it never hangs. */
@ExtendWith(VertxExtension.class)
class GuardedCallbackTest {

  @Test
  @DisplayName("an exception in a route's asynchronous callback answers 500 with an id")
  void throwingCallbackAnswers500(Vertx vertx) throws Exception {
    Router router = Router.router(vertx);
    ErrorAnswers.install(router);
    router.get("/later").handler(ctx -> vertx.timer(1).onComplete(Responses.guarded(ctx, ar -> {
      throw new IllegalStateException("a bug in the callback");
    })));
    router.get("/unencodable").handler(ctx -> Future.succeededFuture(new Object()).onComplete(Responses.guarded(ctx, ar ->
      Responses.json(ctx, 200, ar.result()))));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    WebClient web = WebClient.create(vertx);
    for (String path : new String[] {"/later", "/unencodable"}) {
      HttpResponse<Buffer> response = web.get(server.actualPort(), "127.0.0.1", path).send().await(10, TimeUnit.SECONDS);
      assertEquals(500, response.statusCode(), path);
      JsonObject body = response.bodyAsJsonObject();
      assertEquals("internal error", body.getString("error"));
      assertTrue(body.getString("id").matches("[0-9a-f]+"), body.encode());
    }
  }
}
