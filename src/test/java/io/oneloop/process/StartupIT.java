package io.oneloop.process;

import io.oneloop.support.AppProcess;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the default start leaves out, seen from outside the process with jcmd. */
class StartupIT {

  /** The base of Netty's allocator events, loaded once the first buffer is allocated with them on. */
  private static final String NETTY_EVENT = "io.netty.buffer.AbstractAllocatorEvent";

  private static final String PICOCLI = "picocli.CommandLine";

  @TempDir
  Path dir;

  private static Map<String, String> loopback(int port) {
    return Map.of("ONELOOP_HTTP_PORT", Integer.toString(port), "ONELOOP_HTTP_HOST", "127.0.0.1");
  }

  /** The output of {@code jcmd <pid> <command...>}, bounded in time. */
  private String jcmd(long pid, String... command) throws IOException, InterruptedException {
    String[] cmd = new String[command.length + 2];
    cmd[0] = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    cmd[1] = Long.toString(pid);
    System.arraycopy(command, 0, cmd, 2, command.length);
    // Into a file: a class hierarchy is larger than a pipe holds while waiting.
    Path out = Files.createTempFile(dir, "jcmd", ".txt");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "jcmd did not answer in 30 s");
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("the default start serves without Netty's JFR allocator events; -Dio.netty.jfr.enabled=true brings them back")
  void nettyJfrEventsOffUnlessAsked() throws Exception {
    int port = AppProcess.freePort();
    try (AppProcess app = AppProcess.start("start-no-jfr", dir, loopback(port), "-jar", AppProcess.JAR.toString())) {
      app.awaitHealth(port, 200);
      assertTrue(jcmd(app.pid(), "VM.system_properties").contains("io.netty.jfr.enabled=false"));
      assertFalse(jcmd(app.pid(), "VM.class_hierarchy").contains(NETTY_EVENT), "no Netty JFR event class is loaded");
      app.signal("TERM");
      assertEquals(0, app.awaitExit());
    }
    port = AppProcess.freePort();
    try (AppProcess app = AppProcess.start("start-jfr", dir, loopback(port), "-Dio.netty.jfr.enabled=true", "-jar",
      AppProcess.JAR.toString())) {
      app.awaitHealth(port, 200);
      assertTrue(jcmd(app.pid(), "VM.system_properties").contains("io.netty.jfr.enabled=true"));
      assertTrue(jcmd(app.pid(), "VM.class_hierarchy").contains(NETTY_EVENT), "Netty's JFR event classes load when asked for");
      app.signal("TERM");
      assertEquals(0, app.awaitExit());
    }
  }

  @Test
  @DisplayName("a plain start skips the launcher's option parsing; a launcher option or property still goes through it")
  void launcherOnlyWhenItHasSomethingToRead() throws Exception {
    int port = AppProcess.freePort();
    try (AppProcess app = AppProcess.start("start-direct", dir, loopback(port), "-jar", AppProcess.JAR.toString())) {
      app.awaitHealth(port, 200);
      app.awaitOutput("Succeeded in deploying verticle");
      assertFalse(jcmd(app.pid(), "VM.class_hierarchy").contains(PICOCLI), "the launcher's parser is not loaded");
      app.signal("TERM");
      assertEquals(0, app.awaitExit());
    }
    port = AppProcess.freePort();
    try (AppProcess app = AppProcess.start("start-launcher", dir, loopback(port), "-Dvertx.options.eventLoopPoolSize=3", "-jar",
      AppProcess.JAR.toString())) {
      app.awaitHealth(port, 200);
      app.awaitOutput("Succeeded in deploying verticle");
      assertTrue(jcmd(app.pid(), "VM.class_hierarchy").contains(PICOCLI), "the launcher read the property");
      app.signal("TERM");
      assertEquals(0, app.awaitExit());
    }
  }
}
