package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One server under test, how its users start it and how the generator speaks to it. Several
 * peers may be one app reached over another path (the stock bridge and oneloop, each over raw
 * WebSocket and over SockJS's WebSocket transport). A variant is oneloop with other settings
 * (metrics off, several HTTP instances on both cores, history on the bench address, an authorizer,
 * tracked subscribers): it runs the
 * start-to-stop life and S2 only, and is compared with oneloop rather than counted among the
 * peers. The variants with history also run the reconnect storm. Metrics off and history on are
 * measured on both paths, each beside oneloop on the same path; the authorizer and presence on the
 * SockJS path only.
 */
final class Peer {

  final String id;
  final String app;
  final String label;
  final LoadGen.Protocol protocol;
  final String wsPath;
  final boolean jvm;
  final boolean separateControlPort;
  final String workDir; // relative to the repository root
  /** Runs S6, the slow consumer. */
  final boolean slowConsumer;
  /** Runs the fixed high-rate steps (200 and 1000 publishes/s) after S1. */
  final boolean highRate;
  /** Another setting of oneloop: life and S2 only, not a peer of its own. */
  final boolean variant;
  /** The server's cores when not the one the settings give every server (null: those). */
  final String serverCpus;
  /** Keys put into oneloop's config (dotted path to value), when the jar knows them. */
  final Map<String, Object> oneloopKeys;
  /** Keys put into oneloop's config whether or not the jar knows them (a cluster node's). */
  private final Map<String, Object> requiredKeys = new LinkedHashMap<>();

  private Peer(String id, String app, String label, LoadGen.Protocol protocol, String wsPath,
      boolean slowConsumer, boolean highRate, boolean variant, String serverCpus,
      Map<String, Object> oneloopKeys) {
    this.id = id;
    this.app = app;
    this.label = label;
    this.protocol = protocol;
    this.wsPath = wsPath;
    this.jvm = app.equals("bridge") || app.equals("raw") || app.equals("oneloop");
    this.separateControlPort = app.equals("oneloop");
    this.workDir = app.equals("python") ? "bench/python" : app.equals("socketio") ? "bench/node"
        : ".";
    this.slowConsumer = slowConsumer;
    this.highRate = highRate;
    this.variant = variant;
    this.serverCpus = serverCpus;
    this.oneloopKeys = oneloopKeys;
  }

  static final String BRIDGE_PATH = "/eventbus/websocket";
  /** SockJS's WebSocket transport; the generator fills in a server and session id per socket. */
  static final String SOCKJS_PATH = "/eventbus/{server}/{session}/websocket";
  static final String SOCKETIO_PATH = "/socket.io/?EIO=4&transport=websocket";

  /** The address oneloop's and the stock bridge's publishers use. */
  static final String ADDRESS = "bench.ticks";
  /** oneloop's per-address history, on for the bench address in {@code oneloop-history}. */
  static final String HISTORY_KEY = "bridge.history";
  /** Authorization in code ({@code oneloop-sockjs-authorizer}): the bench task's allow-all class. */
  static final String AUTHORIZER_KEY = "bridge.authorizer";
  static final String AUTHORIZER_CLASS = "io.oneloop.bench.BenchAuthorizer";
  /** Tracked subscribers ({@code oneloop-sockjs-presence}): every client's register is an entry. */
  static final String PRESENCE_KEY = "bridge.presence";

  static List<Peer> all() {
    return List.of(
        new Peer("python", "python", "Python: Starlette + python-socketio + uvicorn",
            LoadGen.Protocol.SOCKETIO, SOCKETIO_PATH, false, false, false, null, Map.of()),
        new Peer("socketio", "socketio", "Socket.IO 4 on Node",
            LoadGen.Protocol.SOCKETIO, SOCKETIO_PATH, false, false, false, null, Map.of()),
        new Peer("bridge", "bridge", "stock Vert.x 5 SockJS event-bus bridge, raw WebSocket",
            LoadGen.Protocol.BRIDGE, BRIDGE_PATH, false, false, false, null, Map.of()),
        new Peer("bridge-sockjs", "bridge",
            "stock Vert.x 5 SockJS event-bus bridge, SockJS WebSocket transport",
            LoadGen.Protocol.SOCKJS, SOCKJS_PATH, true, true, false, null, Map.of()),
        new Peer("raw", "raw", "raw Vert.x WebSocket (naive baseline)",
            LoadGen.Protocol.BRIDGE, BRIDGE_PATH, false, false, false, null, Map.of()),
        new Peer("oneloop", "oneloop", "oneloop, raw WebSocket bridge endpoint",
            LoadGen.Protocol.BRIDGE, BRIDGE_PATH, true, true, false, null, Map.of()),
        new Peer("oneloop-sockjs", "oneloop", "oneloop, SockJS WebSocket transport",
            LoadGen.Protocol.SOCKJS, SOCKJS_PATH, true, true, false, null, Map.of()),
        new Peer("oneloop-nometrics", "oneloop",
            "oneloop, raw WebSocket, metrics.enabled false",
            LoadGen.Protocol.BRIDGE, BRIDGE_PATH, false, true, true, null,
            Map.of("metrics.enabled", false)),
        new Peer("oneloop-2cores", "oneloop",
            "oneloop, raw WebSocket, http.instances 2, server on both cores (sharing one with the "
                + "load generator)",
            LoadGen.Protocol.BRIDGE, BRIDGE_PATH, false, true, true, "BOTH",
            Map.of("http.instances", 2)),
        new Peer("oneloop-history", "oneloop",
            "oneloop, raw WebSocket, bridge.history on " + ADDRESS + " (size 100)",
            LoadGen.Protocol.BRIDGE, BRIDGE_PATH, false, true, true, null, historyKeys()),
        // The browser's path with the same two settings: what they cost where it matters most.
        new Peer("oneloop-sockjs-nometrics", "oneloop",
            "oneloop, SockJS WebSocket transport, metrics.enabled false",
            LoadGen.Protocol.SOCKJS, SOCKJS_PATH, false, true, true, null,
            Map.of("metrics.enabled", false)),
        new Peer("oneloop-sockjs-history", "oneloop",
            "oneloop, SockJS WebSocket transport, bridge.history on " + ADDRESS + " (size 100)",
            LoadGen.Protocol.SOCKJS, SOCKJS_PATH, false, true, true, null, historyKeys()),
        // What authorization in code and tracked subscribers cost on the browser's path.
        new Peer("oneloop-sockjs-authorizer", "oneloop",
            "oneloop, SockJS WebSocket transport, bridge.authorizer " + AUTHORIZER_CLASS,
            LoadGen.Protocol.SOCKJS, SOCKJS_PATH, false, true, true, null,
            Map.of(AUTHORIZER_KEY, AUTHORIZER_CLASS)),
        new Peer("oneloop-sockjs-presence", "oneloop",
            "oneloop, SockJS WebSocket transport, bridge.presence on " + ADDRESS
                + " (joinLeave false)",
            LoadGen.Protocol.SOCKJS, SOCKJS_PATH, false, true, true, null, presenceKeys()));
  }

  private static Map<String, Object> presenceKeys() {
    return Map.of(PRESENCE_KEY, new JsonArray().add(new JsonObject().put("address", ADDRESS)
        .put("joinLeave", false)));
  }

  static Map<String, Object> historyKeys() {
    return Map.of(HISTORY_KEY, new JsonArray().add(new JsonObject().put("address", ADDRESS)
        .put("size", 100)));
  }

  /** Runs the reconnect storm: oneloop with history on the bench address, on either path. */
  boolean reconnectStorm() {
    return oneloopKeys.containsKey(HISTORY_KEY);
  }

  /** The peer this variant is compared with: oneloop on the same path with the default settings. */
  String baseline() {
    return protocol == LoadGen.Protocol.SOCKJS ? "oneloop-sockjs" : "oneloop";
  }

  /**
   * Node {@code index} of a cluster of this oneloop peer, one node per cluster port, every node
   * listed as a member: the same config with {@code cluster.*} set, on both cores (the nodes and
   * the load generator share them).
   */
  Peer clusterNode(List<Integer> clusterPorts, int index) {
    if (!app.equals("oneloop")) {
      throw new IllegalArgumentException(id + " is not oneloop");
    }
    Peer node = new Peer(id + "-node" + (index + 1), app, label + ", cluster node " + (index + 1) + " of "
        + clusterPorts.size(), protocol, wsPath, false, false, true, "BOTH", oneloopKeys);
    JsonArray members = new JsonArray();
    clusterPorts.forEach(port -> members.add("127.0.0.1:" + port));
    node.requiredKeys.putAll(requiredKeys);
    node.requiredKeys.put("cluster.enabled", true);
    node.requiredKeys.put("cluster.host", "127.0.0.1");
    node.requiredKeys.put("cluster.port", clusterPorts.get(index));
    node.requiredKeys.put("cluster.members", members);
    return node;
  }

  /** The same peer with {@code keys} put into its config whether or not the jar knows them. */
  Peer with(Map<String, Object> keys) {
    Peer p = new Peer(id, app, label, protocol, wsPath, slowConsumer, highRate, variant, serverCpus,
        oneloopKeys);
    p.requiredKeys.putAll(requiredKeys);
    p.requiredKeys.putAll(keys);
    return p;
  }

  /** The peer named {@code id}. */
  static Peer byId(String id) {
    return all().stream().filter(p -> p.id.equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no peer " + id));
  }

  /** The peers a run takes by default: every peer and variant. */
  static List<String> defaultIds() {
    List<String> ids = new ArrayList<>();
    all().forEach(p -> ids.add(p.id));
    return ids;
  }

  /** The cores the server is pinned to in this run. */
  String cpus(Settings s) {
    if (serverCpus == null) {
      return s.serverCpu;
    }
    return s.serverCpu + "," + s.generatorCpu;
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
    switch (app) {
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
        Path conf = repo.resolve("bench/target/run/" + id + "-" + port + ".json");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, oneloopConfig(port, controlPort, appliedKeys(s)));
        c.addAll(jvmFlags(s));
        c.addAll(jvmExtra);
        c.addAll(List.of("-cp", s.oneloopJar + ":bench/task/target/bench-task.jar",
            "io.oneloop.Main", "-conf", repo.relativize(conf).toString()));
      }
      default -> throw new IllegalStateException(app);
    }
    return c;
  }

  /** The keys of {@link #oneloopKeys} the oneloop jar of this run knows (see {@link OneloopKeys}). */
  Map<String, Object> appliedKeys(Settings s) {
    Map<String, Object> m = new LinkedHashMap<>();
    oneloopKeys.forEach((k, v) -> {
      if (s.oneloopKnownKeys == null || s.oneloopKnownKeys.contains(k)) {
        m.put(k, v);
      }
    });
    OneloopKeys.CAP_KEYS.forEach((k, v) -> {
      if (s.oneloopKnownKeys == null || s.oneloopKnownKeys.contains(k)) {
        m.put(k, v);
      }
    });
    m.putAll(requiredKeys);
    return m;
  }

  /** The keys of {@link #oneloopKeys} left out because the jar does not know them. */
  List<String> missingKeys(Settings s) {
    List<String> out = new ArrayList<>();
    for (String k : oneloopKeys.keySet()) {
      if (s.oneloopKnownKeys != null && !s.oneloopKnownKeys.contains(k)) {
        out.add(k);
      }
    }
    return out;
  }

  Map<String, String> env(int port) {
    return "socketio".equals(app) ? Map.of("PORT", String.valueOf(port)) : Map.of();
  }

  static String oneloopConfig(int port, int controlPort) {
    return oneloopConfig(port, controlPort, Map.of());
  }

  /**
   * oneloop's config for the bench, with {@code keys} (dotted paths) set on top; a path ending in
   * {@code []} appends the items of its array value to the array there instead.
   */
  static String oneloopConfig(int port, int controlPort, Map<String, Object> keys) {
    JsonObject c = new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", port))
        .put("shutdownTimeoutMs", 10000)
        .put("bridge", new JsonObject()
            .put("outbound", new JsonArray().add(new JsonObject()
                .put("address", ADDRESS)))
            .put("inbound", new JsonArray()))
        .put("tasks", new JsonArray().add(new JsonObject()
            .put("name", "bench")
            .put("class", "io.oneloop.bench.BenchPublisher")
            .put("threading", "event-loop")
            .put("config", new JsonObject().put("address", ADDRESS)
                .put("controlPort", controlPort))));
    keys.forEach((path, value) -> {
      String[] parts = path.split("\\.");
      JsonObject o = c;
      for (int i = 0; i < parts.length - 1; i++) {
        JsonObject next = o.getJsonObject(parts[i]);
        if (next == null) {
          next = new JsonObject();
          o.put(parts[i], next);
        }
        o = next;
      }
      String last = parts[parts.length - 1];
      if (last.endsWith("[]") && value instanceof JsonArray items) {
        JsonArray to = o.getJsonArray(last.substring(0, last.length() - 2));
        if (to == null) {
          to = new JsonArray();
          o.put(last.substring(0, last.length() - 2), to);
        }
        to.addAll(items);
        return;
      }
      o.put(last, value);
    });
    return c.encode();
  }

  /** The AppCDS archive of a JVM peer, relative to the repository root (its working directory). */
  String cdsArchive() {
    return CDS_DIR + "/" + app + ".jsa";
  }

  static final String CDS_DIR = "bench/target/cds";

  private static List<String> jvmFlags(Settings s) {
    return List.of(s.java, "-Xmx" + s.heap, "-XX:+ExitOnOutOfMemoryError");
  }
}
