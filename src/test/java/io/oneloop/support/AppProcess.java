package io.oneloop.support;

import io.vertx.core.json.JsonObject;

import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.awaitility.Awaitility.await;

/**
 * The real fat jar run as a child process, as a user would run it; its output goes to a log file
 * under {@code target/it-logs}. Three ways to start one:
 * <ul>
 *   <li>{@link #start}: any {@code java} command line ({@code -jar}, the legacy launcher, ...) in a directory;</li>
 *   <li>{@link #startMain}: {@code java -cp oneloop.jar:target/test-classes io.oneloop.Main -conf <file>};</li>
 *   <li>{@link #serve}: the same with a config written from JSON, waiting until {@code GET /health}
 *       answers 200 on the config's port; {@link #url()} and {@link #api} then talk to it. Serving
 *       again on the same port after this one has exited is a restart.</li>
 * </ul>
 */
public final class AppProcess implements AutoCloseable {

  public static final Path JAR = Path.of(System.getProperty("oneloop.jar", "target/oneloop.jar")).toAbsolutePath();
  /** Test task and job classes, on the class path the way a user's own jar would be. */
  public static final Path TEST_CLASSES = Path.of("target", "test-classes").toAbsolutePath();
  public static final Path LOG_DIR = Path.of("target", "it-logs").toAbsolutePath();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final Path log;
  /** The HTTP port when known (started by {@link #serve}), else -1. */
  private final int port;

  private AppProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /**
   * Starts {@code java <javaArgs>} in {@code dir}, with {@code env} added to the environment (and
   * {@code ONELOOP_HTTP_PORT}/{@code ONELOOP_HTTP_HOST} removed unless given). SIGINT and SIGTERM are
   * reset to their default handling first: a child of a background job would otherwise inherit
   * SIGINT ignored and could not receive it.
   */
  public static AppProcess start(String name, Path dir, Map<String, String> env, String... javaArgs) throws IOException {
    return launch(name, dir, env, -1, javaArgs);
  }

  /** {@code java -cp oneloop.jar:test-classes io.oneloop.Main -conf <config>}, in the config's directory. */
  public static AppProcess startMain(String name, Path config) throws IOException {
    return launchMain(name, config, -1);
  }

  /**
   * Writes {@code config} to {@code target/it-logs/<name>.json}, starts {@link #startMain} on it and
   * waits until {@code GET /health} answers 200 on {@code http.port}, which the config must set
   * (with {@code http.host} 127.0.0.1).
   */
  public static AppProcess serve(String name, JsonObject config) throws IOException {
    int port = config.getJsonObject("http").getInteger("port");
    Path file = Files.writeString(Files.createDirectories(LOG_DIR).resolve(name + ".json"), config.encodePrettily());
    AppProcess app = launchMain(name, file, port);
    try {
      app.awaitHealth(port, 200);
    } catch (RuntimeException | Error e) {
      app.close();
      throw e;
    }
    return app;
  }

  /**
   * As {@link #serve}, with {@code jvmArgs} (e.g. GC flags) before the class path and {@code env}
   * added, but returning as soon as the process runs, so several can start at once; wait with
   * {@link #awaitServing()}.
   */
  public static AppProcess launch(String name, JsonObject config, Map<String, String> env, List<String> jvmArgs) throws IOException {
    int port = config.getJsonObject("http").getInteger("port");
    Path file = Files.writeString(Files.createDirectories(LOG_DIR).resolve(name + ".json"), config.encodePrettily());
    List<String> args = new ArrayList<>(jvmArgs);
    args.addAll(List.of("-cp", JAR + ":" + TEST_CLASSES, "io.oneloop.Main", "-conf", file.toString()));
    return launch(name, file.getParent(), env, port, args.toArray(new String[0]));
  }

  /** Waits until {@code GET /health} answers 200 on its port; only for an app started with a known port. */
  public void awaitServing() {
    awaitHealth(port(), 200);
  }

  private static AppProcess launchMain(String name, Path config, int port) throws IOException {
    return launch(name, config.toAbsolutePath().getParent(), Map.of(), port,
      "-cp", JAR + ":" + TEST_CLASSES, "io.oneloop.Main", "-conf", config.toAbsolutePath().toString());
  }

  private static AppProcess launch(String name, Path dir, Map<String, String> env, int port, String... javaArgs) throws IOException {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR + " is missing: the process and browser tests run the packaged jar (mvn verify)");
    }
    Path log = Files.createDirectories(LOG_DIR).resolve(name + ".log");
    // C1 only and a small heap: the app starts faster and weighs less on a small machine.
    List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT,TERM",
      Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1"));
    command.addAll(List.of(javaArgs));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
      .redirectOutput(log.toFile());
    builder.environment().remove("ONELOOP_HTTP_PORT");
    builder.environment().remove("ONELOOP_HTTP_HOST");
    builder.environment().putAll(env);
    return new AppProcess(builder.start(), log, port);
  }

  /** A port nobody listens on right now on 127.0.0.1. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** The port it serves on; only for an app started by {@link #serve}. */
  public int port() {
    if (port < 0) {
      throw new IllegalStateException("the port is known only for an app started by serve()");
    }
    return port;
  }

  /** {@code http://127.0.0.1:<port>/}. */
  public String url() {
    return "http://127.0.0.1:" + port() + "/";
  }

  /** Everything the process wrote so far. */
  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  /** How many bytes the process wrote so far (its output file's size), without reading them. */
  public long outputBytes() {
    try {
      return Files.size(log);
    } catch (IOException e) {
      return 0;
    }
  }

  /** The exit code, or null while it runs. */
  public Integer exitCode() {
    return process.isAlive() ? null : process.exitValue();
  }

  /** Calls the app's HTTP API, e.g. {@code api("POST", "api/jobs", "{...}")}; {@code body} may be null. */
  public HttpResponse<String> api(String method, String path, String body) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url() + path))
      .timeout(Duration.ofSeconds(5))
      .header("Content-Type", "application/json")
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
      .build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed: " + e + "\n" + tail(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Sends signal {@code name} ({@code "TERM"}, {@code "INT"}, ...) to this process, by its PID. */
  public void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits for the process to exit and returns its exit code. */
  public int awaitExit() {
    try {
      if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("the app did not exit within " + WAIT.toSeconds() + " s\n" + tail());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return process.exitValue();
  }

  /** Polls {@code GET /health} on {@code port} until it answers {@code status}, failing early if the process ends. */
  public void awaitHealth(int port, int status) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(2)).build();
    awaitCondition("GET /health answering " + status, () -> {
      try {
        return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == status;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    });
  }

  /** Polls the output until it contains {@code text}. */
  public void awaitOutput(String text) {
    awaitCondition("output containing \"" + text + "\"", () -> output().contains(text));
  }

  private void awaitCondition(String what, BooleanSupplier condition) {
    try {
      await(what).atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .failFast("the app exited while waiting for " + what, () -> !process.isAlive())
        .until(condition::getAsBoolean);
    } catch (ConditionTimeoutException | TerminalFailureException e) {
      String why = process.isAlive() ? "timed out after " + WAIT.toSeconds() + " s"
        : "the app exited (code " + process.exitValue() + ")";
      throw new AssertionError(why + " while waiting for " + what + "\n" + tail(), e);
    }
  }


  /** The last lines of the output, for failure messages. */
  private String tail() {
    List<String> lines = output().lines().toList();
    return "--- " + log + " (last lines) ---\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  /**
   * Ends the process if a test left it running: SIGTERM, then by force if it lingers. Only this
   * PID, never anything else; safe to call twice.
   */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
