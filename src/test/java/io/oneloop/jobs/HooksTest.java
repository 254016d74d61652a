package io.oneloop.jobs;

import io.oneloop.Addresses;
import io.oneloop.supervision.Outcome;
import io.oneloop.config.AppConfig;
import io.oneloop.config.ConfigException;
import io.oneloop.config.ConfigLoader;
import io.oneloop.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.oneloop.support.TestApp.config;
import static io.oneloop.support.TestApp.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@ExtendWith(VertxExtension.class)
class HooksTest {

  private static JsonObject announce(String text) {
    return new JsonObject().put("type", "broadcast")
      .put("params", new JsonObject().put("address", "test.hooks").put("body", text));
  }

  /** The default permissions plus the address the hooks announce on. */
  private static JsonObject withHooks(JsonObject config, JsonArray startup, JsonArray shutdown) {
    JsonArray outbound = new JsonArray().add(new JsonObject().put("address", "test.hooks"))
      .add(new JsonObject().put("address", Addresses.TASKS));
    return config.put("bridge", new JsonObject().put("outbound", outbound))
      .put("hooks", new JsonObject().put("startup", startup).put("shutdown", shutdown));
  }

  @Test
  @DisplayName("startup hooks run in order before the tasks start; shutdown hooks run after the tasks stopped")
  void hooksInOrder(Vertx vertx) throws Exception {
    List<String> order = new CopyOnWriteArrayList<>();
    vertx.eventBus().<String>consumer("test.hooks", msg -> order.add("hook " + msg.body())).completion().await(5, TimeUnit.SECONDS);
    vertx.eventBus().<JsonObject>consumer(Addresses.TASKS, msg -> order.add("task " + msg.body().getString("state")))
      .completion().await(5, TimeUnit.SECONDS);
    JsonObject cfg = withHooks(config(task("ticker", "ticker", new JsonObject())),
      new JsonArray().add(new JsonObject().put("type", "sleep").put("params", new JsonObject().put("ms", 50))).add(announce("up 1")).add(announce("up 2")),
      new JsonArray().add(announce("down 1")).add(announce("down 2")));
    TestApp app = TestApp.start(vertx, cfg);
    app.main.shutdown("stopped by test");
    assertEquals(new Outcome(0, "stopped by test"), app.awaitOutcome());
    assertEquals(List.of("hook up 1", "hook up 2", "task starting", "task running", "task stopped", "hook down 1", "hook down 2"), order);
  }

  @Test
  @DisplayName("a startup hook that overruns its time-out stops the start, naming the hook")
  void startupHookTimeout(Vertx vertx) {
    JsonObject cfg = withHooks(config(), new JsonArray().add(new JsonObject().put("type", "sleep")
      .put("params", new JsonObject().put("ms", 60_000)).put("timeoutMs", 100)), new JsonArray());
    Exception e = assertThrows(Exception.class,
      () -> TestApp.deploy(vertx, cfg).await(20, TimeUnit.SECONDS));
    assertEquals("startup hook 1 (sleep) failed: timed out after 100 ms", e.getMessage());
  }

  @Test
  @DisplayName("a failing shutdown hook is logged and the shutdown goes on")
  void failingShutdownHook(Vertx vertx) throws Exception {
    List<String> announced = new CopyOnWriteArrayList<>();
    vertx.eventBus().<String>consumer("test.hooks", msg -> announced.add(msg.body())).completion().await(5, TimeUnit.SECONDS);
    JsonObject cfg = withHooks(config(), new JsonArray(), new JsonArray()
      .add(new JsonObject().put("type", "sleep").put("params", new JsonObject().put("ms", 60_000)).put("timeoutMs", 100))
      .add(announce("after the failure")));
    TestApp app = TestApp.start(vertx, cfg);
    app.main.shutdown("stopped by test");
    assertEquals(new Outcome(0, "stopped by test"), app.awaitOutcome());
    assertEquals(List.of("after the failure"), announced);
  }

  private static String configError(JsonObject hooks) {
    JsonObject given = new JsonObject().put("hooks", hooks);
    return assertThrows(ConfigException.class,
      () -> AppConfig.validate(ConfigLoader.resolve(given, true, Map.of()), "my.json")).getMessage();
  }

  @Test
  @DisplayName("hooks are checked with the config: an unknown job type or bad params stop the start")
  void hooksChecked() {
    JsonObject badParams = new JsonObject().put("type", "sleep").put("params", new JsonObject().put("ms", -1));
    assertEquals("my.json: hooks.startup[0].params.ms must be an integer 0-86400000, got -1",
      configError(new JsonObject().put("startup", new JsonArray().add(badParams))));
    assertEquals("my.json: hooks.shutdown[0].type must be a job type (broadcast, sleep), got \"backup\"",
      configError(new JsonObject().put("shutdown", new JsonArray().add(new JsonObject().put("type", "backup")))));
  }
}
