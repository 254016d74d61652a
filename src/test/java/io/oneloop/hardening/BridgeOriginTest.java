package io.oneloop.hardening;

import io.oneloop.Addresses;
import io.oneloop.support.BridgeClient;
import io.oneloop.support.TickingApp;
import io.oneloop.support.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bridge.allowedOrigins at every bridge handshake, and SockJS's CORS answers never echoing another origin. */
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
}
