package io.oneloop.bridge;

import io.oneloop.Addresses;
import io.oneloop.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.oneloop.support.TestApp.config;
import static io.oneloop.support.TestApp.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SockJS's HTTP transports, for browsers and proxies without WebSocket: Vert.x's framing, the engine's bridge. */
@ExtendWith(VertxExtension.class)
class SockJsFallbackTest {

  private static final long WAIT = 10;

  /** Two HTTP server instances and a ticker every 50 ms. */
  private static JsonObject twoInstances() {
    JsonObject config = config(task("ticker", "ticker", new JsonObject().put("intervalMs", 50)));
    config.getJsonObject("http").put("instances", 2);
    return config;
  }

  /** A new connection per request, as SockJS's polls end theirs: so requests spread over the server's instances. */
  private static WebClient client(Vertx vertx) {
    return WebClient.create(vertx, new WebClientOptions().setKeepAlive(false));
  }

  private static HttpResponse<Buffer> post(WebClient http, int port, String path, String body) throws Exception {
    return http.post(port, "127.0.0.1", path).sendBuffer(Buffer.buffer(body)).await(WAIT, TimeUnit.SECONDS);
  }

  private static String sendFrame(JsonObject frame) {
    return new JsonArray().add(frame.encode()).encode();
  }

  private static JsonObject sockets(WebClient http, int port) throws Exception {
    return http.get(port, "127.0.0.1", "/api/bridge").send().await(WAIT, TimeUnit.SECONDS).bodyAsJsonObject();
  }

  @Test
  @DisplayName("an xhr-polling session opens, registers, gets ticks and answers requests through the engine, "
    + "counted as sockjs-fallback, whichever server instance each request lands on")
  void xhrPolling(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, twoInstances());
    WebClient http = client(vertx);
    String session = "/eventbus/000/" + UUID.randomUUID() + "/";
    assertEquals("o\n", post(http, app.port(), session + "xhr", "").bodyAsString());
    assertEquals(204, post(http, app.port(), session + "xhr_send",
      sendFrame(new JsonObject().put("type", "register").put("address", Addresses.TICKER))).statusCode());
    assertEquals(204, post(http, app.port(), session + "xhr_send", sendFrame(new JsonObject().put("type", "send")
      .put("address", Addresses.TASKS_LIST).put("body", new JsonObject()).put("replyAddress", "r-1"))).statusCode());

    // Each poll closes its connection, so the polls spread over both instances; every one finds the session.
    long lastSeq = -1;
    boolean replied = false;
    int ticks = 0;
    for (int poll = 0; poll < 40 && (ticks < 6 || !replied); poll++) {
      String body = post(http, app.port(), session + "xhr", "").bodyAsString();
      if (body.equals("h\n")) {
        continue;
      }
      assertTrue(body.startsWith("a[") && body.endsWith("]\n"), body);
      for (Object item : new JsonArray(body.substring(1).trim())) {
        JsonObject frame = new JsonObject((String) item);
        if ("r-1".equals(frame.getString("address"))) {
          replied = frame.getJsonObject("body").containsKey("tasks");
        } else {
          assertEquals(Addresses.TICKER, frame.getString("address"));
          long seq = frame.getJsonObject("body").getLong("seq");
          assertTrue(lastSeq < 0 || seq == lastSeq + 1, "tick " + seq + " after " + lastSeq + ": none lost, none twice");
          lastSeq = seq;
          ticks++;
        }
      }
    }
    assertTrue(ticks >= 6 && replied, ticks + " ticks, replied: " + replied);
    JsonObject bridge = sockets(http, app.port());
    assertEquals(new JsonObject().put("raw", 0).put("sockjs-websocket", 0).put("sockjs-fallback", 1), bridge.getJsonObject("sockets"));
    assertEquals(2, bridge.getJsonArray("instances").size());
  }

  @Test
  @DisplayName("a send without a payload or with a broken one answers 400, to a session that does not exist 404")
  void badSends(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config());
    WebClient http = client(vertx);
    String session = "/eventbus/000/" + UUID.randomUUID() + "/";
    assertEquals("o\n", post(http, app.port(), session + "xhr", "").bodyAsString());
    HttpResponse<Buffer> empty = post(http, app.port(), session + "xhr_send", "");
    assertEquals(400, empty.statusCode());
    assertEquals("Payload expected.", empty.bodyAsString());
    HttpResponse<Buffer> broken = post(http, app.port(), session + "xhr_send", "[\"a");
    assertEquals(400, broken.statusCode());
    assertEquals("Broken JSON encoding.", broken.bodyAsString());
    assertEquals(404, post(http, app.port(), "/eventbus/000/nosuchsession/xhr_send", "[\"{}\"]").statusCode());
    assertEquals(400, http.get(app.port(), "127.0.0.1", "/eventbus/000/" + UUID.randomUUID() + "/jsonp").send()
      .await(WAIT, TimeUnit.SECONDS).statusCode(), "a JSONP poll without its callback");
    // A bridge frame that is not JSON is the bridge's error, not the transport's.
    assertEquals(204, post(http, app.port(), session + "xhr_send", "[\"not json\"]").statusCode());
    String answer = post(http, app.port(), session + "xhr", "").bodyAsString();
    assertEquals(new JsonObject().put("type", "err").put("body", "invalid_json"),
      new JsonObject(new JsonArray(answer.substring(1).trim()).getString(0)));
  }

  @Test
  @DisplayName("SockJS's iframe page loads sockjs from the app, and the page's Content-Security-Policy stays off /eventbus")
  void iframeAndPolicy(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config());
    WebClient http = client(vertx);
    HttpResponse<Buffer> iframe = http.get(app.port(), "127.0.0.1", "/eventbus/iframe.html").send().await(WAIT, TimeUnit.SECONDS);
    assertEquals(200, iframe.statusCode());
    assertTrue(iframe.bodyAsString().contains("<script src=\"/vendor/sockjs.min.js\"></script>"), iframe.bodyAsString());
    assertNull(iframe.getHeader("Content-Security-Policy"));
    assertNull(http.get(app.port(), "127.0.0.1", "/eventbus/info").send().await(WAIT, TimeUnit.SECONDS)
      .getHeader("Content-Security-Policy"));
    assertNull(http.get(app.port(), "127.0.0.1", "/eventbus/nothing-here").send().await(WAIT, TimeUnit.SECONDS)
      .getHeader("Content-Security-Policy"));
    JsonObject info = http.get(app.port(), "127.0.0.1", "/eventbus/info").send().await(WAIT, TimeUnit.SECONDS).bodyAsJsonObject();
    assertEquals(true, info.getBoolean("websocket"), "clients are told to try WebSocket");
    assertTrue(http.get(app.port(), "127.0.0.1", "/").send().await(WAIT, TimeUnit.SECONDS)
      .getHeader("Content-Security-Policy").contains("script-src 'self'"));
  }
}
