package io.oneloop.bridge;

import io.oneloop.http.HttpErrorsTest;
import io.oneloop.Addresses;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.TestApp;
import io.oneloop.support.TickingApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.oneloop.support.TestApp.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bridge.allowedOrigins at every bridge handshake and on every SockJS path, the opaque origin "null" included, and SockJS's CORS answers never echoing another origin. */
class BridgeOriginTest {

  @RegisterExtension
  final TickingApp app = TickingApp.withDefaults();

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("a page from another origin is refused with 403 at the handshake; its own origin, localhost's and none connect")
  void handshake(Transport transport, Vertx vertx) throws Exception {
    for (String origin : new String[] {"https://evil.example", "null", "http://127.0.0.1.evil.example:" + app.port()}) {
      Exception refused = assertThrows(Exception.class,
        () -> BridgeClient.connect(vertx, app.port(), transport, null, Map.of("Origin", origin)));
      assertTrue(refused instanceof UpgradeRejectedException rejected && rejected.getStatus() == 403, origin + ": " + refused);
    }
    for (String origin : new String[] {"http://127.0.0.1:" + app.port(), "https://127.0.0.1:" + app.port(), "http://localhost:3000"}) {
      BridgeClient client = BridgeClient.connect(vertx, app.port(), transport, null, Map.of("Origin", origin));
      client.register(Addresses.TICKER).awaitRec(Addresses.TICKER);
      client.close();
    }
  }

  @Test
  @DisplayName("SockJS's HTTP transports refuse another origin with 403 and echo only an allowed one in their CORS answers")
  void sockJsCors(Vertx vertx) throws Exception {
    WebClient web = WebClient.create(vertx);
    HttpResponse<Buffer> evil = web.post(app.port(), "127.0.0.1", "/eventbus/123/abcdef/xhr")
      .putHeader("Origin", "https://evil.example").send().await(10, TimeUnit.SECONDS);
    assertEquals(403, evil.statusCode());
    assertNull(evil.getHeader("Access-Control-Allow-Origin"));
    HttpResponse<Buffer> info = web.get(app.port(), "127.0.0.1", "/eventbus/info")
      .putHeader("Origin", "https://evil.example").send().await(10, TimeUnit.SECONDS);
    assertEquals(403, info.statusCode());
    assertNull(info.getHeader("Access-Control-Allow-Origin"));
    HttpResponse<Buffer> local = web.get(app.port(), "127.0.0.1", "/eventbus/info")
      .putHeader("Origin", "http://localhost:3000").send().await(10, TimeUnit.SECONDS);
    assertEquals(200, local.statusCode());
    String allowed = local.getHeader("Access-Control-Allow-Origin");
    assertTrue(allowed == null || allowed.equals("http://localhost:3000"), allowed);
  }

  /** Every SockJS path a page can reach over HTTP, for one session. */
  private static List<String> sockJsHttpPaths(String session) {
    return List.of("/eventbus/info", session + "xhr", session + "xhr_send", session + "xhr_streaming", session + "jsonp?c=cb",
      session + "jsonp_send", session + "eventsource", session + "htmlfile?c=cb");
  }

  private static String session() {
    return "/eventbus/000/" + UUID.randomUUID() + "/";
  }

  /** A jsonp send as sockjs-client's form posts it: {@code d=<the frames as a JSON array>}. */
  private static HttpResponse<Buffer> jsonpSend(WebClient web, int port, String session, String origin, String frame) throws Exception {
    String form = "d=" + URLEncoder.encode(new JsonArray().add(frame).encode(), StandardCharsets.UTF_8);
    return web.post(port, "127.0.0.1", session + "jsonp_send").putHeader("Origin", origin)
      .putHeader("Content-Type", "application/x-www-form-urlencoded").sendBuffer(Buffer.buffer(form)).await(10, TimeUnit.SECONDS);
  }

  private static String register(String address) {
    return new JsonObject().put("type", "register").put("address", address).encode();
  }

  @Test
  @DisplayName("Origin: null (sandboxed iframes, file: pages) is refused with 403 on every SockJS HTTP path, jsonp_send and xhr_send included")
  void opaqueOriginRefused(Vertx vertx) throws Exception {
    // One connection per request: a refused request may take its connection with it.
    WebClient web = WebClient.create(vertx, new WebClientOptions().setKeepAlive(false));
    String session = session();
    assertEquals("o\n", web.post(app.port(), "127.0.0.1", session + "xhr").send().await(10, TimeUnit.SECONDS).bodyAsString(),
      "a session opened without an Origin");
    for (String path : sockJsHttpPaths(session)) {
      HttpResponse<Buffer> refused = web.post(app.port(), "127.0.0.1", path).putHeader("Origin", "null")
        .sendBuffer(Buffer.buffer(new JsonArray().add(register(Addresses.TICKER)).encode())).await(10, TimeUnit.SECONDS);
      HttpErrorsTest.assertError(403, refused.statusCode(), refused.getHeader("content-type"), refused.bodyAsString());
      assertNull(refused.getHeader("Access-Control-Allow-Origin"), path);
    }
    assertEquals(403, jsonpSend(web, app.port(), session, "null", register(Addresses.TICKER)).statusCode());
    // Nothing the refused sends asked for reached the session: its next poll holds no tick.
    web.post(app.port(), "127.0.0.1", session + "xhr_send").sendBuffer(Buffer.buffer(new JsonArray().add(register("nowhere")).encode()))
      .await(10, TimeUnit.SECONDS);
    String poll = web.post(app.port(), "127.0.0.1", session + "xhr").send().await(10, TimeUnit.SECONDS).bodyAsString();
    assertTrue(poll.contains("access_denied") && !poll.contains(Addresses.TICKER), poll);
  }

  @Test
  @DisplayName("with \"null\" listed in bridge.allowedOrigins, Origin: null may open the bridge and send over jsonp; \"*\" alone does not let it in")
  void opaqueOriginListed(Vertx vertx) throws Exception {
    WebClient web = WebClient.create(vertx, new WebClientOptions().setKeepAlive(false));
    TestApp star = TestApp.start(vertx, TestApp.config().put("bridge", new JsonObject().put("allowedOrigins", new JsonArray().add("*"))));
    assertEquals(403, jsonpSend(web, star.port(), session(), "null", register(Addresses.TICKER)).statusCode(), "\"*\" is not \"null\"");
    assertEquals(200, web.get(star.port(), "127.0.0.1", "/eventbus/info").putHeader("Origin", "https://anywhere.example")
      .send().await(10, TimeUnit.SECONDS).statusCode(), "\"*\" lets other origins in");

    TestApp listed = TestApp.start(vertx, TestApp.config(task("ticker", "ticker", new JsonObject().put("intervalMs", 100)))
      .put("bridge", new JsonObject().put("allowedOrigins", new JsonArray().add("null"))));
    String session = session();
    assertEquals("o\n", web.post(listed.port(), "127.0.0.1", session + "xhr").send().await(10, TimeUnit.SECONDS).bodyAsString());
    HttpResponse<Buffer> sent = jsonpSend(web, listed.port(), session, "null", register(Addresses.TICKER));
    assertEquals(200, sent.statusCode(), sent.bodyAsString());
    String poll = web.post(listed.port(), "127.0.0.1", session + "xhr").send().await(10, TimeUnit.SECONDS).bodyAsString();
    assertTrue(poll.contains(Addresses.TICKER), "the registered session gets ticks: " + poll);
    for (Transport transport : Transport.values()) {
      BridgeClient client = BridgeClient.connect(vertx, listed.port(), transport, null, Map.of("Origin", "null"));
      client.register(Addresses.TICKER).awaitRec(Addresses.TICKER);
      client.close();
    }
  }
}
