package io.oneloop.process;

import io.oneloop.support.AppProcess;
import io.oneloop.support.PrometheusText;
import io.oneloop.testtasks.LoggingJob;
import io.oneloop.testtasks.LoggingTask;
import io.oneloop.testtasks.PublishingTask;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real jar as the people who run it see it: JSON logs, the access log, /api/info, /metrics. */
class OpsIT {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  Path dir;

  private static String get(int port, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return response.body();
  }

  private Path write(String name, JsonObject config) throws Exception {
    return Files.writeString(dir.resolve(name), config.encodePrettily());
  }

  private AppProcess startMain(String name, Path config, Map<String, String> env) throws Exception {
    return AppProcess.start(name, dir, env,
      "-cp", AppProcess.JAR + ":" + AppProcess.TEST_CLASSES, "io.oneloop.Main", "-conf", config.toString());
  }

  private static JsonObject http(int port) {
    return new JsonObject().put("host", "127.0.0.1").put("port", port);
  }

  @Test
  @DisplayName("with ONELOOP_LOG_FORMAT=json every line is a JSON object, a task's lines carry its name, a job's its id, and exceptions are included")
  void jsonLogs() throws Exception {
    int port = AppProcess.freePort();
    Path config = write("json-logs.json", new JsonObject()
      .put("http", http(port).put("accessLog", true))
      .put("tasks", new JsonArray().add(new JsonObject().put("name", "chatty").put("class", LoggingTask.class.getName())))
      .put("jobs", new JsonObject().put("types", new JsonObject().put("logging", LoggingJob.class.getName()))));
    try (AppProcess app = startMain("json-logs", config, Map.of("ONELOOP_LOG_FORMAT", "json"))) {
      app.awaitHealth(port, 200);
      HttpRequest submit = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/jobs?token=s3cr3t-in-query"))
        .timeout(Duration.ofSeconds(5))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"logging\",\"params\":{\"fail\":true}}")).build();
      JsonObject job = new JsonObject(HTTP.send(submit, HttpResponse.BodyHandlers.ofString()).body());
      app.awaitOutput("logging job failing");
      app.awaitOutput("logging task timer fired");
      app.awaitOutput("POST "); // the access log's line for the job (JSON writes the path's slashes escaped)
      app.signal("TERM");
      assertEquals(0, app.awaitExit());

      List<JsonObject> lines = new ArrayList<>();
      for (String line : app.output().split("\n")) {
        lines.add(new JsonObject(line)); // fails the test on any line that is not one JSON object
      }
      assertTrue(lines.size() > 5, app.output());
      assertTrue(lines.get(0).containsKey("formattedMessage") && lines.get(0).containsKey("level"), lines.get(0).encode());
      JsonObject started = find(lines, "logging task started");
      assertEquals("chatty", started.getJsonObject("mdc").getString("task"), started.encode());
      JsonObject timer = find(lines, "logging task timer fired");
      assertEquals("chatty", timer.getJsonObject("mdc").getString("task"), "a line from a later handler: " + timer.encode());
      JsonObject work = find(lines, "logging job at work");
      assertEquals(job.getString("id"), work.getJsonObject("mdc").getString("job"), work.encode());
      assertFalse(work.getJsonObject("mdc").containsKey("task"), work.encode());
      JsonObject failing = find(lines, "logging job failing");
      assertTrue(failing.getJsonObject("throwable").encode().contains("the job's own failure"), failing.encode());
      JsonObject exit = find(lines, "oneloop exiting with code 0");
      assertFalse(exit.getJsonObject("mdc").containsKey("task"), exit.encode());
      JsonObject access = lines.stream().filter(l -> l.getString("formattedMessage", "").contains("POST /api/jobs"))
        .findFirst().orElseThrow(() -> new AssertionError("no access-log line\n" + app.output()));
      assertTrue(access.getString("formattedMessage").contains(" 202 "), access.encode());
      assertFalse(app.output().contains("s3cr3t-in-query"), "no query string reaches the log");
    }
  }

  private static JsonObject find(List<JsonObject> lines, String text) {
    return lines.stream().filter(l -> l.getString("formattedMessage", "").contains(text)).findFirst()
      .orElseThrow(() -> new AssertionError("no line with \"" + text + "\""));
  }

  @Test
  @DisplayName("GET /api/info gives the build, the runtime and the effective config with every secret and every task config value redacted")
  void info() throws Exception {
    int port = AppProcess.freePort();
    Path config = write("info.json", new JsonObject()
      .put("http", http(port))
      // A task class that declares no shape: none of its values may show.
      .put("tasks", new JsonArray().add(new JsonObject().put("name", "clock").put("class", PublishingTask.class.getName())
        .put("config", new JsonObject().put("intervalMs", 60_000).put("apiToken", "tok-SECRET-1")
          .put("db", new JsonObject().put("password", "pw-SECRET-2").put("user", "app"))
          .put("clientSecret", "cs-SECRET-3")))));
    try (AppProcess app = startMain("info", config, Map.of())) {
      app.awaitHealth(port, 200);
      String body = get(port, "/api/info");
      JsonObject info = new JsonObject(body);
      assertTrue(info.getString("version").matches("\\d+\\.\\d+\\.\\d+.*"), body);
      assertTrue(info.getString("commit").matches("[0-9a-f]{40}|unknown"), body);
      assertTrue(info.getString("buildTime").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), body);
      assertTrue(info.getString("startedAt").endsWith("Z"), body);
      assertTrue(info.getLong("uptimeMs") > 0, body);
      assertEquals("5.0.10", info.getString("vertxVersion"), body);
      assertTrue(info.getString("nettyVersion").startsWith("4."), body);
      assertEquals(System.getProperty("java.version"), info.getString("javaVersion"));
      assertTrue(List.of("epoll", "nio").contains(info.getString("transport")), body);
      JsonObject taskConfig = info.getJsonObject("config").getJsonArray("tasks").getJsonObject(0).getJsonObject("config");
      assertEquals(new JsonObject().put("intervalMs", "<redacted>").put("apiToken", "<redacted>").put("db", "<redacted>")
        .put("clientSecret", "<redacted>"), taskConfig, "a task config shows its keys only");
      assertEquals(port, info.getJsonObject("config").getJsonObject("http").getInteger("port"));
      assertFalse(body.contains("SECRET"), "no secret in " + body);
    }
  }

  @Test
  @DisplayName("the jar's /metrics has Vert.x's HTTP server series beside oneloop's and the JVM's; the legacy launcher's has oneloop's and the JVM's")
  void metricsUnderBothLaunchers() throws Exception {
    int port = AppProcess.freePort();
    Path config = write("metrics.json", new JsonObject().put("http", http(port))
      .put("tasks", new JsonArray().add(new JsonObject().put("name", "clock").put("type", "ticker"))));
    try (AppProcess app = startMain("metrics-main", config, Map.of())) {
      app.awaitHealth(port, 200);
      get(port, "/api/tasks");
      PrometheusText metrics = PrometheusText.parse(get(port, "/metrics"));
      assertFalse(metrics.samples("vertx_http_server_requests_total").isEmpty(), "Vert.x's request series");
      assertFalse(metrics.samples("vertx_http_server_active_connections").isEmpty(), "Vert.x's connection series");
      assertEquals(1, metrics.value("oneloop_task_state", "task", "clock", "state", "running"));
      assertEquals(0, metrics.value("oneloop_bridge_queued_bytes"), "nothing waits for a client: there is none");
      assertFalse(metrics.samples("jvm_memory_used_bytes").isEmpty());
      assertFalse(metrics.samples("vertx_eventbus_delivered_total").isEmpty(), "Vert.x's event-bus series");
      assertTrue(metrics.samples("vertx_eventbus_processed_total").isEmpty(), "the repeating per-message counter is dropped");
      app.signal("TERM");
      assertEquals(0, app.awaitExit());
    }
    int legacyPort = AppProcess.freePort();
    Path legacyConfig = write("metrics-legacy.json", new JsonObject().put("http", http(legacyPort))
      .put("tasks", new JsonArray().add(new JsonObject().put("name", "clock").put("type", "ticker"))));
    try (AppProcess app = AppProcess.start("metrics-legacy", dir, Map.of(),
      "-cp", AppProcess.JAR.toString(), "io.vertx.core.Launcher", "run", "io.oneloop.MainVerticle", "-conf", legacyConfig.toString())) {
      app.awaitHealth(legacyPort, 200);
      PrometheusText metrics = PrometheusText.parse(get(legacyPort, "/metrics"));
      assertEquals(1, metrics.value("oneloop_task_state", "task", "clock", "state", "running"));
      assertEquals(0, metrics.value("oneloop_bridge_sockets", "transport", "raw"));
      assertFalse(metrics.samples("jvm_memory_used_bytes").isEmpty());
      assertFalse(metrics.samples("process_cpu_usage").isEmpty());
      app.signal("TERM");
      assertNotEquals(-1, app.awaitExit());
    }
  }

  @Test
  @DisplayName("a built-in task's bad config key fails --check-config and the start with exit 2 naming its key path; so does a bad ONELOOP_TASKS_<NAME>_CONFIG_<KEY>")
  void taskConfigChecked() throws Exception {
    Path bad = write("bad-ticker.json", new JsonObject().put("tasks", new JsonArray()
      .add(new JsonObject().put("name", "t").put("type", "ticker").put("config", new JsonObject().put("intervalMs", "fast")))));
    String expected = bad + ": tasks[0].config.intervalMs must be an integer 1-2147483647, got \"fast\"";
    try (AppProcess app = AppProcess.start("check-ticker", dir, Map.of(),
      "-jar", AppProcess.JAR.toString(), "--check-config", "-conf", bad.toString())) {
      assertEquals(2, app.awaitExit(), app.output());
      assertTrue(app.output().contains(expected), app.output());
    }
    try (AppProcess app = AppProcess.start("start-ticker", dir, Map.of(), "-jar", AppProcess.JAR.toString(), "-conf", bad.toString())) {
      assertEquals(2, app.awaitExit(), app.output());
      assertTrue(app.output().contains(expected), app.output());
      assertFalse(app.output().contains("HTTP server listening"), app.output());
    }
    Path good = write("good-ticker.json", new JsonObject().put("http", http(AppProcess.freePort())).put("tasks", new JsonArray()
      .add(new JsonObject().put("name", "my-clock").put("type", "ticker"))));
    try (AppProcess app = AppProcess.start("check-ticker-env", dir, Map.of("ONELOOP_TASKS_MY_CLOCK_CONFIG_COUNT", "never"),
      "-jar", AppProcess.JAR.toString(), "--check-config", "-conf", good.toString())) {
      assertEquals(2, app.awaitExit(), app.output());
      assertTrue(app.output().contains("ONELOOP_TASKS_MY_CLOCK_CONFIG_COUNT must be an integer 0-9223372036854775807, got \"never\""),
        app.output());
    }
  }

  @Test
  @DisplayName("--check-config exits 0 on a good config and starts nothing; with only warnings it lists them and exits 0; on one with three problems it lists all three and exits 2")
  void checkConfig() throws Exception {
    int port = AppProcess.freePort();
    Path good = write("good.json", new JsonObject().put("http", http(port))
      .put("tasks", new JsonArray().add(new JsonObject().put("name", "clock").put("type", "ticker"))));
    try (AppProcess app = AppProcess.start("check-good", dir, Map.of(),
      "-jar", AppProcess.JAR.toString(), "--check-config", "-conf", good.toString())) {
      assertEquals(0, app.awaitExit(), app.output());
      assertTrue(app.output().contains("config OK: " + good), app.output());
      assertFalse(app.output().contains("HTTP server listening"), "nothing started: " + app.output());
      assertFalse(app.output().contains("warning"), app.output());
      assertTrue(app.output().strip().endsWith("config OK: " + good), "without warnings the last line is as it was: " + app.output());
    }
    Path risky = write("risky.json", new JsonObject().put("http", http(port)).put("shutdownTimeoutMs", 600_000)
      .put("bridge", new JsonObject().put("floodCloseMs", 0).put("allowedOrigins", new JsonArray().add("*"))));
    try (AppProcess app = AppProcess.start("check-risky", dir, Map.of(),
      "-jar", AppProcess.JAR.toString(), "--check-config", "-conf", risky.toString())) {
      assertEquals(0, app.awaitExit(), "warnings never stop a start: " + app.output());
      String out = app.output();
      assertTrue(out.contains("warning: " + risky + ": bridge.floodCloseMs is 0: "), out);
      assertTrue(out.contains("warning: " + risky + ": bridge.allowedOrigins[0] is \"*\" (any origin): "), out);
      assertTrue(out.contains("warning: " + risky + ": shutdownTimeoutMs is 600000, above the 15 s the shipped conf/oneloop.service"
        + " gives the stop (TimeoutStopSec)"), out);
      assertTrue(out.strip().endsWith("config OK: " + risky + " (3 warnings)"), out);
    }
    Path bad = write("bad.json", new JsonObject()
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", "abc"))
      .put("shutdownTimout", 5000)
      .put("tasks", new JsonArray().add(new JsonObject().put("name", "feed").put("class", "com.acme.Feed"))));
    try (AppProcess app = AppProcess.start("check-bad", dir, Map.of("ONELOOP_JOBS_MAXCONCURENT", "4"),
      "-jar", AppProcess.JAR.toString(), "--check-config", "-conf", bad.toString())) {
      assertEquals(2, app.awaitExit(), app.output());
      String out = app.output();
      assertTrue(out.contains(bad + ": http.port must be an integer 0-65535, got \"abc\""), out);
      assertTrue(out.contains(bad + ": shutdownTimout is not a known key (expected one of auth, bridge, chat, cluster, health, hooks, http, jobs, log, "
        + "metrics, shutdownTimeoutMs, tasks)"), out);
      assertTrue(out.contains(bad + ": tasks[0].class: no class com.acme.Feed on the class path"), out);
      assertTrue(out.contains("3 problem(s) in " + bad), out);
      assertTrue(out.contains("warning: ONELOOP_JOBS_MAXCONCURENT names no config key (nearest: ONELOOP_JOBS_MAXCONCURRENT, "
        + "jobs.maxConcurrent)"), out);
    }
  }

  @Test
  @DisplayName("environment overrides reach the running app; a variable naming no key is logged once with the nearest key and the app starts")
  void environment() throws Exception {
    int port = AppProcess.freePort();
    Path config = write("env.json", new JsonObject().put("http", http(port)));
    try (AppProcess app = startMain("env", config, Map.of("ONELOOP_JOBS_MAXCONCURRENT", "3", "ONELOOP_HTTP_ACCESSLOG", "true",
      "ONELOOP_HTTP_PROT", "9999"))) {
      app.awaitHealth(port, 200);
      JsonObject info = new JsonObject(get(port, "/api/info"));
      assertEquals(3, info.getJsonObject("config").getJsonObject("jobs").getInteger("maxConcurrent"));
      assertEquals(true, info.getJsonObject("config").getJsonObject("http").getBoolean("accessLog"));
      String warning = "ONELOOP_HTTP_PROT names no config key (nearest: ONELOOP_HTTP_PORT, http.port)";
      assertTrue(app.output().contains(warning), app.output());
      assertEquals(app.output().indexOf(warning), app.output().lastIndexOf(warning), "logged once");
      app.signal("TERM");
      assertEquals(0, app.awaitExit());
    }
  }

  @Test
  @DisplayName("log.format json in the config makes every line JSON; ONELOOP_LOG_FORMAT=json covers the message about a config that cannot be read")
  void jsonFromTheFirstLine() throws Exception {
    int port = AppProcess.freePort();
    Path config = write("json-config.json", new JsonObject().put("http", http(port)).put("log", new JsonObject().put("format", "json")));
    try (AppProcess app = startMain("json-config", config, Map.of())) {
      app.awaitHealth(port, 200);
      app.signal("TERM");
      assertEquals(0, app.awaitExit());
      for (String line : app.output().split("\n")) {
        assertTrue(new JsonObject(line).containsKey("formattedMessage"), line);
      }
    }
    Path missing = dir.resolve("missing.json");
    try (AppProcess app = AppProcess.start("json-unreadable", dir, Map.of("ONELOOP_LOG_FORMAT", "json"),
      "-jar", AppProcess.JAR.toString(), "-conf", missing.toString())) {
      assertEquals(2, app.awaitExit());
      String[] lines = app.output().split("\n");
      assertEquals(missing + ": cannot read the config file (no such file)", new JsonObject(lines[0]).getString("formattedMessage"));
      for (String line : lines) {
        assertTrue(new JsonObject(line).containsKey("level"), line);
      }
    }
  }
}
