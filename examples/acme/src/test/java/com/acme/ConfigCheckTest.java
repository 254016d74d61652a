package com.acme;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --check-config} as an operator runs it ({@code java -jar target/acme.jar --check-config -conf ...}):
 * oneloop's Main ends the process with the exit code, so it runs in a JVM of its own, on this
 * test's class path (the app and oneloop, as in the fat jar).
 */
class ConfigCheckTest {

  private static final long WAIT_SECONDS = 60;

  @Test
  void theStartersConfigPasses(@TempDir Path dir) throws Exception {
    Check check = checkConfig(Path.of("conf/config.json"), dir);
    assertEquals(0, check.exitCode(), check.output());
    assertTrue(check.output().contains("config OK: "), check.output());
  }

  @Test
  void aBadValueInTheTasksConfigFailsTheCheckNamingItsKey(@TempDir Path dir) throws Exception {
    JsonObject config = new JsonObject(Files.readString(Path.of("conf/config.json")));
    JsonObject task = config.getJsonArray("tasks").getJsonObject(0).getJsonObject("config");
    task.put("intervalMs", "fast").put("everyMs", 250);
    Path bad = Files.writeString(dir.resolve("bad.json"), config.encodePrettily());

    Check check = checkConfig(bad, dir);
    assertEquals(2, check.exitCode(), check.output());
    // StatusTask.configShape() is what knows these keys: without it the check passes this config.
    assertTrue(check.output().contains(bad + ": tasks[0].config.intervalMs must be an integer 100-3600000, got \"fast\""), check.output());
    assertTrue(check.output().contains(bad + ": tasks[0].config.everyMs is not a known key (expected one of address, intervalMs)"),
      check.output());
    assertTrue(check.output().contains("2 problem(s) in " + bad), check.output());
  }

  private record Check(int exitCode, String output) {
  }

  private static Check checkConfig(Path config, Path dir) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path output = dir.resolve("check.out");
    Process process = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
      "io.oneloop.Main", "--check-config", "-conf", config.toString()))
      .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    try {
      if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError("--check-config did not end within " + WAIT_SECONDS + " s: " + Files.readString(output));
      }
      return new Check(process.exitValue(), Files.readString(output));
    } finally {
      process.destroyForcibly();
    }
  }
}
