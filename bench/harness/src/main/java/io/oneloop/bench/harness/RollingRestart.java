package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static io.oneloop.bench.harness.Bench.log;
import static io.oneloop.bench.harness.Rig.sleep;

/**
 * A rolling restart of three clustered oneloop nodes, as a deployment does it (the
 * {@code oneloop} peer, once per run): history on {@value #ADDRESS}, a singleton ticker task
 * publishing there at 20/s and a publisher on each node ({@code POST /api/publish}, 5/s), the
 * clients spread over the nodes on both transports ({@link Roaming}). Each node in turn gets
 * SIGTERM, is started again and awaited ready (serving, all three nodes in the cluster) before
 * the next; every client moves to another live node when its own closes it and resumes with
 * {@code oneloop.since} and {@code oneloop.epoch}. At the end every client must have every
 * message published while it was subscribed: 0 gaps, 0 duplicates. Recorded: the clients, the
 * messages and deliveries, gaps and duplicates, each reconnect's time back and catch-up time
 * (from its register to the first live message after the replay), and each node's stop-to-ready
 * timeline.
 */
final class RollingRestart implements Scenario {

  static final String ADDRESS = "bench.roll";
  /** Clients (both transports, spread over the nodes): at most this many, fewer with {@code --clients}. */
  static final int MAX_CLIENTS = 300;
  static final int TICKER_INTERVAL_MS = 50;
  static final int POST_INTERVAL_MS = 200;
  static final int HISTORY_SIZE = 5000;

  private final Rig rig;
  private final Settings s;

  RollingRestart(Rig rig) {
    this.rig = rig;
    this.s = rig.s;
  }

  /** The history, the ticker and the bridge permit the nodes need beside the bench's config. */
  static Map<String, Object> keys() {
    Map<String, Object> k = new LinkedHashMap<>();
    k.put("bridge.outbound[]", new JsonArray().add(new JsonObject().put("address", ADDRESS)));
    k.put(Peer.HISTORY_KEY, new JsonArray().add(new JsonObject().put("address", ADDRESS)
        .put("size", HISTORY_SIZE)));
    k.put("tasks[]", new JsonArray().add(new JsonObject().put("name", "roll-ticker").put("type", "ticker")
        .put("singleton", true).put("config", new JsonObject().put("intervalMs", TICKER_INTERVAL_MS)
            .put("address", ADDRESS))));
    return k;
  }

  @Override
  public JsonObject run(Peer p, int round) throws Exception {
    int clients = Math.min(s.clients, MAX_CLIENTS);
    int n = ClusterFanout.NODES;
    JsonObject r = new JsonObject().put("round", round).put("peer", p.id).put("kind", "rolling")
        .put("nodes", n).put("label", ClusterFanout.LABEL);
    log("round %d %s: rolling restart of %d clustered nodes (%s), %d clients on both transports", round,
        p.id, n, ClusterFanout.LABEL, clients);
    List<Integer> clusterPorts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      clusterPorts.add(Ports.free());
    }
    Peer[] peers = new Peer[n];
    Server[] nodes = new Server[n];
    Roaming roaming = new Roaming(n);
    LoadGen gen = rig.gen;
    ScheduledExecutorService posters = Executors.newSingleThreadScheduledExecutor();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    AtomicLong posted = new AtomicLong();
    AtomicLong postFailed = new AtomicLong();
    gen.trackHistory(true);
    try {
      for (int i = 0; i < n; i++) {
        peers[i] = p.clusterNode(clusterPorts, i).with(keys());
        nodes[i] = i == 0 ? rig.start(peers[i], round, "rolling") : rig.startAlongside(peers[i], round, "rolling");
      }
      JsonArray starts = new JsonArray();
      for (Server node : nodes) {
        JsonObject started = new JsonObject().put("round", round).put("kind", "rolling");
        if (rig.awaitStart(started, node.peer, node) != null) {
          return r.put("error", started.getString("error"));
        }
        starts.add(started.getValue("s3StartMs"));
      }
      r.put("startMs", starts);
      if (!await(() -> clustered(nodes, n), 120_000)) {
        return rig.fail(r, p, nodes[0], "the three nodes did not all see each other within 120 s");
      }
      for (int i = 0; i < n; i++) {
        roaming.up(i, nodes[i].port);
      }
      int connected = 0;
      for (int i = 0; i < n; i++) {
        int share = clients / n + (i < clients % n ? 1 : 0);
        int raw = share / 2;
        connected += gen.connectRoaming(LoadGen.Protocol.BRIDGE, p.wsPath, ADDRESS, raw, s.connectTimeoutMs,
            roaming, i);
        connected += gen.connectRoaming(LoadGen.Protocol.SOCKJS, Peer.SOCKJS_PATH, ADDRESS, share - raw,
            s.connectTimeoutMs, roaming, i);
      }
      r.put("connected", connected);
      log("  %d/%d clients connected over %d nodes (raw WebSocket and SockJS)", connected, clients, n);
      if (connected < clients) {
        return rig.fail(r, p, nodes[0], "only " + connected + " of " + clients + " clients connected");
      }
      for (int i = 0; i < n; i++) {
        int node = i;
        posters.scheduleWithFixedDelay(() -> post(http, roaming.port(node), node, posted, postFailed),
            POST_INTERVAL_MS, POST_INTERVAL_MS, TimeUnit.MILLISECONDS);
      }
      // every client receiving before the first stop
      if (!await(() -> call(gen, () -> roaming.allHave(0)), 30_000)) {
        return rig.fail(r, p, nodes[0], "not every client received a message within 30 s");
      }
      sleep(Math.max(s.settleMs, 1000));
      JsonArray timeline = new JsonArray();
      for (int i = 0; i < n; i++) {
        JsonObject t = restart(peers[i], nodes, i, roaming, round);
        timeline.add(t);
        if (t.getString("error") != null) {
          r.put("timeline", timeline);
          return rig.fail(r, p, nodes[t.getInteger("failedNode", i + 1) - 1], t.getString("error"));
        }
      }
      r.put("timeline", timeline);
      // the end: no more POSTs; every client must reach the highest seq any client has by then
      posters.shutdownNow();
      posters.awaitTermination(5, TimeUnit.SECONDS);
      sleep(500);
      long upTo = call(gen, roaming::fixUpTo);
      boolean all = await(() -> call(gen, () -> roaming.allHave(upTo)), 30_000);
      JsonObject f = call(gen, roaming::figures);
      f.put("posted", posted.get()).put("postsFailed", postFailed.get()).put("allCaughtUp", all)
          .put("tickerPerSec", 1000 / TICKER_INTERVAL_MS).put("postsPerSecPerNode", 1000 / POST_INTERVAL_MS);
      r.put("rolling", f);
      log("  rolling restart: %d clients (%d moved, %d reconnects), %d messages, %d deliveries, %d gaps, "
              + "%d duplicates, longest catch-up %s ms, longest time back %s ms; %d POSTs accepted",
          f.getInteger("clients"), f.getInteger("clientsMoved"), f.getInteger("reconnects"), f.getLong("messages"),
          f.getLong("deliveries"), f.getLong("gaps"), f.getLong("duplicates"), f.getValue("catchUpMsMax"),
          f.getValue("reconnectMsMax"), posted.get());
      if (!all) {
        return rig.fail(r, p, nodes[0], f.getLong("clientsBehind") + " clients did not reach seq " + upTo
            + " within 30 s");
      }
    } finally {
      posters.shutdownNow();
      roaming.stop();
      gen.expectClose();
      for (Server node : nodes) {
        if (node != null) {
          node.stopQuietly(10_000);
        }
      }
      gen.disconnectAll();
      gen.trackHistory(false);
    }
    return r;
  }

  /**
   * Node {@code i}: out of the clients' choice, SIGTERM, awaited exit, started again (same cluster
   * port, a new HTTP port), awaited serving and in a cluster of all nodes, back in the choice; then
   * every client registered on a live socket before the next node goes.
   */
  private JsonObject restart(Peer peer, Server[] nodes, int i, Roaming roaming, int round) throws Exception {
    JsonObject t = new JsonObject().put("node", i + 1);
    roaming.down(i);
    long t0 = System.nanoTime();
    new ProcessBuilder("kill", "-TERM", String.valueOf(nodes[i].pid)).start().waitFor(5, TimeUnit.SECONDS);
    boolean exited = nodes[i].process.waitFor(s.stopTimeoutMs, TimeUnit.MILLISECONDS);
    long t1 = System.nanoTime();
    t.put("stopMs", Json.round((t1 - t0) / 1e6, 1)).put("exitCode", nodes[i].exitCode());
    nodes[i].destroy();
    if (!exited) {
      return t.put("error", "node " + (i + 1) + " did not exit within " + s.stopTimeoutMs + " ms of SIGTERM");
    }
    nodes[i] = rig.startAlongside(peer, round, "rolling");
    double startMs = nodes[i].waitHealthy(60_000);
    if (startMs < 0) {
      return t.put("error", "node " + (i + 1) + " gave no 200 on GET /health within 60 s of its restart");
    }
    t.put("startMs", Json.round(startMs, 1));
    if (!await(() -> dead(nodes) >= 0 || clustered(nodes, nodes.length), 120_000) || dead(nodes) >= 0) {
      int gone = dead(nodes);
      return gone < 0 ? t.put("error", "node " + (i + 1) + " did not rejoin the cluster within 120 s")
          : t.put("failedNode", gone + 1).put("error", "node " + (gone + 1) + " exited (code "
              + nodes[gone].exitCode() + ") during the restart of node " + (i + 1));
    }
    long t2 = System.nanoTime();
    t.put("stopToReadyMs", Json.round((t2 - t0) / 1e6, 1));
    roaming.up(i, nodes[i].port);
    boolean back = await(() -> call(rig.gen, roaming::allConnected), 60_000);
    t.put("clientsBackMs", back ? Json.round((System.nanoTime() - t2) / 1e6, 1) : null);
    log("  node %d: SIGTERM to exit %.0f ms (code %s), start to /health %.0f ms, stop to ready %.0f ms%s", i + 1,
        (t1 - t0) / 1e6, t.getValue("exitCode"), startMs, (t2 - t0) / 1e6, back ? "" : "; not every client back");
    if (!back) {
      return t.put("error", "not every client was back on a live node within 60 s of node " + (i + 1) + " ready");
    }
    // the moved clients' replays done before the next stop
    sleep(Math.max(s.settleMs, 1000));
    int gone = dead(nodes);
    if (gone >= 0) {
      return t.put("failedNode", gone + 1).put("error", "node " + (gone + 1) + " exited (code "
          + nodes[gone].exitCode() + ") after the restart of node " + (i + 1));
    }
    return t;
  }

  /** The first node whose process has exited, or -1. */
  private static int dead(Server[] nodes) {
    for (int i = 0; i < nodes.length; i++) {
      if (!nodes[i].process.isAlive()) {
        return i;
      }
    }
    return -1;
  }

  /** Every node serving and listing all {@code n} nodes in {@code GET /api/cluster}. */
  private static boolean clustered(Server[] nodes, int n) {
    for (Server node : nodes) {
      try {
        MiniHttp.Response c = MiniHttp.get(node.port, "/api/cluster", 2_000);
        if (c.status() != 200 || new JsonObject(c.body()).getJsonArray("nodes").size() != n) {
          return false;
        }
      } catch (Exception e) {
        return false;
      }
    }
    return true;
  }

  /** One message through node {@code node}'s publish API, unless the node is down. */
  private static void post(HttpClient http, int port, int node, AtomicLong posted, AtomicLong failed) {
    if (port < 0) {
      return;
    }
    String body = new JsonObject().put("address", ADDRESS).put("body", new JsonObject().put("node", node + 1)
        .put("time", Instant.now().toString())).encode();
    try {
      HttpResponse<Void> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/publish"))
          .timeout(Duration.ofSeconds(2)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
      (res.statusCode() == 200 ? posted : failed).incrementAndGet();
    } catch (Exception e) {
      // the node went down between the check and the call: that message was not published
      failed.incrementAndGet();
    }
  }

  private static <T> T call(LoadGen gen, java.util.concurrent.Callable<T> task) {
    try {
      return gen.onLoop(task);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Polls {@code done} every 200 ms until it holds or {@code maxMs} passed. */
  private static boolean await(BooleanSupplier done, long maxMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMs);
    while (System.nanoTime() < deadline) {
      if (done.getAsBoolean()) {
        return true;
      }
      sleep(200);
    }
    return done.getAsBoolean();
  }

  /** The summary's {@code rolling}: the run's figures and timeline (it runs once), or null. */
  static JsonObject summary(List<JsonObject> runs) {
    for (JsonObject run : runs) {
      JsonObject f = run.getJsonObject("rolling");
      if (f != null) {
        return f.copy().put("round", run.getValue("round")).put("timeline", run.getJsonArray("timeline"))
            .put("label", run.getString("label"));
      }
    }
    return null;
  }

  /** The rolling-restart section of BENCHMARKS.md; empty when the run has none. */
  static String markdown(JsonObject result) {
    JsonObject one = result.getJsonObject("summary").getJsonObject("oneloop");
    JsonObject f = one == null ? null : one.getJsonObject("rolling");
    if (f == null) {
      return "";
    }
    StringBuilder b = new StringBuilder("### Rolling restart of three clustered nodes\n\n")
        .append("oneloop as three nodes clustered over Hazelcast on this machine (").append(f.getString("label", ""))
        .append("), history on `").append(ADDRESS).append("` (").append(HISTORY_SIZE).append(" messages), a "
            + "singleton ticker task publishing there at ").append(f.getValue("tickerPerSec"))
        .append("/s and a publisher on each node (`POST /api/publish`, ").append(f.getValue("postsPerSecPerNode"))
        .append("/s). The clients are spread over the nodes, half on the raw WebSocket, half on SockJS. Each node "
            + "in turn gets SIGTERM, is started again and awaited ready (serving, all three nodes in the cluster) "
            + "before the next. A client whose node closes it goes, after a random 50–500 ms, to the next live "
            + "node and registers with `oneloop.since` (the last `oneloop.seq` it has) and `oneloop.epoch`, as "
            + "`/oneloop-bus.js` does. Gaps count the seqs a client skipped, the gap messages (`oneloop.gap`) and "
            + "an epoch that changed under it; duplicates a seq it already had. Catch-up is per reconnect, from "
            + "its register to the first live message after the replay (the first published at or after the "
            + "register, by the publish time in its body).\n\n")
        .append("| clients | moved | messages | POSTs accepted | deliveries | expected | gaps | duplicates "
            + "| reconnects | back after (median / longest) | catch-up (median / longest) | all caught up |\n"
            + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
        .append("| ").append(f.getValue("clients")).append(" | ").append(f.getValue("clientsMoved")).append(" | ")
        .append(Markdown.num(f.getValue("messages"), "%,.0f")).append(" | ")
        .append(Markdown.num(f.getValue("posted"), "%,.0f")).append(" | ")
        .append(Markdown.num(f.getValue("deliveries"), "%,.0f")).append(" | ")
        .append(Markdown.num(f.getValue("expectedDeliveries"), "%,.0f")).append(" | ")
        .append(f.getValue("gaps")).append(" | ").append(f.getValue("duplicates")).append(" | ")
        .append(f.getValue("reconnects")).append(" | ")
        .append(Markdown.num(f.getValue("reconnectMsMedian"), "%.0f ms")).append(" / ")
        .append(Markdown.num(f.getValue("reconnectMsMax"), "%.0f ms")).append(" | ")
        .append(Markdown.num(f.getValue("catchUpMsMedian"), "%.0f ms")).append(" / ")
        .append(Markdown.num(f.getValue("catchUpMsMax"), "%.0f ms")).append(" | ")
        .append(Boolean.TRUE.equals(f.getBoolean("allCaughtUp")) ? "yes" : "**no**").append(" |\n\n");
    JsonArray timeline = f.getJsonArray("timeline");
    if (timeline != null && !timeline.isEmpty()) {
      b.append("| node | SIGTERM to exit | exit code | start to `/health` | stop to ready (in the cluster) "
          + "| ready to every client back |\n|---:|---:|---:|---:|---:|---:|\n");
      for (int i = 0; i < timeline.size(); i++) {
        JsonObject t = timeline.getJsonObject(i);
        b.append("| ").append(t.getValue("node")).append(" | ").append(Markdown.num(t.getValue("stopMs"), "%.0f ms"))
            .append(" | ").append(t.getValue("exitCode") == null ? "—" : t.getValue("exitCode")).append(" | ")
            .append(Markdown.num(t.getValue("startMs"), "%.0f ms")).append(" | ")
            .append(Markdown.num(t.getValue("stopToReadyMs"), "%.0f ms")).append(" | ")
            .append(Markdown.num(t.getValue("clientsBackMs"), "%.0f ms")).append(" |\n");
      }
      b.append("\n");
    }
    return b.toString();
  }
}
