package io.oneloop.metrics;

import io.oneloop.Addresses;
import io.oneloop.jobs.JobManager;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.EventRecorder;
import io.oneloop.support.PrometheusText;
import io.oneloop.support.TestApp;
import io.oneloop.testtasks.FlakyTask;
import io.oneloop.testtasks.LoopBlockerTask;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.oneloop.support.TestApp.config;
import static io.oneloop.support.TestApp.task;
import static io.oneloop.support.TestApp.taskClass;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /metrics} read as Prometheus reads it: oneloop's series from the start, and moving. */
@ExtendWith(VertxExtension.class)
class MetricsEndpointTest {

  private static HttpResponse<Buffer> get(Vertx vertx, int port, String path) throws Exception {
    return WebClient.create(vertx).get(port, "127.0.0.1", path).send().await(10, TimeUnit.SECONDS);
  }

  private static PrometheusText scrape(Vertx vertx, int port) throws Exception {
    HttpResponse<Buffer> response = get(vertx, port, "/metrics");
    assertEquals(200, response.statusCode());
    assertTrue(response.getHeader("content-type").startsWith("text/plain"), response.getHeader("content-type"));
    return PrometheusText.parse(response.bodyAsString());
  }

  /** Scrapes until {@code condition} holds (bounded), and returns that scrape. */
  private static PrometheusText scrapeUntil(Vertx vertx, int port, String what, Predicate<PrometheusText> condition) {
    return await(what).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
      .until(() -> scrape(vertx, port), condition);
  }


  @Test
  @DisplayName("every oneloop series is there from the start at 0, beside the JVM's, each with its Prometheus type")
  void seriesFromTheStart(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config(task("clock", "ticker", new JsonObject().put("intervalMs", 60_000))));
    PrometheusText metrics = scrape(vertx, app.port());
    for (String transport : List.of("raw", "sockjs-websocket", "sockjs-fallback")) {
      assertEquals(0, metrics.value("oneloop_bridge_sockets", "transport", transport), transport);
    }
    assertEquals(3, metrics.samples("oneloop_bridge_sockets").size(), "no transport label but the three");
    assertEquals(0, metrics.value("oneloop_bridge_messages_total", "direction", "in"));
    assertEquals(0, metrics.value("oneloop_bridge_messages_total", "direction", "out"));
    assertEquals(0, metrics.value("oneloop_bridge_refused_total", "reason", "access_denied"));
    assertEquals(0, metrics.value("oneloop_bridge_slow_closed_total"));
    assertEquals(0, metrics.value("oneloop_task_restarts_total", "task", "clock"));
    assertEquals(1, metrics.value("oneloop_task_state", "task", "clock", "state", "running"));
    assertEquals(0, metrics.value("oneloop_task_state", "task", "clock", "state", "failed"));
    for (String state : JobManager.STATE_NAMES) {
      assertEquals(0, metrics.value("oneloop_jobs", "state", state), state);
    }
    assertEquals(0, metrics.value("oneloop_jobs_queued"));
    assertTrue(metrics.value("oneloop_event_loop_delay_seconds") >= 0);
    assertEquals("counter", metrics.type("oneloop_bridge_messages_total"));
    assertEquals("counter", metrics.type("oneloop_task_restarts_total"));
    assertEquals("gauge", metrics.type("oneloop_bridge_sockets"));
    assertEquals("gauge", metrics.type("oneloop_event_loop_delay_seconds"));
    assertTrue(metrics.samples("jvm_memory_used_bytes").stream().filter(m -> "heap".equals(m.labels().get("area")))
      .mapToDouble(PrometheusText.Sample::value).sum() > 0, "heap in use");
    assertFalse(metrics.samples("process_cpu_usage").isEmpty());
    assertFalse(metrics.samples("jvm_threads_live_threads").isEmpty());
  }

  @Test
  @DisplayName("the series move: a socket opens and sends, a refused register, a job runs, a task restarts")
  void seriesMove(Vertx vertx) throws Exception {
    EventRecorder events = EventRecorder.on(vertx, Addresses.TASKS);
    JsonObject flaky = taskClass("feed", FlakyTask.class, new JsonObject().put("name", "feed").put("failTimes", 1))
      .put("restart", new JsonObject().put("policy", "on-failure").put("backoffMs", 10));
    TestApp app = TestApp.start(vertx, config(flaky));
    int port = app.port();

    BridgeClient client = BridgeClient.connect(vertx, port);
    client.register(Addresses.JOBS);
    client.register("not.permitted");
    client.await(BridgeClient.isErr());
    client.request(Addresses.TASKS_LIST, new JsonObject());
    PrometheusText withSocket = scrape(vertx, port);
    assertEquals(1, withSocket.value("oneloop_bridge_sockets", "transport", "raw"));
    assertEquals(1, withSocket.value("oneloop_bridge_refused_total", "reason", "access_denied"));
    assertTrue(withSocket.value("oneloop_bridge_messages_total", "direction", "in") >= 1);

    HttpResponse<Buffer> submitted = WebClient.create(vertx).post(port, "127.0.0.1", "/api/jobs")
      .sendJsonObject(new JsonObject().put("type", "sleep").put("params", new JsonObject().put("ms", 1)))
      .await(10, TimeUnit.SECONDS);
    assertEquals(202, submitted.statusCode());
    // The count of succeeded jobs and the delivery of the job's records to the socket are two
    // events: wait for both.
    PrometheusText afterJob = scrapeUntil(vertx, port, "the job to succeed and its records to reach the socket",
      m -> m.value("oneloop_jobs", "state", "succeeded") == 1 && m.value("oneloop_bridge_messages_total", "direction", "out") >= 1);
    assertTrue(afterJob.value("oneloop_bridge_messages_total", "direction", "out") >= 1, "the job's records reached the socket");

    events.await(e -> "feed".equals(e.getString("name")) && "running".equals(e.getString("state")) && e.getInteger("restarts") == 1);
    PrometheusText restarted = scrapeUntil(vertx, port, "the restart to be counted",
      m -> m.value("oneloop_task_restarts_total", "task", "feed") == 1);
    assertEquals(1, restarted.value("oneloop_task_state", "task", "feed", "state", "running"));

    client.close();
    scrapeUntil(vertx, port, "the socket to be gone", m -> m.value("oneloop_bridge_sockets", "transport", "raw") == 0);
  }

  @Test
  @DisplayName("with metrics.enabled false /metrics answers 404 and the page's samples still come")
  void metricsOff(Vertx vertx) throws Exception {
    EventRecorder samples = EventRecorder.on(vertx, Addresses.METRICS);
    TestApp app = TestApp.start(vertx, config(task("metrics", "metrics", new JsonObject().put("intervalMs", 50)))
      .put("metrics", new JsonObject().put("enabled", false)));
    HttpResponse<Buffer> response = get(vertx, app.port(), "/metrics");
    assertEquals(404, response.statusCode());
    assertTrue(response.bodyAsJsonObject().getString("error").contains("metrics.enabled"));
    JsonObject sample = samples.await(s -> s.containsKey("heapUsedBytes"));
    assertTrue(sample.getLong("heapUsedBytes") > 0);
  }

  @Test
  @DisplayName("a blocked event loop shows in the page's samples and in the scrape alike, and reading it resets it for neither")
  void pageAndScrapeAgree(Vertx vertx) throws Exception {
    EventRecorder samples = EventRecorder.on(vertx, Addresses.METRICS);
    TestApp app = TestApp.start(vertx, config(task("metrics", "metrics", new JsonObject().put("intervalMs", 50)),
      taskClass("blocker", LoopBlockerTask.class, new JsonObject().put("name", "x")).put("threading", "event-loop")));
    vertx.eventBus().send(LoopBlockerTask.address("x"), "400");
    JsonObject first = samples.await(s -> s.getDouble("eventLoopDelayMs") >= 300);
    double scraped = scrape(vertx, app.port()).value("oneloop_event_loop_delay_seconds");
    assertTrue(scraped >= 0.3, "the scrape shows the same delay: " + scraped + " s");
    JsonObject later = samples.await(s -> s.getLong("uptimeMs") > first.getLong("uptimeMs"));
    assertTrue(later.getDouble("eventLoopDelayMs") >= 300, "still in the window after both read it: " + later);
    assertTrue(later.getLong("heapUsedBytes") > 0);
    assertTrue(later.getInteger("threads") > 0);
  }
}
