package io.oneloop.process;

import io.oneloop.support.AppProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where pages come from: a jar's webroot/ is served beside the built-in page; a webroot/ in the working directory is refused. */
class PagesIT {

  @TempDir
  Path dir;

  private Path config(int port) throws Exception {
    JsonObject config = new JsonObject().put("http", new JsonObject().put("host", "127.0.0.1").put("port", port)).put("tasks", new JsonArray());
    return Files.writeString(dir.resolve("app.json"), config.encodePrettily());
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
      .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("a page in an app jar's webroot/ is served, under the same Content-Security-Policy, beside the built-in page")
  void pageFromAJar() throws Exception {
    Path jar = dir.resolve("pages.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      // As jar tools write it: the directories first (a directory's index page is found through them).
      out.putNextEntry(new JarEntry("webroot/"));
      out.closeEntry();
      out.putNextEntry(new JarEntry("webroot/mine/"));
      out.closeEntry();
      out.putNextEntry(new JarEntry("webroot/mine/index.html"));
      out.write("<!doctype html><title>mine</title><p>my own page</p>".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    int port = AppProcess.freePort();
    try (AppProcess app = AppProcess.start("pages-jar", dir, Map.of(), "-cp", AppProcess.JAR + ":" + jar, "io.oneloop.Main",
      "-conf", config(port).toString())) {
      app.awaitHealth(port, 200);
      HttpResponse<String> mine = get(port, "/mine/");
      assertEquals(200, mine.statusCode());
      assertTrue(mine.body().contains("my own page"), mine.body());
      assertTrue(mine.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"), mine.headers().toString());
      assertEquals(200, get(port, "/").statusCode());
      assertEquals(200, get(port, "/oneloop-bus.js").statusCode());
    }
  }

  @Test
  @DisplayName("a webroot/ in the working directory stops the start (exit 2) and --check-config, saying where pages go")
  void webrootInTheWorkingDirectoryRefused() throws Exception {
    Files.createDirectories(dir.resolve("webroot"));
    Files.writeString(dir.resolve("webroot/index.html"), "<p>not the dashboard</p>");
    String expected = dir.resolve("webroot").toRealPath() + ": a webroot/ in the working directory would be served instead of the pages";
    Path config = config(AppProcess.freePort());
    try (AppProcess app = AppProcess.start("pages-cwd", dir, Map.of(), "-jar", AppProcess.JAR.toString(), "-conf", config.toString())) {
      assertEquals(2, app.awaitExit(), app.output());
      assertTrue(app.output().contains("oneloop exiting with code 2: could not start: " + expected), app.output());
      assertTrue(app.output().contains("pages are served only from webroot/ inside a jar on the class path"), app.output());
    }
    try (AppProcess check = AppProcess.start("pages-cwd-check", dir, Map.of(), "-jar", AppProcess.JAR.toString(), "--check-config",
      "-conf", config.toString())) {
      assertEquals(2, check.awaitExit(), check.output());
      assertTrue(check.output().contains(expected), check.output());
    }
  }
}
