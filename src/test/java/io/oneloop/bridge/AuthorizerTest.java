package io.oneloop.bridge;

import io.oneloop.Addresses;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.PrometheusText;
import io.oneloop.support.TickingApp;
import io.oneloop.testkit.Transport;
import io.oneloop.testtasks.TestAuthorizer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bridge.authorizer: asked after the static lists, it allows, denies, throws or never answers, and the socket and the process live on. */
class AuthorizerTest {

  private static final long TIMEOUT_MS = 500;

  @RegisterExtension
  final TickingApp app = TickingApp.with(config -> config.put("bridge", new JsonObject()
    .put("authorizer", TestAuthorizer.class.getName())
    .put("authorizerTimeoutMs", TIMEOUT_MS)
    // Above the frames the tests send at once: the authorizer's own bound is what they meet.
    .put("maxInboundPerSecond", 1000)
    .put("outbound", new JsonArray().add(new JsonObject().put("addressRegex", ".*")))
    .put("inbound", new JsonArray().add(new JsonObject().put("addressRegex", "(allow|deny|throw|fail|hang)\\..*")))));

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("allow lets a register and a publish through; deny, throw, fail and no answer give access_denied, within the bound")
  void verdicts(Transport transport, Vertx vertx) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport);
    try {
      client.register("allow.news").publish("allow.news", "hi");
      assertEquals("hi", client.await(BridgeClient.isRec("allow.news")).getString("body"));
      for (String address : new String[] {"deny.news", "throw.news", "fail.news", "hang.news"}) {
        long started = System.nanoTime();
        client.register(address);
        assertEquals("access_denied", client.awaitErr(), address);
        client.publish(address, "x");
        assertEquals("access_denied", client.awaitErr(), address);
        // Generous: the bound is TIMEOUT_MS, the machine is shared.
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(10), address);
      }
      // Order holds: a frame after a stalled one waits for it, then goes through.
      client.register("hang.first").register("allow.after");
      assertEquals("access_denied", client.awaitErr());
      client.publish("allow.after", "later");
      assertEquals("later", client.await(BridgeClient.isRec("allow.after")).getString("body"));
      // The static lists come first: what inbound refuses is never asked about.
      client.publish("elsewhere", "x");
      assertEquals("access_denied", client.awaitErr());
    } finally {
      client.close();
    }
    PrometheusText metrics = scrape(vertx);
    for (String reason : new String[] {"denied", "failed", "timeout"}) {
      assertTrue(metrics.value("oneloop_authorizer_denied_total", "reason", reason) >= 1, reason);
    }
    assertTrue(metrics.value("oneloop_authorizer_seconds_count") >= 10);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("a connect the authorizer denies: 403 at the raw handshake, c[4403,\"forbidden\"] on SockJS")
  void connectDenied(Transport transport, Vertx vertx) throws Exception {
    if (transport == Transport.RAW) {
      Exception refused = assertThrows(Exception.class,
        () -> BridgeClient.connect(vertx, app.port(), transport, null, Map.of("X-Deny", "1")));
      assertTrue(refused instanceof UpgradeRejectedException rejected && rejected.getStatus() == 403, refused.toString());
    } else {
      BridgeClient client = BridgeClient.connect(vertx, app.port(), transport, null, Map.of("X-Deny", "1"));
      try {
        BridgeClient.Closed closed = client.closed().await(10, TimeUnit.SECONDS);
        assertEquals(4403, closed.code());
        assertEquals("forbidden", closed.reason());
      } finally {
        client.close();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("a page registering for 50 addresses at once, as at connect, has every one allowed: none is refused for waiting")
  void burstAllowed(Transport transport, Vertx vertx) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport);
    try {
      for (int i = 0; i < 50; i++) {
        client.register("allow.burst." + i);
      }
      for (int i = 0; i < 50; i++) {
        client.publish("allow.burst." + i, i);
        assertEquals(i, client.await(BridgeClient.isRec("allow.burst." + i)).getInteger("body"));
      }
    } finally {
      client.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("a client cannot make more than 64 frames wait on a stalled authorizer: the rest are answered rate_limited at once")
  void pendingBounded(Transport transport, Vertx vertx) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport);
    try {
      for (int i = 0; i < 70; i++) {
        client.publish("hang." + i, i);
      }
      int limited = 0;
      int denied = 0;
      for (int i = 0; i < 70; i++) {
        String err = client.awaitErr();
        if (err.equals("rate_limited")) {
          limited++;
        } else {
          assertEquals("access_denied", err);
          denied++;
        }
      }
      assertEquals(6, limited);
      assertEquals(64, denied);
      client.register(Addresses.TICKER).awaitRec(Addresses.TICKER);
    } finally {
      client.close();
    }
  }

  private PrometheusText scrape(Vertx vertx) throws Exception {
    HttpResponse<Buffer> response = WebClient.create(vertx).get(app.port(), "127.0.0.1", "/metrics").send().await(10, TimeUnit.SECONDS);
    return PrometheusText.parse(response.bodyAsString());
  }
}
