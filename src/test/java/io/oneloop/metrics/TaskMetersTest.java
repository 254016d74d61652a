package io.oneloop.metrics;

import io.oneloop.support.LogCapture;
import io.oneloop.support.PrometheusText;
import io.oneloop.support.TestApp;
import io.oneloop.testtasks.CountingTask;
import io.oneloop.testtasks.ShapedJob;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.oneloop.support.TestApp.config;
import static io.oneloop.support.TestApp.taskClass;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Task.meters() and JobContext.meters(): the registry /metrics shows, capped per name; a no-op one without metrics. */
@ExtendWith(VertxExtension.class)
class TaskMetersTest {

  private static HttpResponse<Buffer> get(Vertx vertx, int port, String path) throws Exception {
    return WebClient.create(vertx).get(port, "127.0.0.1", path).send().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a task's and a job's meters show on /metrics; a task's 1001st series of one name is dropped with one warning naming it")
  void metersOnMetrics(Vertx vertx) throws Exception {
    try (LogCapture logs = LogCapture.of(SeriesCap.class)) {
      JsonObject config = config(taskClass("counter", CountingTask.class, new JsonObject().put("series", 1005)))
        .put("jobs", new JsonObject().put("types", new JsonObject().put("shaped", ShapedJob.class.getName())));
      TestApp app = TestApp.start(vertx, config);
      PrometheusText metrics = await("acme_ticks_total counting").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
        .until(() -> PrometheusText.parse(get(vertx, app.port(), "/metrics").bodyAsString()),
          m -> m.samples("acme_ticks_total").size() == 1 && m.value("acme_ticks_total") > 0);
      assertEquals(1000, metrics.samples("acme_per_user_total").size());
      assertEquals(1, metrics.value("acme_per_user_total", "user", "u999"));
      assertEquals(1, logs.containing("acme.per.user").size(), String.join("\n", logs.lines()));

      HttpResponse<Buffer> job = WebClient.create(vertx).post(app.port(), "127.0.0.1", "/api/jobs")
        .sendJsonObject(new JsonObject().put("type", "shaped").put("params", new JsonObject().put("mode", "fast")))
        .await(10, TimeUnit.SECONDS);
      assertEquals(202, job.statusCode(), job.bodyAsString());
      await("shaped_job_runs_total").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
        .until(() -> PrometheusText.parse(get(vertx, app.port(), "/metrics").bodyAsString()),
          m -> m.samples("shaped_job_runs_total").size() == 1 && m.value("shaped_job_runs_total") == 1);
    }
  }

  @Test
  @DisplayName("with metrics.enabled false a task's meters() works, records nothing, and the task runs on")
  void metersWithoutMetrics(Vertx vertx) throws Exception {
    JsonObject seen = new JsonObject();
    vertx.eventBus().<JsonObject>consumer("test.counting", msg -> {
      synchronized (seen) {
        seen.put("counted", msg.body().getDouble("counted")).put("messages", seen.getInteger("messages", 0) + 1);
      }
    });
    TestApp app = TestApp.start(vertx, config(taskClass("counter", CountingTask.class, new JsonObject().put("series", 5)))
      .put("metrics", new JsonObject().put("enabled", false)));
    await("the task publishing").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> {
      synchronized (seen) {
        return seen.getInteger("messages", 0) >= 3;
      }
    });
    synchronized (seen) {
      assertEquals(0.0, seen.getDouble("counted"), "a no-op counter counts nothing");
    }
    assertEquals(404, get(vertx, app.port(), "/metrics").statusCode());
    String tasks = get(vertx, app.port(), "/api/tasks").bodyAsString();
    assertTrue(tasks.contains("\"running\""), tasks);
  }
}
