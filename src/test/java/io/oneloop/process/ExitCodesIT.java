package io.oneloop.process;

import io.oneloop.support.AppProcess;
import io.oneloop.support.BridgeClient;
import io.oneloop.testtasks.FailingStartTask;
import io.oneloop.testtasks.StubbornTask;
import io.oneloop.testtasks.ThrowingTask;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real fat jar, its exit codes and the line that says why. */
class ExitCodesIT {

  @TempDir
  Path dir;

  private Path config(int port, JsonObject... tasks) throws Exception {
    JsonObject config = new JsonObject()
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", port))
      .put("tasks", new JsonArray(java.util.List.of((Object[]) tasks)));
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

  @Test
  @DisplayName("SIGINT stops the app gracefully with exit code 0")
  void sigint() throws Exception {
    int port = AppProcess.freePort();
    try (AppProcess app = AppProcess.startMain("sigint", config(port, ticker(new JsonObject())))) {
      app.awaitHealth(port, 200);
      app.signal("INT");
      assertExit(app, 0, "stopped by SIGINT");
    }
  }

  @Test
  @DisplayName("SIGTERM stops the app gracefully with exit code 0")
  void sigterm() throws Exception {
    int port = AppProcess.freePort();
    try (AppProcess app = AppProcess.startMain("sigterm", config(port, ticker(new JsonObject())))) {
      app.awaitHealth(port, 200);
      app.signal("TERM");
      assertExit(app, 0, "stopped by SIGTERM");
    }
  }

  @Test
  @DisplayName("a ticker with a count ends, and so does the app, with exit code 0")
  void tickerCount() throws Exception {
    int port = AppProcess.freePort();
    try (AppProcess app = AppProcess.startMain("count", config(port, ticker(new JsonObject().put("intervalMs", 50).put("count", 3))))) {
      assertExit(app, 0, "task \"ticker\" ended");
    }
  }

  @Test
  @DisplayName("a task that throws at runtime ends the app with exit code 1")
  void runtimeFailure() throws Exception {
    int port = AppProcess.freePort();
    try (AppProcess app = AppProcess.startMain("throws", config(port, taskClass("feed", ThrowingTask.class)))) {
      assertExit(app, 1, "task \"feed\" failed: the feed went away");
    }
  }

  @Test
  @DisplayName("a stop that never completes ends the app with exit code 1 after shutdownTimeoutMs")
  void shutdownOverrun() throws Exception {
    int port = AppProcess.freePort();
    Path config = write(new JsonObject(Files.readString(config(port, taskClass("stubborn", StubbornTask.class))))
      .put("shutdownTimeoutMs", 500));
    try (AppProcess app = AppProcess.startMain("overrun", config)) {
      app.awaitHealth(port, 200);
      app.signal("TERM");
      assertExit(app, 1, "shutdown took longer than shutdownTimeoutMs (500 ms); still stopping: task \"stubborn\"");
    }
  }

  @Test
  @DisplayName("a second signal during shutdown forces the exit with code 130")
  void secondSignal() throws Exception {
    int port = AppProcess.freePort();
    Path config = write(new JsonObject(Files.readString(config(port, taskClass("stubborn", StubbornTask.class))))
      .put("shutdownTimeoutMs", 600000));
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
  @DisplayName("a task whose start fails stops the start with exit code 2")
  void failedTaskStart() throws Exception {
    int port = AppProcess.freePort();
    try (AppProcess app = AppProcess.startMain("start-fails", config(port, taskClass("feed", FailingStartTask.class)))) {
      assertExit(app, 2, "could not start: task \"feed\" (" + FailingStartTask.class.getName() + ") failed to start: cannot reach the feed");
    }
  }

  @Test
  @DisplayName("a startup hook that fails stops the start with exit code 2")
  void startupHookFails() throws Exception {
    int port = AppProcess.freePort();
    JsonObject config = new JsonObject(Files.readString(config(port))).put("hooks", new JsonObject().put("startup", new JsonArray()
      .add(new JsonObject().put("type", "sleep").put("params", new JsonObject().put("ms", 60000)).put("timeoutMs", 200))));
    try (AppProcess app = AppProcess.startMain("startup-hook", write(config))) {
      assertExit(app, 2, "could not start: startup hook 1 (sleep) failed: timed out after 200 ms");
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
