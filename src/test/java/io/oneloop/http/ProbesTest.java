package io.oneloop.http;

import io.oneloop.MainVerticle;
import io.oneloop.config.AppConfig;
import io.oneloop.config.ConfigLoader;
import io.oneloop.support.TestApp;
import io.oneloop.testtasks.GateJob;
import io.oneloop.testtasks.HeldStopTask;
import io.oneloop.testtasks.LoopBlockerTask;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.oneloop.support.TestApp.config;
import static io.oneloop.support.TestApp.taskClass;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kubelet's view: /health/live, /health/ready and the old /health. */
@ExtendWith(VertxExtension.class)
class ProbesTest {

  private static HttpResponse<Buffer> call(Vertx vertx, int port, HttpMethod method, String path) throws Exception {
    return WebClient.create(vertx).request(method, port, "127.0.0.1", path).send().await(10, TimeUnit.SECONDS);
  }

  private static HttpResponse<Buffer> get(Vertx vertx, int port, String path) throws Exception {
    return call(vertx, port, HttpMethod.GET, path);
  }

  /** Each check's status by its id. */
  private static Map<String, Object> checks(HttpResponse<Buffer> response) {
    JsonObject statuses = new JsonObject();
    JsonArray checks = response.bodyAsJsonObject().getJsonArray("checks");
    for (int i = 0; i < checks.size(); i++) {
      statuses.put(checks.getJsonObject(i).getString("id"), checks.getJsonObject(i).getString("status"));
    }
    return statuses.getMap();
  }

  private static void await(String what, BooleanSupplier condition) {
    Awaitility.await(what).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(condition::getAsBoolean);
  }


  private static int status(Vertx vertx, int port, String path) {
    try {
      return get(vertx, port, path).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static JsonObject record(String name, boolean singleton, String state) {
    return new JsonObject().put("name", name).put("singleton", singleton).put("state", state);
  }

  @Test
  @DisplayName("a critical singleton keeps the node ready while it stands by and while it takes over; a plain task only while it runs")
  void singletonTakeoverStaysReady() {
    List<String> critical = List.of("single", "plain");
    for (String state : new String[] {"standby", "starting", "running"}) {
      JsonObject notRunning = OpsRoutes.notRunning(critical,
        new JsonArray().add(record("single", true, state)).add(record("plain", false, "running")));
      assertTrue(notRunning.isEmpty(), state + ": " + notRunning);
    }
    for (String state : new String[] {"restarting", "failed", "ended"}) {
      assertEquals(new JsonObject().put("single", state), OpsRoutes.notRunning(critical,
        new JsonArray().add(record("single", true, state)).add(record("plain", false, "running"))));
    }
    assertEquals(new JsonObject().put("plain", "starting"), OpsRoutes.notRunning(critical,
      new JsonArray().add(record("single", true, "running")).add(record("plain", false, "starting"))));
    assertEquals(new JsonObject().put("plain", "not started"), OpsRoutes.notRunning(critical,
      new JsonArray().add(record("single", true, "running"))));
  }

  @Test
  @DisplayName("readiness is 503 while the startup hook runs and before the tasks start, 200 while they run, 503 from the first moment of shutdown")
  void readiness(Vertx vertx) throws Exception {
    GateJob.close();
    JsonObject cfg = config(taskClass("held", HeldStopTask.class, new JsonObject()))
      .put("jobs", new JsonObject().put("types", new JsonObject().put("gate", GateJob.class.getName())))
      .put("hooks", new JsonObject().put("startup", new JsonArray().add(new JsonObject().put("type", "gate"))));
    MainVerticle main = new MainVerticle(AppConfig.validate(ConfigLoader.resolve(cfg, true, Map.of()), "test config"), outcome -> { });
    vertx.deployVerticle(main);
    await("the HTTP server to listen", () -> main.httpPort() > 0);
    int port = main.httpPort();

    HttpResponse<Buffer> before = get(vertx, port, "/health/ready");
    assertEquals(503, before.statusCode());
    assertEquals("DOWN", before.bodyAsJsonObject().getString("status"));
    assertEquals(Map.of("http", "UP", "startup", "DOWN", "tasks", "DOWN", "cluster", "UP", "shutdown", "UP"), checks(before));
    assertEquals(new JsonObject().put("status", "DOWN"), get(vertx, port, "/health").bodyAsJsonObject(), "the old probe gives the ready answer");
    assertEquals(503, get(vertx, port, "/health").statusCode());
    assertEquals(200, get(vertx, port, "/health/live").statusCode(), "a starting process is alive");

    GateJob.open();
    await("readiness", () -> status(vertx, port, "/health/ready") == 200);
    HttpResponse<Buffer> running = get(vertx, port, "/health/ready");
    assertEquals(Map.of("http", "UP", "startup", "UP", "tasks", "UP", "cluster", "UP", "shutdown", "UP"), checks(running));
    assertEquals(new JsonObject().put("status", "UP"), get(vertx, port, "/health").bodyAsJsonObject());

    // The held task keeps the shutdown at its "stop the tasks" step while the probes are read.
    main.shutdown("stopped by test");
    HttpResponse<Buffer> stopping = get(vertx, port, "/health/ready");
    assertEquals(503, stopping.statusCode());
    assertEquals("DOWN", checks(stopping).get("shutdown"));
    assertEquals(503, get(vertx, port, "/health").statusCode());
    vertx.eventBus().publish(HeldStopTask.RELEASE, "go");
    main.terminated().await(20, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("the probes answer GET and HEAD; any other method gets 405 with Allow and an error body")
  void methods(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config());
    for (String path : new String[] {"/health", "/health/live", "/health/ready"}) {
      assertEquals(200, call(vertx, app.port(), HttpMethod.HEAD, path).statusCode(), path);
      HttpResponse<Buffer> post = call(vertx, app.port(), HttpMethod.POST, path);
      assertEquals(405, post.statusCode(), path);
      assertEquals("GET, HEAD", post.getHeader("Allow"), path);
      assertTrue(post.bodyAsJsonObject().getString("error").contains("POST is not allowed"), path);
    }
  }

  @Test
  @DisplayName("liveness turns 503 while a task blocks an event loop longer than health.maxEventLoopDelayMs, and 200 again after")
  void liveness(Vertx vertx) throws Exception {
    JsonObject cfg = config(
      taskClass("blocker-a", LoopBlockerTask.class, new JsonObject().put("name", "a")).put("threading", "event-loop"),
      taskClass("blocker-b", LoopBlockerTask.class, new JsonObject().put("name", "b")).put("threading", "event-loop"))
      .put("health", new JsonObject().put("maxEventLoopDelayMs", 300));
    TestApp app = TestApp.start(vertx, cfg);
    int port = app.port();
    assertEquals(200, get(vertx, port, "/health/live").statusCode());

    // The two blockers run on different event loops; one of them is not the HTTP server's, whose
    // blocking would leave the probe without any answer (which a kubelet also counts as dead).
    // The probe is read with the JDK's client: a Vert.x client could itself land on the blocked loop.
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live")).timeout(Duration.ofSeconds(3)).build();
    int answeredStatus = -1;
    String answeredBody = null;
    for (String blocker : new String[] {"a", "b"}) {
      vertx.eventBus().send(LoopBlockerTask.address(blocker), "block");
      LoopBlockerTask.awaitBlocked();
      try {
        var answer = http.send(probe, BodyHandlers.ofString());
        answeredStatus = answer.statusCode();
        answeredBody = answer.body();
      } catch (HttpTimeoutException e) {
        // this blocker shared the HTTP server's loop: try the other one
      } finally {
        LoopBlockerTask.release();
      }
      await("liveness to recover", () -> status(vertx, port, "/health/live") == 200);
      if (answeredBody != null) {
        break;
      }
    }
    assertTrue(answeredBody != null, "one of the two blocked loops was not the HTTP server's");
    assertEquals(503, answeredStatus);
    JsonObject body = new JsonObject(answeredBody);
    JsonObject check = body.getJsonArray("checks").getJsonObject(0);
    assertEquals("event-loops", check.getString("id"));
    assertEquals("DOWN", check.getString("status"));
    assertEquals(1, check.getJsonObject("data").getInteger("blocked"));
    assertNull(body.getValue("error"), "a DOWN of its own, not a timed-out check");
    assertEquals(200, get(vertx, port, "/health/ready").statusCode(), "readiness does not depend on liveness");
  }
}
