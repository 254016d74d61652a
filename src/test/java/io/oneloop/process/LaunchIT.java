package io.oneloop.process;

import io.oneloop.support.AppProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the jar finds its config, and the stock legacy launcher running the same app. */
class LaunchIT {

  @TempDir
  Path dir;

  private static Map<String, String> loopback(int port) {
    return Map.of("ONELOOP_HTTP_PORT", Integer.toString(port), "ONELOOP_HTTP_HOST", "127.0.0.1");
  }

  @Test
  @DisplayName("java -jar from a directory with conf/config.json uses that file; the environment sets host and port")
  void usesLocalConfFile() throws Exception {
    Files.createDirectories(dir.resolve("conf"));
    JsonObject local = new JsonObject(Files.readString(Path.of("conf", "config.json")));
    local.getJsonArray("tasks").getJsonObject(0).put("name", "local-ticker");
    Files.writeString(dir.resolve("conf/config.json"), local.encode());
    int port = AppProcess.freePort();
    try (AppProcess app = AppProcess.start("local-conf", dir, loopback(port), "-jar", AppProcess.JAR.toString())) {
      app.awaitHealth(port, 200);
      assertTrue(app.output().contains("Started task \"local-ticker\" (ticker)"), app.output());
      assertTrue(app.output().contains("HTTP server listening on http://127.0.0.1:" + port), app.output());
      app.signal("TERM");
      assertEquals(0, app.awaitExit());
    }
  }

  @Test
  @DisplayName("java -jar from anywhere else uses the defaults built into the jar")
  void usesBuiltInDefaults() throws Exception {
    int port = AppProcess.freePort();
    try (AppProcess app = AppProcess.start("built-in", dir, loopback(port), "-jar", AppProcess.JAR.toString())) {
      app.awaitHealth(port, 200);
      assertTrue(app.output().contains("Started task \"ticker\" (ticker)"), app.output());
      app.signal("INT");
      assertEquals(0, app.awaitExit());
    }
  }

  private Path legacyConfig(int port, JsonObject tickerConfig) throws Exception {
    return Files.writeString(dir.resolve("app.json"), new JsonObject()
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", port))
      .put("tasks", new JsonArray().add(new JsonObject().put("name", "ticker").put("type", "ticker").put("config", tickerConfig)))
      .encode());
  }

  private AppProcess legacy(String name, Path config) throws Exception {
    return AppProcess.start(name, dir, Map.of(),
      "-cp", AppProcess.JAR.toString(), "io.vertx.core.Launcher", "run", "io.oneloop.MainVerticle", "-conf", config.toString());
  }

  @Test
  @DisplayName("the stock legacy launcher serves /health and pushes, and SIGTERM runs the ordered shutdown")
  void legacyLauncher() throws Exception {
    int port = AppProcess.freePort();
    try (AppProcess app = legacy("legacy", legacyConfig(port, new JsonObject()))) {
      app.awaitHealth(port, 200);
      app.awaitOutput("Started task \"ticker\" (ticker)");
      app.signal("TERM");
      // There the JVM's own signal handling decides the code: 128 + 15.
      assertEquals(143, app.awaitExit(), app.output());
      assertTrue(app.output().contains("Shutting down: Vert.x is closing"), app.output());
    }
  }

  @Test
  @DisplayName("under the legacy launcher the app also ends when its first task ends")
  void legacyFirstCompleted() throws Exception {
    int port = AppProcess.freePort();
    try (AppProcess app = legacy("legacy-count", legacyConfig(port, new JsonObject().put("intervalMs", 50).put("count", 3)))) {
      assertEquals(0, app.awaitExit(), app.output());
      assertTrue(app.output().contains("Shutting down: task \"ticker\" ended"), app.output());
    }
  }
}
