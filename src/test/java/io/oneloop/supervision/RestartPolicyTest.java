package io.oneloop.supervision;

import io.oneloop.Addresses;
import io.oneloop.config.RestartPolicy;
import io.oneloop.support.EventRecorder;
import io.oneloop.support.TestApp;
import io.oneloop.testtasks.FailingStartTask;
import io.oneloop.testtasks.FlakyTask;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.oneloop.support.TestApp.config;
import static io.oneloop.support.TestApp.task;
import static io.oneloop.support.TestApp.taskClass;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class RestartPolicyTest {

  /** The states the records on oneloop.tasks gave task {@code name}, in order. */
  private static List<String> states(EventRecorder events, String name) {
    return events.all().stream().filter(e -> name.equals(e.getString("name"))).map(e -> e.getString("state")).toList();
  }

  private static JsonObject flaky(String name, JsonObject taskConfig, JsonObject restart) {
    JsonObject entry = taskClass(name, FlakyTask.class, taskConfig.put("name", name));
    if (restart != null) {
      entry.put("restart", restart);
    }
    return entry;
  }

  private static Predicate<JsonObject> state(String name, String state) {
    return e -> name.equals(e.getString("name")) && state.equals(e.getString("state"));
  }

  @Test
  @DisplayName("backoff doubles from backoffMs and stops growing at maxBackoffMs")
  void backoffDoubles() {
    RestartPolicy policy = new RestartPolicy(RestartPolicy.Kind.ON_FAILURE, 10, 60_000, 500, 5000);
    List<Long> delays = new ArrayList<>();
    for (int n = 1; n <= 6; n++) {
      delays.add(policy.backoffBefore(n));
    }
    assertEquals(List.of(500L, 1000L, 2000L, 4000L, 5000L, 5000L), delays);
  }

  @Test
  @DisplayName("on-failure restarts a failing task after its backoff until it runs, and the record counts the restarts")
  void onFailureRestarts(Vertx vertx) throws Exception {
    EventRecorder events = EventRecorder.on(vertx, Addresses.TASKS);
    TestApp app = TestApp.start(vertx, config(flaky("feed", new JsonObject().put("failTimes", 2),
      new JsonObject().put("policy", "on-failure").put("backoffMs", 100).put("maxBackoffMs", 1000))));
    JsonObject running = events.await(state("feed", "running").and(e -> e.getInteger("restarts") == 2));
    assertEquals("flaky failure 2", running.getString("lastError"));
    assertEquals(List.of("starting", "running", "restarting", "starting", "running", "restarting", "starting", "running"), states(events, "feed"));
    // Each restart waited at least its backoff: 100 ms, then 200 ms.
    List<JsonObject> feed = events.all().stream().filter(e -> "feed".equals(e.getString("name"))).toList();
    assertTrue(Instant.parse(feed.get(3).getString("since")).toEpochMilli() - Instant.parse(feed.get(2).getString("since")).toEpochMilli() >= 100);
    assertTrue(Instant.parse(feed.get(6).getString("since")).toEpochMilli() - Instant.parse(feed.get(5).getString("since")).toEpochMilli() >= 200);
    assertFalse(app.main.terminated().isComplete());

    JsonArray list = WebClient.create(vertx).get(app.port(), "127.0.0.1", "/api/tasks").send().await(5, TimeUnit.SECONDS).bodyAsJsonArray();
    JsonObject record = list.getJsonObject(0);
    assertEquals(List.of("kind", "lastError", "name", "node", "restarts", "since", "singleton", "startedAt", "state"), record.fieldNames().stream().sorted().toList());
    assertEquals(2, record.getInteger("restarts"));
    assertEquals("running", record.getString("state"));
  }

  @Test
  @DisplayName("more than maxRestarts restarts within withinMs fails a critical task for good: the app ends with exit code 1")
  void escalation(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config(flaky("feed", new JsonObject(),
      new JsonObject().put("policy", "always").put("maxRestarts", 2).put("withinMs", 60000).put("backoffMs", 10))));
    Outcome outcome = app.awaitOutcome();
    assertEquals(1, outcome.exitCode());
    assertEquals("task \"feed\" failed: flaky failure 3 (gave up after 2 restart(s) within 60000 ms)", outcome.reason());
  }

  @Test
  @DisplayName("on-failure does not restart a task that ended normally: a critical one ends the app with exit code 0")
  void onFailureDoesNotRestartEnd(Vertx vertx) throws Exception {
    EventRecorder events = EventRecorder.on(vertx, Addresses.TASKS);
    TestApp app = TestApp.start(vertx, config(flaky("batch", new JsonObject().put("end", true),
      new JsonObject().put("policy", "on-failure").put("backoffMs", 10))));
    assertEquals(new Outcome(0, "task \"batch\" ended"), app.awaitOutcome());
    // The record may reach the recorder a moment after the outcome.
    events.await(state("batch", "ended"));
    assertEquals(List.of("starting", "running", "ended"), states(events, "batch"));
  }

  @Test
  @DisplayName("always restarts a task that ended normally")
  void alwaysRestartsEnd(Vertx vertx) throws Exception {
    EventRecorder events = EventRecorder.on(vertx, Addresses.TASKS);
    TestApp app = TestApp.start(vertx, config(flaky("poll", new JsonObject().put("end", true).put("afterMs", 50),
      new JsonObject().put("policy", "always").put("backoffMs", 10).put("maxRestarts", 100))));
    events.await(state("poll", "running").and(e -> e.getInteger("restarts") >= 2));
    assertNull(events.await(state("poll", "running")).getString("lastError"));
    assertFalse(app.main.terminated().isComplete());
  }

  @Test
  @DisplayName("a task waiting out its backoff when the app stops is recorded stopped at once, without being started again")
  void stopDuringBackoff(Vertx vertx) throws Exception {
    EventRecorder events = EventRecorder.on(vertx, Addresses.TASKS);
    TestApp app = TestApp.start(vertx, config(flaky("feed", new JsonObject(),
      new JsonObject().put("policy", "on-failure").put("backoffMs", 60_000).put("maxBackoffMs", 60_000))));
    events.await(state("feed", "restarting"));
    app.main.shutdown("test over");
    assertEquals(new Outcome(0, "test over"), app.awaitOutcome());
    events.await(state("feed", "stopped"));
    assertEquals(List.of("starting", "running", "restarting", "stopped"), states(events, "feed"));
  }

  @Test
  @DisplayName("a non-critical task that fails is marked failed and the app goes on")
  void nonCriticalFailure(Vertx vertx) throws Exception {
    EventRecorder events = EventRecorder.on(vertx, Addresses.TASKS);
    TestApp app = TestApp.start(vertx, config(
      task("ticker", "ticker", new JsonObject().put("intervalMs", 1000)),
      flaky("extra", new JsonObject(), null).put("critical", false)));
    JsonObject failed = events.await(state("extra", "failed"));
    assertEquals("flaky failure 1", failed.getString("lastError"));
    assertEquals(200, WebClient.create(vertx).get(app.port(), "127.0.0.1", "/health").send().await(5, TimeUnit.SECONDS).statusCode());
    JsonArray list = WebClient.create(vertx).get(app.port(), "127.0.0.1", "/api/tasks").send().await(5, TimeUnit.SECONDS).bodyAsJsonArray();
    assertEquals("running", list.getJsonObject(0).getString("state"));
    assertEquals("failed", list.getJsonObject(1).getString("state"));
    assertFalse(app.main.terminated().isComplete());
    app.main.shutdown("test over");
    assertEquals(new Outcome(0, "test over"), app.awaitOutcome());
    assertEquals("stopped", events.await(state("ticker", "stopped")).getString("state"));
  }

  @Test
  @DisplayName("a restart policy does not save a task whose first start fails: the start fails")
  void policyDoesNotApplyAtBoot(Vertx vertx) {
    JsonObject entry = taskClass("feed", FailingStartTask.class, new JsonObject())
      .put("restart", new JsonObject().put("policy", "always"));
    Exception e = assertThrows(Exception.class,
      () -> TestApp.deploy(vertx, config(entry)).await(20, TimeUnit.SECONDS));
    assertTrue(e.getMessage().contains("failed to start: cannot reach the feed"), e.getMessage());
  }
}
