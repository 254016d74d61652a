package io.oneloop.support;

import io.oneloop.MainVerticle;
import io.oneloop.supervision.Outcome;
import io.oneloop.config.AppConfig;
import io.oneloop.config.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
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
      .put("tasks", new JsonArray(List.of((Object[]) tasks)));
  }

  public static JsonObject task(String name, String type, JsonObject config) {
    return new JsonObject().put("name", name).put("type", type).put("config", config);
  }

  public static JsonObject taskClass(String name, Class<?> type, JsonObject config) {
    return new JsonObject().put("name", name).put("class", type.getName()).put("config", config);
  }

  public static TestApp start(Vertx vertx, JsonObject config) throws Exception {
    MainVerticle main = verticle(config);
    String id = vertx.deployVerticle(main).await(20, TimeUnit.SECONDS);
    return new TestApp(main, id);
  }

  /** Deploys the app; the future fails as the app's start does. */
  public static Future<String> deploy(Vertx vertx, JsonObject config) {
    return vertx.deployVerticle(verticle(config));
  }

  /** The main verticle with {@code config} completed and checked as {@code -conf} would be, without the environment. */
  private static MainVerticle verticle(JsonObject config) {
    AppConfig checked = AppConfig.validate(ConfigLoader.resolve(config, true, Map.of()), "test config");
    return new MainVerticle(checked, outcome -> { });
  }

  public int port() {
    return main.httpPort();
  }

  public Outcome awaitOutcome() throws Exception {
    return main.terminated().await(20, TimeUnit.SECONDS);
  }
}
