package io.oneloop.http;

import io.oneloop.Addresses;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.PrometheusText;
import io.oneloop.support.TickingApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST /api/publish: who may call it, what it refuses and how, and what a published message becomes. */
class PublishApiTest {

  private static final String ADMIN = "admin-token-0123456789";
  private static final String VIEWER = "viewer-token-0123456789";
  private static final String PUBLISHER = "publisher-token-0123456789";
  private static final int PER_SECOND = 20;

  @RegisterExtension
  final TickingApp app = TickingApp.with(config -> config
      .put("http", config.getJsonObject("http").put("maxPublishPerSecond", PER_SECOND))
      .put("auth", new JsonObject().put("tokens", new JsonArray()
        .add(token("ops", "admin", ADMIN)).add(token("wall", "viewer", VIEWER)).add(token("shop", "publisher", PUBLISHER))))
      .put("bridge", new JsonObject()
        .put("maxOutboundBytes", 1024)
        .put("outbound", new JsonArray()
          .add(new JsonObject().put("address", Addresses.TICKER))
          .add(new JsonObject().put("address", "news"))
          .add(new JsonObject().put("address", "user.{user}.orders"))
          .add(new JsonObject().put("addressRegex", "team\\.{user}\\.[a-z]+")))
        .put("history", new JsonArray().add(new JsonObject().put("address", Addresses.TICKER)).add(new JsonObject().put("address", "news")))))
    .bystanderQuery("token=" + VIEWER);
  private WebClient web;

  private static JsonObject token(String name, String role, String token) {
    return new JsonObject().put("name", name).put("role", role).put("token", token);
  }

  @BeforeEach
  void client(Vertx vertx) {
    web = WebClient.create(vertx);
  }

  private HttpResponse<Buffer> call(HttpMethod method, String path, String token, String contentType, String body) throws Exception {
    HttpRequest<Buffer> request = web.request(method, app.port(), "127.0.0.1", path);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    if (body == null) {
      return request.send().await(10, TimeUnit.SECONDS);
    }
    request.putHeader("Content-Type", contentType);
    return request.sendBuffer(Buffer.buffer(body)).await(10, TimeUnit.SECONDS);
  }

  private HttpResponse<Buffer> publish(String token, Object body) throws Exception {
    return call(HttpMethod.POST, "/api/publish", token, "application/json", body instanceof JsonObject json ? json.encode() : (String) body);
  }

  private static JsonObject error(int status, HttpResponse<Buffer> response) {
    return HttpErrorsTest.assertError(status, response.statusCode(), response.getHeader("content-type"), response.bodyAsString());
  }

  @Test
  @DisplayName("a published message reaches raw and SockJS clients, numbered in history like any other, and 200 says how many addresses")
  void reachesClients(Vertx vertx) throws Exception {
    BridgeClient raw = BridgeClient.connect(vertx, app.port(), Transport.RAW, "token=" + VIEWER, Map.of()).register("news");
    BridgeClient sockJs = BridgeClient.connect(vertx, app.port(), Transport.SOCKJS, "token=" + VIEWER, Map.of()).register("news");
    try {
      // Frames are handled in order: once a tick registered after "news" comes, "news" is registered.
      raw.register(Addresses.TICKER).awaitRec(Addresses.TICKER);
      sockJs.register(Addresses.TICKER).awaitRec(Addresses.TICKER);
      HttpResponse<Buffer> response = publish(PUBLISHER, new JsonObject().put("address", "news")
        .put("body", new JsonObject().put("headline", "hello")).put("headers", new JsonObject().put("kind", "flash")));
      assertEquals(200, response.statusCode(), response.bodyAsString());
      assertEquals(new JsonObject().put("published", 1), response.bodyAsJsonObject());
      for (BridgeClient client : new BridgeClient[] {raw, sockJs}) {
        JsonObject rec = client.await(BridgeClient.isRec("news"));
        assertEquals("hello", rec.getJsonObject("body").getString("headline"), rec.encode());
        JsonObject headers = rec.getJsonObject("headers");
        assertEquals("flash", headers.getString("kind"), rec.encode());
        assertNotNull(headers.getValue("oneloop.seq"), "numbered in history: " + rec.encode());
      }
      HttpResponse<Buffer> many = publish(ADMIN, new JsonObject().put("addresses", new JsonArray().add("news").add("user.alice.orders"))
        .put("body", 2));
      assertEquals(new JsonObject().put("published", 2), many.bodyAsJsonObject());
      JsonObject second = raw.await(f -> "rec".equals(f.getString("type")) && Integer.valueOf(2).equals(f.getValue("body")));
      assertTrue(Long.parseLong(second.getJsonObject("headers").getString("oneloop.seq")) > 1, second.encode());
    } finally {
      raw.close();
      sockJs.close();
    }
  }

  @Test
  @DisplayName("each refusal has its status in the {\"error\"} shape: 400, 401, 403, 413, 415, 429 with Retry-After; counted by result")
  void refusals() throws Exception {
    error(400, publish(PUBLISHER, "{not json"));
    error(400, publish(PUBLISHER, "[1]"));
    error(400, publish(PUBLISHER, new JsonObject().put("body", 1)));
    error(400, publish(PUBLISHER, new JsonObject().put("address", "news")));
    error(400, publish(PUBLISHER, new JsonObject().put("address", "news").put("addresses", new JsonArray().add("news")).put("body", 1)));
    error(400, publish(PUBLISHER, new JsonObject().put("addresses", new JsonArray()).put("body", 1)));
    error(400, publish(PUBLISHER, new JsonObject().put("address", "news").put("body", 1).put("extra", true)));
    JsonObject header = error(400, publish(ADMIN, new JsonObject().put("address", "news").put("body", 1)
      .put("headers", new JsonObject().put("oneloop.user", "ops"))));
    assertTrue(header.getString("error").contains("oneloop.user"), header.encode());
    error(400, publish(PUBLISHER, new JsonObject().put("address", "news").put("body", 1)
      .put("headers", new JsonObject().put("bad name", "x"))));
    error(401, publish(null, new JsonObject().put("address", "news").put("body", 1)));
    error(403, publish(VIEWER, new JsonObject().put("address", "news").put("body", 1)));
    JsonObject notPermitted = error(403, publish(PUBLISHER, new JsonObject().put("address", "secret").put("body", 1)));
    assertEquals("address not permitted: secret", notPermitted.getString("error"));
    // {user} stands for one whole user: one with a dot would be %2E-encoded, never a dot.
    error(403, publish(PUBLISHER, new JsonObject().put("address", "user.bob.x.orders").put("body", 1)));
    assertEquals(200, publish(PUBLISHER, new JsonObject().put("address", "user.bob%2Ex.orders").put("body", 1)).statusCode());
    assertEquals(200, publish(PUBLISHER, new JsonObject().put("address", "team.bob.sales").put("body", 1)).statusCode());
    error(403, publish(PUBLISHER, new JsonObject().put("address", Addresses.TICKER).put("body", 1)));
    assertEquals(200, publish(ADMIN, new JsonObject().put("address", Addresses.TICKER).put("body", new JsonObject().put("seq", 0)))
      .statusCode(), "an admin may publish to oneloop.*, as with broadcast");
    error(413, publish(PUBLISHER, new JsonObject().put("address", "news").put("body", "x".repeat(2000))));
    error(413, publish(PUBLISHER, new JsonObject().put("address", "news").put("body", "x".repeat(70_000))));
    error(415, call(HttpMethod.POST, "/api/publish", PUBLISHER, "text/plain", "{\"address\":\"news\",\"body\":1}"));
    error(405, call(HttpMethod.GET, "/api/publish", ADMIN, null, null));
    HttpResponse<Buffer> limited = null;
    for (int i = 0; i < PER_SECOND * 10 && limited == null; i++) {
      HttpResponse<Buffer> response = publish(PUBLISHER, new JsonObject().put("address", "news").put("body", i));
      if (response.statusCode() == 429) {
        limited = response;
      } else {
        assertEquals(200, response.statusCode(), response.bodyAsString());
      }
    }
    assertNotNull(limited, "a flood from one caller meets http.maxPublishPerSecond");
    error(429, limited);
    assertTrue(Integer.parseInt(limited.getHeader("Retry-After")) >= 1, limited.headers().toString());
    // Another caller has a budget of its own.
    assertEquals(200, publish(ADMIN, new JsonObject().put("address", "news").put("body", 1)).statusCode());

    PrometheusText metrics = PrometheusText.parse(call(HttpMethod.GET, "/metrics", VIEWER, null, null).bodyAsString());
    for (String result : new String[] {"ok", "invalid", "forbidden", "too_large", "rate_limited"}) {
      assertTrue(metrics.value("oneloop_publish_total", "result", result) >= 1, result);
    }
    assertEquals(0, metrics.value("oneloop_publish_total", "result", "unavailable"));
  }

  @Test
  @DisplayName("a publisher token may only publish: 403 on every other /api route and on /metrics, and no bridge socket (401)")
  void publisherRole(Vertx vertx) throws Exception {
    for (String path : new String[] {"/api/jobs", "/api/tasks", "/api/info", "/api/bridge", "/api/cluster", "/api/job-types", "//api/jobs",
      "/metrics"}) {
      error(403, call(HttpMethod.GET, path, PUBLISHER, null, null));
    }
    error(403, call(HttpMethod.POST, "/api/jobs", PUBLISHER, "application/json", "{\"type\":\"sleep\",\"params\":{\"ms\":1}}"));
    assertEquals(200, call(HttpMethod.GET, "/metrics", VIEWER, null, null).statusCode());
    assertEquals(200, call(HttpMethod.GET, "/metrics", ADMIN, null, null).statusCode());
    Exception refused = assertThrows(Exception.class,
      () -> BridgeClient.connect(vertx, app.port(), Transport.RAW, "token=" + PUBLISHER, Map.of()));
    assertTrue(refused instanceof UpgradeRejectedException rejected && rejected.getStatus() == 401, refused.toString());
    BridgeClient sockJs = BridgeClient.connect(vertx, app.port(), Transport.SOCKJS, "token=" + PUBLISHER, Map.of());
    try {
      BridgeClient.Closed closed = sockJs.closed().await(10, TimeUnit.SECONDS);
      assertEquals(4401, closed.code());
      assertEquals("unauthorized", closed.reason());
    } finally {
      sockJs.close();
    }
  }
}
