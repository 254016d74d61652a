package io.oneloop.process;

import io.oneloop.support.AppProcess;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.testtasks.FailingStartTask;
import io.oneloop.testtasks.StubbornTask;
import io.oneloop.testtasks.ThrowingTask;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real fat jar, its exit codes and the line that says why. */
class ExitCodesIT {

  @TempDir
  Path dir;

  private Path config(int port, JsonObject... tasks) throws Exception {
    JsonObject config = new JsonObject()
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", port))
      .put("tasks", new JsonArray(List.of((Object[]) tasks)));
    return write(config);
  }

  private Path write(JsonObject config) throws Exception {
    return Files.writeString(dir.resolve("app.json"), config.encodePrettily());
  }

  private static JsonObject ticker(JsonObject config) {
    return new JsonObject().put("name", "ticker").put("type", "ticker").put("config", config);
  }

  private static JsonObject taskClass(String name, Class<?> type) {
    return new JsonObject().put("name", name).put("class", type.getName());
  }

  private static void assertExit(AppProcess app, int code, String reason) throws Exception {
    assertEquals(code, app.awaitExit(), app.output());
    assertTrue(app.output().contains("oneloop exiting with code " + code + ": " + reason), app.output());
  }

  /** Writes the config a run starts with, given the port to serve on. */
  @FunctionalInterface
  private interface Setup {
    Path config(ExitCodesIT test, int port) throws Exception;
  }

  /**
   * One run of the jar: its config, the signal sent once it serves (none: it ends by itself), and
   * the exit code and reason it must end with.
   */
  private record Run(String title, String log, Setup setup, String signal, int code, String reason) {
    @Override
    public String toString() {
      return title;
    }
  }

  static List<Run> runs() {
    return List.of(
      new Run("SIGINT stops the app gracefully with exit code 0", "sigint",
        (test, port) -> test.config(port, ticker(new JsonObject())), "INT", 0, "stopped by SIGINT"),
      new Run("SIGTERM stops the app gracefully with exit code 0", "sigterm",
        (test, port) -> test.config(port, ticker(new JsonObject())), "TERM", 0, "stopped by SIGTERM"),
      new Run("a stop that never completes ends the app with exit code 1 after shutdownTimeoutMs", "overrun",
        (test, port) -> test.withRoot(test.config(port, taskClass("stubborn", StubbornTask.class)), "shutdownTimeoutMs", 500),
        "TERM", 1, "shutdown took longer than shutdownTimeoutMs (500 ms); still stopping: task \"stubborn\""),
      new Run("a ticker with a count ends, and so does the app, with exit code 0", "count",
        (test, port) -> test.config(port, ticker(new JsonObject().put("intervalMs", 50).put("count", 3))),
        null, 0, "task \"ticker\" ended"),
      new Run("a task that throws at runtime ends the app with exit code 1", "throws",
        (test, port) -> test.config(port, taskClass("feed", ThrowingTask.class)), null, 1, "task \"feed\" failed: the feed went away"),
      new Run("a task whose start fails stops the start with exit code 2", "start-fails",
        (test, port) -> test.config(port, taskClass("feed", FailingStartTask.class)), null, 2,
        "could not start: task \"feed\" (" + FailingStartTask.class.getName() + ") failed to start: cannot reach the feed"),
      new Run("a startup hook that fails stops the start with exit code 2", "startup-hook",
        (test, port) -> test.withRoot(test.config(port), "hooks", new JsonObject().put("startup", new JsonArray()
          .add(new JsonObject().put("type", "sleep").put("params", new JsonObject().put("ms", 60000)).put("timeoutMs", 200)))),
        null, 2, "could not start: startup hook 1 (sleep) failed: timed out after 200 ms"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runs")
  @DisplayName("each way the app ends has its exit code and a last line saying why")
  void exits(Run run) throws Exception {
    int port = AppProcess.freePort();
    try (AppProcess app = AppProcess.startMain(run.log(), run.setup().config(this, port))) {
      if (run.signal() != null) {
        app.awaitHealth(port, 200);
        app.signal(run.signal());
      }
      assertExit(app, run.code(), run.reason());
    }
  }

  /** The config file with one more root key. */
  private Path withRoot(Path config, String key, Object value) throws Exception {
    return write(new JsonObject(Files.readString(config)).put(key, value));
  }

  @Test
  @DisplayName("a second signal during shutdown forces the exit with code 130")
  void secondSignal() throws Exception {
    int port = AppProcess.freePort();
    Path config = withRoot(config(port, taskClass("stubborn", StubbornTask.class)), "shutdownTimeoutMs", 600000);
    try (AppProcess app = AppProcess.startMain("forced", config)) {
      app.awaitHealth(port, 200);
      app.signal("TERM");
      app.awaitOutput("Shutting down: stopped by SIGTERM");
      app.awaitHealth(port, 503);
      app.signal("INT");
      assertExit(app, 130, "forced by a second signal (SIGINT) during shutdown");
    }
  }

  @Test
  @DisplayName("a port already in use stops the start with exit code 2, naming host and port")
  void portInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
         AppProcess app = AppProcess.startMain("port-in-use", config(taken.getLocalPort()))) {
      assertExit(app, 2, "could not start: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": address already in use");
    }
  }

  @Test
  @DisplayName("an invalid config stops the start with exit code 2, naming the file and the key")
  void invalidConfig() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"http\": {\"port\": \"abc\"}}");
    try (AppProcess app = AppProcess.startMain("bad-config", bad)) {
      assertExit(app, 2, "could not start: " + bad + ": http.port must be an integer 0-65535, got \"abc\"");
    }
  }

  @Test
  @DisplayName("an unknown task class stops the start with exit code 2")
  void unknownClass() throws Exception {
    Path config = write(new JsonObject().put("tasks", new JsonArray().add(
      new JsonObject().put("name", "feed").put("class", "com.acme.Missing"))));
    try (AppProcess app = AppProcess.startMain("unknown-class", config)) {
      assertExit(app, 2, "could not start: " + config + ": tasks[0].class: no class com.acme.Missing on the class path");
    }
  }

  @Test
  @DisplayName("SIGTERM with a job running: the job is cancelled, its last state reaches the pages, and the app exits 0")
  void drainOnSigterm() throws Exception {
    int port = AppProcess.freePort();
    Vertx vertx = Vertx.vertx();
    try (AppProcess app = AppProcess.startMain("drain", config(port))) {
      app.awaitHealth(port, 200);
      BridgeClient page = BridgeClient.connect(vertx, port).register("oneloop.jobs");
      page.request("oneloop.chat.history", new JsonObject()); // the register is in place
      HttpResponse<String> accepted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/jobs"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"sleep\",\"params\":{\"ms\":60000}}")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(202, accepted.statusCode(), accepted.body());
      String id = new JsonObject(accepted.body()).getString("id");
      page.await(f -> "rec".equals(f.getString("type")) && "running".equals(f.getJsonObject("body").getString("state")));
      app.signal("TERM");
      JsonObject last = page.await(f -> "rec".equals(f.getString("type")) && id.equals(f.getJsonObject("body").getString("id"))
        && f.getJsonObject("body").getString("endedAt") != null).getJsonObject("body");
      assertEquals("cancelled", last.getString("state"));
      assertExit(app, 0, "stopped by SIGTERM");
    } finally {
      vertx.close();
    }
  }
}
