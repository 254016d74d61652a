package io.oneloop.support;

import java.io.IOException;
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
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** The real fat jar run as a child process, its output in a log file under target/it-logs. */
public final class AppProcess implements AutoCloseable {

  public static final Path JAR = Path.of(System.getProperty("oneloop.jar", "target/oneloop.jar")).toAbsolutePath();
  /** Test task classes, on the class path the way a user's own task jar would be. */
  public static final Path TEST_CLASSES = Path.of("target", "test-classes").toAbsolutePath();
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final Process process;
  private final Path log;

  private AppProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code java <args>} in {@code dir}. SIGINT and SIGTERM are reset to their default handling
   * first: a child of a background job would otherwise inherit SIGINT ignored and could not receive it.
   */
  public static AppProcess start(String name, Path dir, Map<String, String> env, String... javaArgs) throws IOException {
    Path logDir = Files.createDirectories(Path.of("target", "it-logs").toAbsolutePath());
    Path log = logDir.resolve(name + ".log");
    List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT,TERM",
      Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
    command.addAll(List.of(javaArgs));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
      .redirectOutput(log.toFile());
    builder.environment().remove("ONELOOP_HTTP_PORT");
    builder.environment().remove("ONELOOP_HTTP_HOST");
    builder.environment().putAll(env);
    return new AppProcess(builder.start(), log);
  }

  /** {@code java -cp oneloop.jar:test-classes io.oneloop.Main -conf <config>}. */
  public static AppProcess startMain(String name, Path config) throws IOException {
    // The app's own logging config: the test classes carry a quieter logback-test.xml.
    return start(name, config.getParent(), Map.of(), "-Dlogback.configurationFile=logback.xml",
      "-cp", JAR + ":" + TEST_CLASSES, "io.oneloop.Main", "-conf", config.toString());
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  public long pid() {
    return process.pid();
  }

  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  public void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** Waits for the process to exit and returns its exit code. */
  public int awaitExit() throws Exception {
    if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("the app did not exit within " + WAIT.toSeconds() + " s; output:\n" + output());
    }
    return process.exitValue();
  }

  /** Polls GET /health until it answers {@code status}. */
  public void awaitHealth(int port, int status) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(2)).build();
    awaitCondition("GET /health answering " + status, () -> {
      try {
        return client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == status;
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
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new AssertionError("the app exited (code " + process.exitValue() + ") while waiting for " + what + "; output:\n" + output());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; output:\n" + output());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  /** Ends the process if a test left it running: only this PID, never anything else. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
