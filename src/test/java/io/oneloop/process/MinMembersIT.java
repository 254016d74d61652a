package io.oneloop.process;

import io.oneloop.support.AppProcess;
import io.oneloop.support.PrometheusText;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.testkit.Transport;
import io.oneloop.testtasks.NodeTickerTask;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cluster.minMembers} with the real jar: three nodes with minMembers 2 split one from two as
 * {@link ClusterIT} does (the paused process is the side cut off), and a node alone with minMembers 2.
 * The singleton is a ticker that names its node in each tick, so the ticks clients get say who published.
 */
class MinMembersIT {

  /** Hazelcast's merge checks every few seconds instead of minutes, as in {@link ClusterIT}. */
  private static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC",
    "-Dhazelcast.merge.first.run.delay.seconds=5", "-Dhazelcast.merge.next.run.delay.seconds=3");
  private static final String TICK = "it.min.tick";

  private final Vertx vertx = Vertx.vertx();
  private final Map<String, AppProcess> nodes = new LinkedHashMap<>();
  private final List<BridgeClient> clients = new ArrayList<>();

  @AfterEach
  void stopAll() {
    clients.forEach(BridgeClient::close);
    nodes.values().forEach(AppProcess::close);
    vertx.close();
  }

  private static JsonObject config(String name, int clusterPort, JsonArray members) throws Exception {
    return new JsonObject()
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", AppProcess.freePort()).put("instances", 1))
      .put("cluster", new JsonObject().put("enabled", true).put("host", "127.0.0.1").put("port", clusterPort)
        .put("members", members).put("minMembers", 2))
      .put("bridge", new JsonObject().put("outbound", new JsonArray().add(new JsonObject().put("address", TICK))))
      .put("tasks", new JsonArray().add(new JsonObject().put("name", "ticker").put("class", NodeTickerTask.class.getName())
        .put("singleton", true).put("config", new JsonObject().put("node", name).put("intervalMs", 100).put("address", TICK))));
  }

  private static void awaitCondition(String what, BooleanSupplier condition) {
    await(what).atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).until(condition::getAsBoolean);
  }

  private static JsonObject cluster(AppProcess node) {
    HttpResponse<String> response = node.api("GET", "api/cluster", null);
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  private static String tickerState(AppProcess node) {
    return new JsonArray(node.api("GET", "api/tasks", null).body()).getJsonObject(0).getString("state");
  }

  private BridgeClient watch(AppProcess node) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, node.port(), Transport.RAW);
    clients.add(client);
    client.register(TICK);
    return client;
  }

  /** A tick as clients got it: who published it, its number there, and when. */
  private record Tick(String node, long n, Instant time) {
  }

  private static List<Tick> ticks(BridgeClient client) {
    List<Tick> ticks = new ArrayList<>();
    for (JsonObject frame : client.backlog()) {
      if (BridgeClient.isRec(TICK).test(frame)) {
        JsonObject body = frame.getJsonObject("body");
        ticks.add(new Tick(body.getString("node"), body.getLong("n"), Instant.parse(body.getString("time"))));
      }
    }
    return ticks;
  }

  /** The nodes that published a tick after {@code after}, from every watcher's ticks. */
  private Set<String> publishersAfter(Instant after) {
    Set<String> publishers = new TreeSet<>();
    for (BridgeClient client : clients) {
      ticks(client).stream().filter(t -> t.time().isAfter(after)).forEach(t -> publishers.add(t.node()));
    }
    return publishers;
  }

  private String firstPublisherSeenBy(BridgeClient client, Instant after) {
    return ticks(client).stream().filter(t -> t.time().isAfter(after)).map(Tick::node).findFirst().orElse(null);
  }

  @Test
  @DisplayName("minMembers 2, one node of three cut off past the heartbeat timeout: from the ticks clients get, one node publishes after the cut, and still one after the merge")
  void splitWithMinMembers() throws Exception {
    List<Integer> clusterPorts = List.of(AppProcess.freePort(), AppProcess.freePort(), AppProcess.freePort());
    JsonArray members = new JsonArray();
    clusterPorts.forEach(p -> members.add("127.0.0.1:" + p));
    for (int i = 0; i < 3; i++) {
      String name = "min-node-" + (char) ('a' + i);
      nodes.put(name, AppProcess.launch(name, config(name, clusterPorts.get(i), members), Map.of(), JVM_FLAGS));
    }
    for (AppProcess node : nodes.values()) {
      node.awaitServing();
    }
    awaitCondition("all three nodes to see three members", () -> nodes.values().stream()
      .allMatch(node -> cluster(node).getJsonArray("nodes").size() == 3));
    Map<String, BridgeClient> watchers = new LinkedHashMap<>();
    for (Map.Entry<String, AppProcess> node : nodes.entrySet()) {
      watchers.put(node.getKey(), watch(node.getValue()));
    }
    Instant started = Instant.now();
    BridgeClient any = watchers.values().iterator().next();
    awaitCondition("a tick", () -> firstPublisherSeenBy(any, started) != null);
    String owner = firstPublisherSeenBy(any, started);
    AppProcess cut = nodes.get(owner);
    List<String> others = nodes.keySet().stream().filter(n -> !n.equals(owner)).toList();
    for (AppProcess node : nodes.values()) {
      assertEquals(false, cluster(node).getBoolean("belowMinMembers"));
    }

    // A paused process is a node behind a split: it sends no heartbeat and answers nothing.
    cut.signal("STOP");
    Instant cutAt = Instant.now();
    try {
      awaitCondition("the other two to take the paused node for dead", () -> others.stream()
        .allMatch(n -> cluster(nodes.get(n)).getJsonArray("nodes").size() == 2));
      awaitCondition("one of the other two to publish ticks", () -> others.stream()
        .anyMatch(n -> firstPublisherSeenBy(watchers.get(n), cutAt) != null));
      for (String n : others) {
        assertEquals(false, cluster(nodes.get(n)).getBoolean("belowMinMembers"), "two of three are enough");
        assertEquals(200, nodes.get(n).api("GET", "health/ready", null).statusCode());
      }
      // Long past the heartbeat timeout on the paused node's clock too.
      Instant until = Instant.now().plusSeconds(2);
      awaitCondition("2 s more of the other side's ticks", () -> Instant.now().isAfter(until));
    } finally {
      cut.signal("CONT");
    }
    awaitCondition("the sides to merge", () -> cut.output().contains("merged back into the cluster"));
    awaitCondition("three members on every node", () -> nodes.values().stream()
      .allMatch(node -> cluster(node).getJsonArray("nodes").size() == 3));
    awaitCondition("the cut node to stand by", () -> "standby".equals(tickerState(cut)));
    // After the merge: a fresh watcher on the cut node, and every watcher gets 10 more ticks.
    watchers.put(owner + "-again", watch(cut));
    Instant merged = Instant.now();
    for (BridgeClient watcher : watchers.values()) {
      if (watcher != watchers.get(owner)) {
        awaitCondition("10 ticks after the merge", () -> ticks(watcher).stream().filter(t -> t.time().isAfter(merged)).count() >= 10);
      }
    }
    Set<String> afterCut = publishersAfter(cutAt);
    assertEquals(1, afterCut.size(), "one node publishes ticks after the cut, got " + afterCut);
    assertTrue(!afterCut.contains(owner), "the cut node published no tick after the cut: " + afterCut);
    assertEquals(afterCut, publishersAfter(merged), "after the merge the same one node publishes");
    int running = 0;
    for (AppProcess node : nodes.values()) {
      running += "running".equals(tickerState(node)) ? 1 : 0;
    }
    assertEquals(1, running, "nodes running the ticker after the merge");
  }

  @Test
  @DisplayName("a node alone with minMembers 2 starts and serves, runs no singleton, and says it is below minMembers")
  void aloneWithMinMembers() throws Exception {
    int own = AppProcess.freePort();
    JsonArray members = new JsonArray().add("127.0.0.1:" + own).add("127.0.0.1:" + AppProcess.freePort());
    AppProcess alone = AppProcess.launch("min-alone", config("min-alone", own, members), Map.of(), JVM_FLAGS);
    nodes.put("min-alone", alone);
    // /health is the readiness answer, DOWN here by design: the node serves all the same.
    await("the node to serve").atMost(Duration.ofSeconds(40)).ignoreExceptions()
      .until(() -> alone.api("GET", "health/live", null).statusCode() == 200);
    BridgeClient watcher = watch(alone);
    awaitCondition("the node to say it is below minMembers", () -> cluster(alone).getBoolean("belowMinMembers"));
    // Longer than a free lock takes to be granted: it is never asked for.
    Instant until = Instant.now().plusSeconds(4);
    awaitCondition("4 s", () -> Instant.now().isAfter(until));
    assertEquals("standby", tickerState(alone));
    assertEquals(List.of(), ticks(watcher), "no tick");
    HttpResponse<String> ready = alone.api("GET", "health/ready", null);
    assertEquals(503, ready.statusCode(), ready.body());
    JsonObject check = new JsonObject(ready.body()).getJsonArray("checks").stream().map(JsonObject.class::cast)
      .filter(c -> "cluster".equals(c.getString("id"))).findFirst().orElseThrow();
    assertEquals("DOWN", check.getString("status"));
    assertEquals(2, check.getJsonObject("data").getInteger("minMembers"));
    assertEquals(1, check.getJsonObject("data").getInteger("members"));
    PrometheusText metrics = PrometheusText.parse(alone.api("GET", "metrics", null).body());
    assertEquals(0, metrics.value("oneloop_singleton_owner", "task", "ticker"));
    assertEquals(1, metrics.value("oneloop_cluster_below_min_members"));
    assertEquals(200, alone.api("GET", "api/tasks", null).statusCode(), "it serves");
  }
}
