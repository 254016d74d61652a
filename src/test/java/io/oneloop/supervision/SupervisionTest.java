package io.oneloop.supervision;

import io.oneloop.Addresses;
import io.oneloop.chat.ChatVerticle;
import io.oneloop.http.HttpVerticle;
import io.oneloop.support.EventRecorder;
import io.oneloop.support.TestApp;
import io.oneloop.testtasks.FailingStartTask;
import io.oneloop.testtasks.FailingTask;
import io.oneloop.testtasks.HeldStopTask;
import io.oneloop.testtasks.PublishingTask;
import io.oneloop.testtasks.SelfEndingTask;
import io.oneloop.testtasks.ThreadReportTask;
import io.oneloop.testtasks.ThrowingTask;
import io.oneloop.testtasks.WriteGlitchTask;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.oneloop.support.TestApp.config;
import static io.oneloop.support.TestApp.task;
import static io.oneloop.support.TestApp.taskClass;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class SupervisionTest {

  /** The id of the app's child deployment whose instance is of {@code type}. */
  private static String childOfType(Vertx vertx, Class<? extends Deployable> type) {
    return vertx.deploymentIDs().stream()
      .filter(id -> ((VertxInternal) vertx).deploymentManager().deployment(id).deployment().instances().stream()
        .anyMatch(instance -> instance instanceof SupervisedDeployable wrapper && type.isInstance(wrapper.delegate())))
      .findFirst().orElseThrow();
  }

  private static JsonObject taskRecord(Vertx vertx) throws Exception {
    return vertx.eventBus().<JsonObject>request(Addresses.TASKS_LIST, null).await(10, TimeUnit.SECONDS).body()
      .getJsonArray("tasks").getJsonObject(0);
  }

  @Test
  @DisplayName("the task records' states are the words docs/http-api.md lists: starting, standby, running, restarting, ended, failed, stopped")
  void wireNames() {
    Set<String> words = Arrays.stream(ChildState.values()).map(ChildState::wireName).collect(Collectors.toSet());
    assertEquals(Set.of("starting", "standby", "running", "restarting", "ended", "failed", "stopped"), words);
  }

  @Test
  @DisplayName("a task being stopped still shows running in the task list, then stopped once its stop has completed")
  void stoppingShowsRunning(Vertx vertx) throws Exception {
    EventRecorder records = EventRecorder.on(vertx, Addresses.TASKS);
    EventRecorder stopping = EventRecorder.on(vertx, HeldStopTask.STOPPING);
    TestApp app = TestApp.start(vertx, config(taskClass("held", HeldStopTask.class, new JsonObject())));
    JsonObject before = taskRecord(vertx);
    assertEquals("running", before.getString("state"));

    app.main.shutdown("stopped by test");
    stopping.await(e -> true);
    assertEquals(before, taskRecord(vertx), "no change shows while the stop is under way");

    vertx.eventBus().publish(HeldStopTask.RELEASE, "go");
    assertEquals(new Outcome(0, "stopped by test"), app.awaitOutcome());
    records.await(e -> "stopped".equals(e.getString("state")));
    assertEquals(List.of("starting", "running", "stopped"), records.all().stream().map(e -> e.getString("state")).toList());
  }

  @Test
  @DisplayName("the task list is answered while the app runs and no more once it has stopped")
  void tasksListEndsWithTheApp(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config(task("clock", "ticker", new JsonObject())));
    assertEquals("clock", taskRecord(vertx).getString("name"));
    app.main.shutdown("stopped by test");
    assertEquals(new Outcome(0, "stopped by test"), app.awaitOutcome());
    ReplyException e = assertThrows(ReplyException.class,
      () -> vertx.eventBus().request(Addresses.TASKS_LIST, null).await(10, TimeUnit.SECONDS));
    assertEquals(ReplyFailure.NO_HANDLERS, e.failureType());
  }

  static Stream<Arguments> services() {
    return Stream.of(
      Arguments.of(HttpVerticle.class, "the HTTP server stopped"),
      Arguments.of(ChatVerticle.class, "the chat service stopped"));
  }

  @ParameterizedTest(name = "exit code 1: \"{1}\"")
  @MethodSource("services")
  @DisplayName("a service undeployed from outside ends the app with exit code 1, naming the service")
  void serviceEnds(Class<? extends Deployable> type, String reason, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config());
    vertx.undeploy(childOfType(vertx, type)).await(10, TimeUnit.SECONDS);
    assertEquals(new Outcome(1, reason), app.awaitOutcome());
  }

  @Test
  @DisplayName("a task that undeploys itself ends the app with exit code 0 and stops the others")
  void selfUndeployEndsApp(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config(
      task("clock", "ticker", new JsonObject().put("intervalMs", 1000)),
      taskClass("short", SelfEndingTask.class, new JsonObject().put("afterMs", 100))));
    Outcome outcome = app.awaitOutcome();
    assertEquals(new Outcome(0, "task \"short\" ended"), outcome);
    assertFalse(vertx.deploymentIDs().stream().anyMatch(id -> !id.equals(app.deploymentId)),
      "every child is undeployed: " + vertx.deploymentIDs());
  }

  @Test
  @DisplayName("a ticker with a count ends the app normally after that many ticks")
  void tickerCountEnds(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config(task("ticker", "ticker", new JsonObject().put("intervalMs", 20).put("count", 3))));
    assertEquals(new Outcome(0, "task \"ticker\" ended"), app.awaitOutcome());
  }

  @Test
  @DisplayName("not clustered, a singleton task simply runs: its record names the local node, and its ticks count on from 1")
  void singletonRunsAlone(Vertx vertx) throws Exception {
    EventRecorder ticks = EventRecorder.on(vertx, Addresses.TICKER);
    TestApp.start(vertx, config(task("ticker", "ticker", new JsonObject().put("intervalMs", 20)).put("singleton", true)));
    assertEquals(1L, ticks.await(e -> true).getLong("seq"));
    assertEquals(2L, ticks.await(e -> e.getLong("seq") == 2).getLong("seq"));
    JsonObject record = taskRecord(vertx);
    assertEquals("running", record.getString("state"));
    assertEquals("local", record.getString("node"));
    assertTrue(record.getBoolean("singleton"));
  }

  @Test
  @DisplayName("an exception escaping a task's handler ends the app with exit code 1 and the reason")
  void escapedExceptionFails(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config(taskClass("feed", ThrowingTask.class, new JsonObject())));
    assertEquals(new Outcome(1, "task \"feed\" failed: the feed went away"), app.awaitOutcome());
  }

  @Test
  @DisplayName("Vert.x's double completion of a write to a leaving cluster peer does not fail the task on whose context it lands; the task's own exception still does")
  void vertxWriteGlitchIsNotTheTasks(Vertx vertx) throws Exception {
    long started = System.nanoTime();
    TestApp app = TestApp.start(vertx, config(taskClass("ticker", WriteGlitchTask.class, new JsonObject().put("thenFailAfterMs", 1500))));
    // the same exception thrown from the task's own code (its frames on the stack) is its failure
    assertEquals(new Outcome(1, "task \"ticker\" failed: Promise already completed"), app.awaitOutcome());
    long endedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(endedMs >= 1500, "ended " + endedMs + " ms after the start: by the Vert.x one at 50 ms");
  }

  @Test
  @DisplayName("a Task that calls fail(reason) ends the app with exit code 1 and that reason")
  void taskFailWithReason(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config(taskClass("upstream", FailingTask.class, new JsonObject())));
    assertEquals(new Outcome(1, "task \"upstream\" failed: the upstream answered 503"), app.awaitOutcome());
  }

  @Test
  @DisplayName("a task runs on a worker thread unless its entry says event-loop")
  void threadingModels(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config(
      taskClass("w", ThreadReportTask.class, new JsonObject().put("name", "w")),
      taskClass("e", ThreadReportTask.class, new JsonObject().put("name", "e")).put("threading", "event-loop")));
    assertEquals("worker", vertx.eventBus().request("test.thread.w", "").await(10, TimeUnit.SECONDS).body());
    assertEquals("event-loop", vertx.eventBus().request("test.thread.e", "").await(10, TimeUnit.SECONDS).body());
    app.main.shutdown("test over");
    assertEquals(new Outcome(0, "test over"), app.awaitOutcome());
  }

  @Test
  @DisplayName("a task whose start fails stops the start with a message naming the task")
  void failedStart(Vertx vertx) {
    Exception e = assertThrows(Exception.class, () -> TestApp.deploy(vertx,
      config(task("ticker", "ticker", new JsonObject()), taskClass("feed", FailingStartTask.class, new JsonObject())))
      .await(20, TimeUnit.SECONDS));
    assertEquals("task \"feed\" (" + FailingStartTask.class.getName() + ") failed to start: cannot reach the feed", e.getMessage());
    assertTrue(vertx.deploymentIDs().isEmpty(), "the ticker deployed before it is undeployed again");
  }

  @Test
  @DisplayName("a bad task setting fails the start with the setting named: by the check for a task with a shape, by the task itself without")
  void badTaskSetting(Vertx vertx) {
    Exception e = assertThrows(Exception.class, () -> TestApp.deploy(vertx,
      config(task("ticker", "ticker", new JsonObject().put("intervalMs", "fast")))).await(20, TimeUnit.SECONDS));
    assertEquals("test config: tasks[0].config.intervalMs must be an integer 1-2147483647, got \"fast\"", e.getMessage());
    Exception unshaped = assertThrows(Exception.class, () -> TestApp.deploy(vertx,
      config(taskClass("pub", PublishingTask.class, new JsonObject().put("address", 5)))).await(20, TimeUnit.SECONDS));
    assertEquals("task \"pub\" (" + PublishingTask.class.getName() + ") failed to start: config.address must be a non-empty string, got 5",
      unshaped.getMessage());
  }

  @Test
  @DisplayName("a taken port fails the start with the host and port in the message")
  void portInUse(Vertx vertx) throws Exception {
    // A plain socket: a second Vert.x server on the same port would share it rather than fail.
    try (ServerSocket blocker = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      JsonObject cfg = config();
      cfg.getJsonObject("http").put("port", blocker.getLocalPort());
      Exception e = assertThrows(Exception.class,
        () -> TestApp.deploy(vertx, cfg).await(20, TimeUnit.SECONDS));
      assertEquals("cannot listen on 127.0.0.1:" + blocker.getLocalPort() + ": address already in use", e.getMessage());
    }
  }
}
