package io.oneloop.bench.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One server under test and how its users start it. */
final class Peer {

  final String id;
  final String label;
  final LoadGen.Protocol protocol;
  final String wsPath;
  final boolean jvm;
  final boolean separateControlPort;
  final String workDir; // relative to the repository root

  private Peer(String id, String label, LoadGen.Protocol protocol, String wsPath, boolean jvm,
      boolean separateControlPort, String workDir) {
    this.id = id;
    this.label = label;
    this.protocol = protocol;
    this.wsPath = wsPath;
    this.jvm = jvm;
    this.separateControlPort = separateControlPort;
    this.workDir = workDir;
  }

  static final String BRIDGE_PATH = "/eventbus/websocket";
  static final String SOCKETIO_PATH = "/socket.io/?EIO=4&transport=websocket";

  static List<Peer> all() {
    return List.of(
        new Peer("python", "Python: Starlette + python-socketio + uvicorn",
            LoadGen.Protocol.SOCKETIO, SOCKETIO_PATH, false, false, "bench/python"),
        new Peer("socketio", "Socket.IO 4 on Node",
            LoadGen.Protocol.SOCKETIO, SOCKETIO_PATH, false, false, "bench/node"),
        new Peer("bridge", "stock Vert.x 5 SockJS event-bus bridge",
            LoadGen.Protocol.BRIDGE, BRIDGE_PATH, true, false, "."),
        new Peer("raw", "raw Vert.x WebSocket (naive baseline)",
            LoadGen.Protocol.BRIDGE, BRIDGE_PATH, true, false, "."),
        new Peer("oneloop", "oneloop (bridge endpoint)",
            LoadGen.Protocol.BRIDGE, BRIDGE_PATH, true, true, "."));
  }

  /**
   * The command line (without the taskset prefix); PORT and CONTROL are the ports. Paths are
   * relative to {@link #workDir}, so the command can be shown as is.
   */
  List<String> command(Settings s, int port, int controlPort, Path repo) throws Exception {
    return command(s, port, controlPort, repo, List.of());
  }

  /**
   * As {@link #command(Settings, int, int, Path)}, with {@code jvmExtra} put after the JVM flags
   * every JVM peer shares (JVM peers only).
   */
  List<String> command(Settings s, int port, int controlPort, Path repo, List<String> jvmExtra)
      throws Exception {
    if (!jvm && !jvmExtra.isEmpty()) {
      throw new IllegalArgumentException(id + " is not a JVM peer");
    }
    List<String> c = new ArrayList<>();
    switch (id) {
      case "python" -> c.addAll(List.of(s.python, "-m", "uvicorn", "app:app", "--host", "127.0.0.1",
          "--port", String.valueOf(port), "--log-level", "warning"));
      case "socketio" -> c.addAll(List.of(s.node, "server.js"));
      case "bridge" -> {
        c.addAll(jvmFlags(s));
        c.addAll(jvmExtra);
        c.addAll(List.of("-jar", "bench/bridge-app/target/bridge-app.jar",
            "io.oneloop.bench.bridge.BridgeServer", "-conf={\"port\":" + port + "}"));
      }
      case "raw" -> {
        c.addAll(jvmFlags(s));
        c.addAll(jvmExtra);
        c.addAll(List.of("-jar", "bench/raw-app/target/raw-app.jar",
            "io.oneloop.bench.raw.RawWebSocketServer", "-conf={\"port\":" + port + "}"));
      }
      case "oneloop" -> {
        Path conf = repo.resolve("bench/target/run/oneloop-" + port + ".json");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, oneloopConfig(port, controlPort));
        c.addAll(jvmFlags(s));
        c.addAll(jvmExtra);
        c.addAll(List.of("-cp", s.oneloopJar + ":bench/task/target/bench-task.jar",
            "io.oneloop.Main", "-conf", repo.relativize(conf).toString()));
      }
      default -> throw new IllegalStateException(id);
    }
    return c;
  }

  Map<String, String> env(int port) {
    return "socketio".equals(id) ? Map.of("PORT", String.valueOf(port)) : Map.of();
  }

  static String oneloopConfig(int port, int controlPort) {
    return "{\"http\":{\"host\":\"127.0.0.1\",\"port\":" + port + "},"
        + "\"shutdownTimeoutMs\":10000,"
        + "\"bridge\":{\"outbound\":[{\"address\":\"bench.ticks\"}],\"inbound\":[]},"
        + "\"tasks\":[{\"name\":\"bench\",\"class\":\"io.oneloop.bench.BenchPublisher\","
        + "\"threading\":\"event-loop\","
        + "\"config\":{\"address\":\"bench.ticks\",\"controlPort\":" + controlPort + "}}]}";
  }

  /** The AppCDS archive of a JVM peer, relative to the repository root (its working directory). */
  String cdsArchive() {
    return CDS_DIR + "/" + id + ".jsa";
  }

  static final String CDS_DIR = "bench/target/cds";

  private static List<String> jvmFlags(Settings s) {
    return List.of(s.java, "-Xmx" + s.heap, "-XX:+ExitOnOutOfMemoryError");
  }
}
