package io.oneloop.http;

import io.oneloop.Addresses;
import io.oneloop.supervision.Outcome;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.TestApp;
import io.oneloop.testtasks.HeldStopTask;
import io.oneloop.testtasks.StubbornTask;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static io.oneloop.support.TestApp.config;
import static io.oneloop.support.TestApp.taskClass;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class HttpAndShutdownTest {

  private static HttpResponse<io.vertx.core.buffer.Buffer> get(Vertx vertx, int port, String path) throws Exception {
    return WebClient.create(vertx).get(port, "127.0.0.1", path).send().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("GET /health answers 200 UP while the app serves")
  void healthUp(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config());
    HttpResponse<io.vertx.core.buffer.Buffer> response = get(vertx, app.port(), "/health");
    assertEquals(200, response.statusCode());
    assertEquals(new JsonObject().put("status", "UP"), response.bodyAsJsonObject());
  }

  @Test
  @DisplayName("during shutdown /health answers 503 DOWN and bridge clients get the shutdown notice before their socket closes")
  void shutdownSequence(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config(taskClass("held", HeldStopTask.class, new JsonObject())));
    BridgeClient client = BridgeClient.connect(vertx, app.port());
    client.register(Addresses.SERVER);
    // The register frame has no reply; a round trip on a permitted request proves it was processed.
    client.request(Addresses.TASKS_LIST, new JsonObject());

    app.main.shutdown("stopped by test");
    assertEquals(new JsonObject().put("event", "shutdown").put("reconnectWithinMs", 5000), client.awaitRec(Addresses.SERVER));
    HttpResponse<io.vertx.core.buffer.Buffer> during = get(vertx, app.port(), "/health");
    assertEquals(503, during.statusCode());
    assertEquals(new JsonObject().put("status", "DOWN"), during.bodyAsJsonObject());
    assertTrue(!client.closed().isComplete(), "the socket stays open until the HTTP server stops");

    vertx.eventBus().publish(HeldStopTask.RELEASE, "go");
    assertEquals(new Outcome(0, "stopped by test"), app.awaitOutcome());
    client.closed().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a task whose stop never completes makes the shutdown overrun its budget: exit code 1 naming the task")
  void shutdownOverrun(Vertx vertx) throws Exception {
    JsonObject cfg = config(taskClass("stubborn", StubbornTask.class, new JsonObject())).put("shutdownTimeoutMs", 300);
    TestApp app = TestApp.start(vertx, cfg);
    app.main.shutdown("stopped by test");
    Outcome outcome = app.awaitOutcome();
    assertEquals(1, outcome.exitCode());
    assertEquals("shutdown took longer than shutdownTimeoutMs (300 ms); still stopping: task \"stubborn\"", outcome.reason());
  }

  @Test
  @DisplayName("the task list names every task with its kind, state and since when")
  void tasksList(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config(TestApp.task("clock", "ticker", new JsonObject())));
    JsonObject reply = vertx.eventBus().<JsonObject>request(Addresses.TASKS_LIST, null).await(10, TimeUnit.SECONDS).body();
    JsonObject record = reply.getJsonArray("tasks").getJsonObject(0);
    assertEquals("clock", record.getString("name"));
    assertEquals("ticker", record.getString("kind"));
    assertEquals("running", record.getString("state"));
    assertTrue(java.time.Instant.parse(record.getString("since")).isBefore(java.time.Instant.now().plusSeconds(1)));
  }
}
