package io.oneloop.process;

import io.oneloop.support.AppProcess;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What operators take from the repository as it is: the fat jar's dependency records, the unit, the examples of docs/operations.md. */
class ShippedFilesIT {

  @Test
  @DisplayName("the fat jar keeps each dependency's Maven record, which scanners read the versions from; logback is 1.5.38")
  void jarKeepsDependencyVersions() throws Exception {
    try (ZipFile jar = new ZipFile(AppProcess.JAR.toFile())) {
      for (String artifact : List.of("ch.qos.logback/logback-classic", "ch.qos.logback/logback-core", "io.vertx/vertx-core",
        "io.vertx/vertx-web", "io.netty/netty-codec-http", "com.fasterxml.jackson.core/jackson-core")) {
        var entry = jar.getEntry("META-INF/maven/" + artifact + "/pom.properties");
        assertNotNull(entry, artifact + "'s pom.properties is in the jar");
        if (artifact.startsWith("ch.qos.logback")) {
          Properties pom = new Properties();
          try (InputStream in = jar.getInputStream(entry)) {
            pom.load(in);
          }
          assertEquals("1.5.38", pom.getProperty("version"), artifact);
        }
      }
    }
  }

  @Test
  @DisplayName("the shipped unit and the systemd and Kubernetes examples of docs/operations.md end a JVM that ran out of memory (exit 3)")
  void outOfMemoryEndsTheJvm() throws Exception {
    String unit = Files.readString(Path.of("conf", "oneloop.service"));
    Matcher exec = Pattern.compile("(?m)^ExecStart=.*$").matcher(unit);
    assertTrue(exec.find() && exec.group().contains("-XX:+ExitOnOutOfMemoryError"), "conf/oneloop.service: " + unit);
    String operations = Files.readString(Path.of("docs", "operations.md"));
    Matcher docsExec = Pattern.compile("(?m)^ExecStart=.*$").matcher(operations);
    assertTrue(docsExec.find() && docsExec.group().contains("-XX:+ExitOnOutOfMemoryError"), "the unit in docs/operations.md");
    Matcher command = Pattern.compile("(?m)^\\s+command: \\[\"java\".*$").matcher(operations);
    assertTrue(command.find() && command.group().contains("\"-XX:+ExitOnOutOfMemoryError\""), "the pod spec in docs/operations.md");
    assertTrue(operations.contains("| `3` | the JVM ran out of memory"), "the exit-code table names 3");
  }
}
