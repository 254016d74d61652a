package io.oneloop.browser;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The packaged app (the fat jar named by the system property {@code oneloop.jar}) run as a child
 * process on 127.0.0.1, as a user would run it: {@code java -jar oneloop.jar -conf <file>}.
 */
final class AppProcess implements AutoCloseable {

  private static final Path WORK_DIR = Path.of(System.getProperty("basedir", "."), "target", "browser-it");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final Process process;
  private final int port;
  private final Path log;

  private AppProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts the app on {@code port} with a ticker task ticking every {@code tickMs} and the metrics
   * task sampling twice a second, and waits until it is healthy. Jobs and the bridge have their defaults.
   */
  static AppProcess start(int port, int tickMs) throws IOException {
    Files.createDirectories(WORK_DIR);
    String name = "app-" + port + "-" + System.nanoTime();
    Path config = WORK_DIR.resolve(name + ".json");
    Files.writeString(config, """
      {"http": {"host": "127.0.0.1", "port": %d},
       "shutdownTimeoutMs": 5000,
       "tasks": [{"name": "ticker", "type": "ticker", "config": {"intervalMs": %d}},
                 {"name": "metrics", "type": "metrics", "config": {"intervalMs": 500}}]}
      """.formatted(port, tickMs));
    Path log = WORK_DIR.resolve(name + ".log");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    // C1 only: the app starts faster on a small machine, which is all these tests need.
    Process process = new ProcessBuilder(List.of(java.toString(), "-XX:TieredStopAtLevel=1", "-jar", jar().toString(),
        "-conf", config.toString()))
      .redirectErrorStream(true)
      .redirectOutput(log.toFile())
      .start();
    AppProcess app = new AppProcess(process, port, log);
    try {
      app.awaitHealthy();
    } catch (RuntimeException | Error e) {
      app.close();
      throw e;
    }
    return app;
  }

  /** A port nobody listens on right now. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  String url() {
    return "http://127.0.0.1:" + port + "/";
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  /** Calls the app's HTTP API, e.g. {@code api("POST", "api/jobs", "{...}")}; {@code body} may be null. */
  HttpResponse<String> api(String method, String path, String body) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url() + path))
      .timeout(Duration.ofSeconds(5))
      .header("Content-Type", "application/json")
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
      .build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed: " + e + "\n" + logTail(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Sends SIGTERM (what {@link Process#destroy()} does on Linux): the app's graceful shutdown. */
  void terminate() {
    process.destroy();
  }

  /** Waits for the process to end after {@link #terminate()}; returns its exit code. */
  int awaitExit() {
    try {
      return process.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).exitValue();
    } catch (TimeoutException e) {
      throw new AssertionError("the app did not exit within " + STOP_TIMEOUT + "\n" + logTail());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (ExecutionException e) {
      throw new AssertionError(e);
    }
  }

  /** Ends the process by its PID, gracefully first and by force if it lingers. Safe to call twice. */
  @Override
  public void close() {
    ProcessHandle.of(process.pid()).ifPresent(handle -> {
      handle.destroy();
      try {
        handle.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        handle.destroyForcibly();
      } catch (InterruptedException e) {
        handle.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    });
  }

  /** Polls /health until it answers 200, failing early if the process ends. */
  private void awaitHealthy() {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "health")).timeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      // The pause between two polls doubles as a check that the process is still alive.
      try {
        Process ended = process.onExit().get(100, TimeUnit.MILLISECONDS);
        throw new AssertionError("the app exited with code " + ended.exitValue() + " before it was healthy\n" + logTail());
      } catch (TimeoutException stillRunning) {
        // poll again
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      } catch (ExecutionException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("the app was not healthy within " + START_TIMEOUT + "\n" + logTail());
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "--- " + log + " (last lines) ---\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static Path jar() {
    String jar = System.getProperty("oneloop.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("system property oneloop.jar must name the packaged jar (run with mvn verify), got " + jar);
    }
    return Path.of(jar);
  }
}
