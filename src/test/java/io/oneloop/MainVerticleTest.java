package io.oneloop;

import io.oneloop.supervision.Outcome;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The main verticle as a launcher deploys it: no-argument constructor, the config as the deployment's JSON. */
@ExtendWith(VertxExtension.class)
class MainVerticleTest {

  @Test
  @DisplayName("deployed with a JSON config, the app serves it, and closing Vert.x runs the ordered shutdown")
  void deployedWithJson(Vertx vertx) throws Exception {
    // Its own Vert.x, closed by the test as the legacy launcher closes it on a signal.
    Vertx launched = Vertx.vertx();
    MainVerticle main = new MainVerticle();
    JsonObject config = new JsonObject()
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("tasks", new JsonArray());
    launched.deployVerticle(main, new DeploymentOptions().setConfig(config)).await(20, TimeUnit.SECONDS);
    int status = WebClient.create(vertx).get(main.httpPort(), "127.0.0.1", "/health").send().await(10, TimeUnit.SECONDS)
      .statusCode();
    assertEquals(200, status);
    launched.close().await(20, TimeUnit.SECONDS);
    assertEquals(Outcome.ok("Vert.x is closing"), main.terminated().await(5, TimeUnit.SECONDS));
  }

  @Test
  @DisplayName("deployed with a bad JSON config, the start fails with the same message as from a -conf file")
  void badJsonFailsTheStart(Vertx vertx) {
    JsonObject config = new JsonObject().put("shutdownTimeoutMs", 0);
    Exception e = assertThrows(Exception.class, () -> vertx.deployVerticle(new MainVerticle(),
      new DeploymentOptions().setConfig(config)).await(20, TimeUnit.SECONDS));
    assertEquals("config: shutdownTimeoutMs must be an integer 1-2147483647, got 0", e.getMessage());
  }
}
