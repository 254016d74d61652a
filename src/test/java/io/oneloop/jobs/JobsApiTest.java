package io.oneloop.jobs;

import io.oneloop.Addresses;
import io.oneloop.cluster.NodeId;
import io.oneloop.supervision.Outcome;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.EventRecorder;
import io.oneloop.support.TestApp;
import io.oneloop.testtasks.HeldStopTask;
import io.oneloop.testtasks.ReportJob;
import io.oneloop.testtasks.UnencodableJob;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.oneloop.support.TestApp.config;
import static io.oneloop.support.TestApp.taskClass;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class JobsApiTest {

  private static JsonObject jobsConfig(int maxConcurrent, int maxQueued, int retain) {
    return new JsonObject().put("maxConcurrent", maxConcurrent).put("maxQueued", maxQueued).put("retain", retain)
      .put("types", new JsonObject().put("report", ReportJob.class.getName()));
  }

  private static HttpResponse<Buffer> call(Vertx vertx, TestApp app, HttpMethod method, String path, String body) throws Exception {
    var request = WebClient.create(vertx).request(method, app.port(), "127.0.0.1", path);
    if (body != null) {
      request.putHeader("Content-Type", "application/json");
    }
    return (body == null ? request.send() : request.sendBuffer(Buffer.buffer(body))).await(10, TimeUnit.SECONDS);
  }

  private static JsonObject post(Vertx vertx, TestApp app, JsonObject job) throws Exception {
    HttpResponse<Buffer> response = call(vertx, app, HttpMethod.POST, "/api/jobs", job.encode());
    assertEquals(202, response.statusCode(), response.bodyAsString());
    JsonObject body = response.bodyAsJsonObject();
    assertEquals("/api/jobs/" + body.getString("id"), response.getHeader("Location"));
    return body;
  }

  private static JsonObject sleep(long ms) {
    return new JsonObject().put("type", "sleep").put("params", new JsonObject().put("ms", ms));
  }

  /** The record of job {@code id} in {@code state} on oneloop.jobs, seen already or awaited. */
  private static JsonObject awaitJob(EventRecorder events, String id, String state) throws Exception {
    return events.await(e -> id.equals(e.getString("id")) && state.equals(e.getString("state")));
  }

  @Test
  @DisplayName("a sleep job is accepted with 202 and a Location, reports progress on oneloop.jobs and succeeds with its result")
  void sleepJobLifecycle(Vertx vertx) throws Exception {
    EventRecorder events = EventRecorder.on(vertx, Addresses.JOBS);
    TestApp app = TestApp.start(vertx, config());
    JsonObject job = post(vertx, app, sleep(700));
    assertEquals(List.of("createdAt", "endedAt", "error", "id", "node", "progress", "result", "startedAt", "state", "type"),
      job.fieldNames().stream().sorted().toList());
    assertEquals("sleep", job.getString("type"));
    assertEquals(NodeId.LOCAL, job.getString("node"), "without a cluster the node is the local one");
    JsonObject done = awaitJob(events, job.getString("id"), "succeeded");
    assertEquals(new JsonObject().put("sleptMs", 700), done.getJsonObject("result"));
    assertEquals(1.0, done.getDouble("progress"));
    assertNotNull(done.getString("endedAt"));
    long partial = events.all().stream().filter(e -> "running".equals(e.getString("state")))
      .filter(e -> e.getDouble("progress") > 0 && e.getDouble("progress") < 1).count();
    assertTrue(partial >= 2, "progress reported at least twice a second: " + events.all());
    assertEquals(done, call(vertx, app, HttpMethod.GET, "/api/jobs/" + job.getString("id"), null).bodyAsJsonObject());
  }

  @Test
  @DisplayName("a running job is cancelled within a second; cancelling it again answers 409")
  void cancelRunning(Vertx vertx) throws Exception {
    EventRecorder events = EventRecorder.on(vertx, Addresses.JOBS);
    TestApp app = TestApp.start(vertx, config());
    String id = post(vertx, app, sleep(60_000)).getString("id");
    awaitJob(events, id, "running");
    HttpResponse<Buffer> cancel = call(vertx, app, HttpMethod.DELETE, "/api/jobs/" + id, null);
    assertEquals(200, cancel.statusCode());
    assertTrue(List.of("running", "cancelled").contains(cancel.bodyAsJsonObject().getString("state")));
    JsonObject cancelled = awaitJob(events, id, "cancelled");
    long noticedMs = Duration.between(Instant.parse(cancelled.getString("startedAt")),
      Instant.parse(cancelled.getString("endedAt"))).toMillis();
    assertTrue(noticedMs < 60_000);
    HttpResponse<Buffer> again = call(vertx, app, HttpMethod.DELETE, "/api/jobs/" + id, null);
    assertEquals(409, again.statusCode());
    assertEquals("job " + id + " has already finished (cancelled)", again.bodyAsJsonObject().getString("error"));
    assertEquals("cancelled", again.bodyAsJsonObject().getJsonObject("job").getString("state"));
  }

  @Test
  @DisplayName("a queued job is cancelled at once; when maxQueued jobs wait, POST answers 429 with Retry-After")
  void queueLimits(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config().put("jobs", jobsConfig(1, 1, 100)));
    JsonObject running = post(vertx, app, sleep(60_000));
    JsonObject queued = post(vertx, app, sleep(10));
    assertEquals("queued", queued.getString("state"));
    HttpResponse<Buffer> full = call(vertx, app, HttpMethod.POST, "/api/jobs", sleep(10).encode());
    assertEquals(429, full.statusCode());
    assertEquals("1", full.getHeader("Retry-After"));
    assertTrue(full.bodyAsJsonObject().getString("error").contains("queue is full"));

    HttpResponse<Buffer> cancel = call(vertx, app, HttpMethod.DELETE, "/api/jobs/" + queued.getString("id"), null);
    assertEquals(200, cancel.statusCode());
    assertEquals("cancelled", cancel.bodyAsJsonObject().getString("state"));
    assertEquals(202, call(vertx, app, HttpMethod.POST, "/api/jobs", sleep(10).encode()).statusCode(), "room again");
    call(vertx, app, HttpMethod.DELETE, "/api/jobs/" + running.getString("id"), null);
  }

  @Test
  @DisplayName("bad requests answer 400 naming the problem, and unknown ids of any form answer 404")
  void badRequests(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config().put("jobs", jobsConfig(2, 10, 100)));
    record Case(String body, String error) { }
    List<Case> cases = List.of(
      new Case("{not json", "the body is not valid JSON"),
      new Case("[1,2]", "the body must be a JSON object"),
      new Case("", "the body must be a JSON object"),
      new Case("{\"params\":{}}", "type must be one of broadcast, report, sleep"),
      new Case("{\"type\":\"mine\"}", "unknown job type \"mine\" (known: broadcast, report, sleep)"),
      new Case("{\"type\":\"sleep\",\"params\":[]}", "params must be a JSON object"),
      new Case("{\"type\":\"sleep\",\"params\":{\"ms\":\"long\"}}", "params.ms must be an integer 0-86400000, got \"long\""),
      new Case("{\"type\":\"report\",\"params\":{}}", "params.rows must be an integer"),
      new Case("{\"type\":\"sleep\",\"params\":{\"ms\":1,\"msec\":5}}", "params.msec is not a known key"),
      new Case("{\"type\":\"broadcast\",\"params\":{\"address\":\"oneloop.internal.bridge.sockets\",\"body\":1}}",
        "params.address \"oneloop.internal.bridge.sockets\" is not permitted outbound on the bridge (bridge.outbound)"));
    for (Case c : cases) {
      HttpResponse<Buffer> response = call(vertx, app, HttpMethod.POST, "/api/jobs", c.body);
      assertEquals(400, response.statusCode(), c.body);
      assertTrue(response.bodyAsJsonObject().getString("error").startsWith(c.error), response.bodyAsString());
    }
    assertEquals(new JsonArray(), call(vertx, app, HttpMethod.GET, "/api/jobs", null).bodyAsJsonArray(), "nothing was queued");
    assertEquals(new JsonArray()
        .add(new JsonObject().put("name", "broadcast").put("builtIn", true))
        .add(new JsonObject().put("name", "report").put("builtIn", false))
        .add(new JsonObject().put("name", "sleep").put("builtIn", true)),
      call(vertx, app, HttpMethod.GET, "/api/job-types", null).bodyAsJsonArray());
    for (String id : List.of("nope", "1", "00000000-0000-0000-0000-000000000000", "%2E%2E", "x".repeat(300))) {
      assertEquals(404, call(vertx, app, HttpMethod.GET, "/api/jobs/" + id, null).statusCode(), id);
      assertEquals(404, call(vertx, app, HttpMethod.DELETE, "/api/jobs/" + id, null).statusCode(), id);
    }
    assertEquals(400, call(vertx, app, HttpMethod.GET, "/api/jobs?limit=zero", null).statusCode());
  }

  @Test
  @DisplayName("the list is newest first and honours limit; finished jobs beyond retain are forgotten oldest first")
  void listAndRetention(Vertx vertx) throws Exception {
    EventRecorder events = EventRecorder.on(vertx, Addresses.JOBS);
    TestApp app = TestApp.start(vertx, config().put("jobs", jobsConfig(1, 10, 2)));
    String first = post(vertx, app, sleep(0)).getString("id");
    awaitJob(events, first, "succeeded");
    String second = post(vertx, app, sleep(0)).getString("id");
    awaitJob(events, second, "succeeded");
    String third = post(vertx, app, sleep(0)).getString("id");
    awaitJob(events, third, "succeeded");
    JsonArray list = call(vertx, app, HttpMethod.GET, "/api/jobs", null).bodyAsJsonArray();
    assertEquals(List.of(third, second), list.stream().map(j -> ((JsonObject) j).getString("id")).toList());
    assertEquals(404, call(vertx, app, HttpMethod.GET, "/api/jobs/" + first, null).statusCode());
    JsonArray one = call(vertx, app, HttpMethod.GET, "/api/jobs?limit=1", null).bodyAsJsonArray();
    assertEquals(third, one.getJsonObject(0).getString("id"));
  }

  @Test
  @DisplayName("a job type from the config runs with its params; one that throws is failed with its message")
  void configuredType(Vertx vertx) throws Exception {
    EventRecorder events = EventRecorder.on(vertx, Addresses.JOBS);
    TestApp app = TestApp.start(vertx, config().put("jobs", jobsConfig(2, 10, 100)));
    String ok = post(vertx, app, new JsonObject().put("type", "report").put("params", new JsonObject().put("rows", 3))).getString("id");
    assertEquals(new JsonObject().put("rows", 3), awaitJob(events, ok, "succeeded").getJsonObject("result"));
    String bad = post(vertx, app, new JsonObject().put("type", "report")
      .put("params", new JsonObject().put("rows", 3).put("fail", true))).getString("id");
    JsonObject failed = awaitJob(events, bad, "failed");
    assertEquals("the report source is missing", failed.getString("error"));
  }

  @Test
  @DisplayName("a job whose result cannot be encoded as JSON fails saying so, and the API still answers for it")
  void unencodableResult(Vertx vertx) throws Exception {
    JsonObject jobs = jobsConfig(2, 10, 100);
    jobs.getJsonObject("types").put("unencodable", UnencodableJob.class.getName());
    TestApp app = TestApp.start(vertx, config().put("jobs", jobs));
    String id = post(vertx, app, new JsonObject().put("type", "unencodable")).getString("id");
    HttpResponse<Buffer> record = await("the job ends").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
      .until(() -> call(vertx, app, HttpMethod.GET, "/api/jobs/" + id, null),
        r -> r.statusCode() != 200 || !List.of("queued", "running").contains(r.bodyAsJsonObject().getString("state")));
    assertEquals(200, record.statusCode(), record.bodyAsString());
    JsonObject job = record.bodyAsJsonObject();
    assertEquals("failed", job.getString("state"));
    assertTrue(job.getString("error").startsWith("the job's result cannot be encoded as JSON"), job.getString("error"));
    HttpResponse<Buffer> list = call(vertx, app, HttpMethod.GET, "/api/jobs", null);
    assertEquals(200, list.statusCode(), list.bodyAsString());
    assertEquals("failed", list.bodyAsJsonArray().stream().map(JsonObject.class::cast)
      .filter(j -> id.equals(j.getString("id"))).findFirst().orElseThrow().getString("state"));
    assertEquals(409, call(vertx, app, HttpMethod.DELETE, "/api/jobs/" + id, null).statusCode(), "an ended job cannot be cancelled");
  }

  @Test
  @DisplayName("a broadcast job publishes its body to the pages after its delay")
  void broadcast(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config());
    BridgeClient page = BridgeClient.connect(vertx, app.port()).register(Addresses.CHAT);
    page.request(Addresses.CHAT_HISTORY, new JsonObject()); // the register is in place
    JsonObject body = new JsonObject().put("id", 0).put("user", "ops").put("text", "deploy at 18:00").put("time", "now");
    post(vertx, app, new JsonObject().put("type", "broadcast")
      .put("params", new JsonObject().put("address", Addresses.CHAT).put("body", body).put("delayMs", 50)));
    assertEquals(body, page.awaitRec(Addresses.CHAT));
  }

  @Test
  @DisplayName("on shutdown new jobs get 503 and running jobs are cancelled, their last state published")
  void drainOnShutdown(Vertx vertx) throws Exception {
    EventRecorder events = EventRecorder.on(vertx, Addresses.JOBS);
    TestApp app = TestApp.start(vertx, config(taskClass("held", HeldStopTask.class, new JsonObject())));
    String id = post(vertx, app, sleep(60_000)).getString("id");
    awaitJob(events, id, "running");
    app.main.shutdown("stopped by test");
    JsonObject cancelled = awaitJob(events, id, "cancelled");
    assertNotNull(cancelled.getString("endedAt"));
    HttpResponse<Buffer> late = call(vertx, app, HttpMethod.POST, "/api/jobs", sleep(10).encode());
    assertEquals(503, late.statusCode());
    vertx.eventBus().publish(HeldStopTask.RELEASE, "go");
    assertEquals(new Outcome(0, "stopped by test"), app.awaitOutcome());
  }
}
