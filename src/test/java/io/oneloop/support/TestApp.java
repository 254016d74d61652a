package io.oneloop.support;

import io.oneloop.MainVerticle;
import io.oneloop.app.Outcome;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;

/** The app deployed in-process on a test's Vert.x, on 127.0.0.1 and a free port. */
public final class TestApp {

  public final MainVerticle main;
  public final String deploymentId;

  private TestApp(MainVerticle main, String deploymentId) {
    this.main = main;
    this.deploymentId = deploymentId;
  }

  /** A config on 127.0.0.1:0 with the given tasks and otherwise the defaults. */
  public static JsonObject config(JsonObject... tasks) {
    return new JsonObject()
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("tasks", new JsonArray(java.util.List.of((Object[]) tasks)));
  }

  public static JsonObject task(String name, String type, JsonObject config) {
    return new JsonObject().put("name", name).put("type", type).put("config", config);
  }

  public static JsonObject taskClass(String name, Class<?> type, JsonObject config) {
    return new JsonObject().put("name", name).put("class", type.getName()).put("config", config);
  }

  public static TestApp start(Vertx vertx, JsonObject config) throws Exception {
    MainVerticle main = new MainVerticle(outcome -> { });
    String id = deploy(vertx, main, config).await(20, TimeUnit.SECONDS);
    return new TestApp(main, id);
  }

  public static Future<String> deploy(Vertx vertx, MainVerticle main, JsonObject config) {
    return vertx.deployVerticle(main, new DeploymentOptions().setConfig(config));
  }

  public int port() {
    return main.httpPort();
  }

  public Outcome awaitOutcome() throws Exception {
    return main.terminated().await(20, TimeUnit.SECONDS);
  }
}
