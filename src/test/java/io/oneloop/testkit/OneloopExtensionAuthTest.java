package io.oneloop.testkit;

import io.oneloop.Addresses;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The test kit for an app with auth on: its requests and bridge clients carry the token it is given. */
class OneloopExtensionAuthTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String ADMIN = "admin-token-0123456789abcdef";
  private static final String VIEWER = "viewer-token-0123456789abcdef";

  @RegisterExtension
  static OneloopExtension oneloop = OneloopExtension.builder()
    .config(new JsonObject()
      .put("auth", new JsonObject().put("tokens", new JsonArray()
        .add(new JsonObject().put("name", "ops").put("role", "admin").put("token", ADMIN))
        .add(new JsonObject().put("name", "wall").put("role", "viewer").put("token", VIEWER))))
      .put("tasks", new JsonArray(List.of(new JsonObject().put("name", "ticker").put("type", "ticker")
        .put("config", new JsonObject().put("intervalMs", 100))))))
    .token(ADMIN)
    .build();

  @Test
  void requestsCarryTheToken() throws Exception {
    assertEquals("running", oneloop.task("ticker").getString("state"));
    JsonObject job = oneloop.runJob("sleep", new JsonObject().put("ms", 10), WAIT);
    assertEquals("succeeded", job.getString("state"), job.encode());
  }

  @Test
  void bridgeClientsCarryATokenAndNoneIsRefused() throws Exception {
    BridgeClient admin = oneloop.connectBridge(Transport.RAW).register(Addresses.TICKER);
    assertTrue(((JsonObject) admin.awaitMessage(Addresses.TICKER, WAIT)).getLong("seq") >= 1);
    BridgeClient viewer = oneloop.connectBridge(Transport.SOCKJS, VIEWER).register(Addresses.TICKER);
    assertTrue(((JsonObject) viewer.awaitMessage(Addresses.TICKER, WAIT)).getLong("seq") >= 1);
    UpgradeRejectedException refused = assertThrows(UpgradeRejectedException.class,
      () -> oneloop.connectBridge(Transport.RAW, null));
    assertEquals(401, refused.getStatus());
  }

  @Test
  void withoutTheTokenTheAppAnswers401() throws Exception {
    int status = oneloop.vertx().createHttpClient().request(HttpMethod.GET, oneloop.port(), "127.0.0.1", "/api/tasks")
      .compose(request -> request.send()).map(response -> response.statusCode())
      .await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertEquals(401, status);
  }
}
