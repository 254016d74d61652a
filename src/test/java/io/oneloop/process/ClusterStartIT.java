package io.oneloop.process;

import io.oneloop.support.AppProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the real jar starts with the cluster off, with its cluster port taken, and with the launcher's own cluster flag. */
class ClusterStartIT {

  @TempDir
  Path dir;

  private Path config(int httpPort, JsonObject cluster) throws Exception {
    JsonObject config = new JsonObject()
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", httpPort))
      .put("tasks", new JsonArray());
    if (cluster != null) {
      config.put("cluster", cluster);
    }
    return Files.writeString(dir.resolve("app.json"), config.encodePrettily());
  }

  @Test
  @DisplayName("with the cluster off no Hazelcast class is loaded (-verbose:class), and the app serves")
  void noHazelcastWhenOff() throws Exception {
    int port = AppProcess.freePort();
    Path config = config(port, null);
    try (AppProcess app = AppProcess.start("cluster-off", dir, Map.of(), "-verbose:class", "-jar", AppProcess.JAR.toString(),
      "-conf", config.toString())) {
      app.awaitHealth(port, 200);
      String output = app.output();
      assertTrue(output.contains("io.oneloop.MainVerticle"), "class loading is logged");
      assertFalse(output.contains("com.hazelcast"), "a Hazelcast class was loaded: "
        + output.lines().filter(l -> l.contains("com.hazelcast")).findFirst().orElse(""));
      assertFalse(output.contains("io.vertx.spi.cluster"), "vertx-hazelcast's cluster manager was loaded");
      app.signal("TERM");
      assertEquals(0, app.awaitExit());
    }
  }

  @Test
  @DisplayName("the library without vertx-hazelcast: cluster.enabled stops the start (exit 2) and --check-config, naming the dependency")
  void clusterWithoutHazelcast() throws Exception {
    // The installed thin jar and its dependencies as an app's build resolves them, minus the optional vertx-hazelcast.
    StringBuilder classPath = new StringBuilder(System.getProperty("oneloop.thinJar", "target/oneloop-0.1.0-SNAPSHOT.jar"));
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      if (entry.endsWith(".jar") && !entry.contains("hazelcast") && !entry.contains("oneloop")) {
        classPath.append(java.io.File.pathSeparator).append(entry);
      }
    }
    Path config = config(AppProcess.freePort(), new JsonObject().put("enabled", true));
    String expected = "cluster.enabled is true, but Hazelcast is not on the class path: add the dependency io.vertx:vertx-hazelcast";
    try (AppProcess app = AppProcess.start("cluster-no-hazelcast", dir, Map.of(), "-cp", classPath.toString(), "io.oneloop.Main",
      "-conf", config.toString())) {
      assertEquals(2, app.awaitExit(), app.output());
      assertTrue(app.output().contains("oneloop exiting with code 2: could not start: " + config + ": " + expected), app.output());
    }
    try (AppProcess check = AppProcess.start("cluster-no-hazelcast-check", dir, Map.of(), "-cp", classPath.toString(), "io.oneloop.Main",
      "--check-config", "-conf", config.toString())) {
      assertEquals(2, check.awaitExit(), check.output());
      assertTrue(check.output().contains(config + ": " + expected), check.output());
    }
  }

  @Test
  @DisplayName("a cluster.port another process listens on stops the start with exit code 2, naming the port")
  void clusterPortTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int clusterPort = taken.getLocalPort();
      Path config = config(AppProcess.freePort(), new JsonObject().put("enabled", true).put("host", "127.0.0.1").put("port", clusterPort)
        .put("members", new JsonArray().add("127.0.0.1:" + clusterPort)));
      try (AppProcess app = AppProcess.start("cluster-port-taken", dir, Map.of(), "-jar", AppProcess.JAR.toString(), "-conf",
        config.toString())) {
        assertEquals(2, app.awaitExit(), app.output());
        assertTrue(app.output().contains("oneloop exiting with code 2: could not start: cannot listen on cluster.port 127.0.0.1:"
          + clusterPort + ": address already in use"), app.output());
      }
    }
  }

  @Test
  @DisplayName("the stock vertx run launcher's -cluster option ends the start with a pointer to cluster.enabled")
  void legacyLauncherClusterRefused() throws Exception {
    Path config = config(AppProcess.freePort(), null);
    try (AppProcess app = AppProcess.start("cluster-legacy-flag", dir, Map.of(), "-cp", AppProcess.JAR.toString(),
      "io.vertx.core.Launcher", "run", "io.oneloop.MainVerticle", "-cluster", "-conf", config.toString())) {
      assertNotEquals(0, app.awaitExit(), app.output());
      assertTrue(app.output().contains("oneloop clusters only through its config: set cluster.enabled to true"), app.output());
      assertFalse(app.output().contains("com.hazelcast"), app.output());
    }
  }

  @Test
  @DisplayName("the launcher's -cluster option is refused with exit code 2 and a pointer to cluster.enabled")
  void launcherClusterFlagRefused() throws Exception {
    Path config = config(AppProcess.freePort(), null);
    for (List<String> flag : List.of(List.of("-cluster"), List.of("--cluster-port=5800"))) {
      List<String> args = new ArrayList<>(List.of("-jar", AppProcess.JAR.toString()));
      args.addAll(flag);
      args.addAll(List.of("-conf", config.toString()));
      try (AppProcess app = AppProcess.start("cluster-flag", dir, Map.of(), args.toArray(new String[0]))) {
        assertEquals(2, app.awaitExit(), app.output());
        assertTrue(app.output().contains("is not supported; set cluster.enabled to true in the config (or ONELOOP_CLUSTER_ENABLED=true)"),
          app.output());
      }
    }
  }
}
