package io.oneloop.process;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import io.oneloop.browser.Browsers;
import io.oneloop.support.AppProcess;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.PrometheusText;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three nodes of the real jar on 127.0.0.1, clustered over Hazelcast, as docs/cluster.md's three-node
 * example runs them: push across nodes on every transport, the page, a singleton ticker on exactly
 * one node and its take-over when that node stops or is killed, {@code GET /api/cluster}, the chat
 * history on a node that joins later, jobs read and cancelled across nodes and failed with their
 * killed node, a split that heals (a node paused past the heartbeat timeout, then resumed). One cluster serves the tests in order: the later ones stop, restart and kill its nodes.
 * <p>
 * Each node runs with {@code -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1} (C1 only), so that
 * three fit on a small machine, and with Hazelcast's merge checks every few seconds instead of minutes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

  /** Hazelcast looks for a split to heal every few minutes by default; the test's nodes every few seconds. */
  private static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC",
    "-Dhazelcast.merge.first.run.delay.seconds=5", "-Dhazelcast.merge.next.run.delay.seconds=3");
  private static final String TICKER = "oneloop.ticker";
  private static final String SERVER = "oneloop.server";
  private static final String PUSH = "it.cluster.push";
  private static final String CHAT = "oneloop.chat";
  private static final long TICK_MS = 100;

  private final Vertx vertx = Vertx.vertx();
  /** The nodes by name, in start order. */
  private final Map<String, AppProcess> nodes = new LinkedHashMap<>();
  /** Each node's config by name, to start a stopped node again. */
  private final Map<String, JsonObject> configs = new LinkedHashMap<>();
  private final List<BridgeClient> clients = new ArrayList<>();

  @BeforeAll
  void startThreeNodes() throws Exception {
    List<Integer> clusterPorts = List.of(AppProcess.freePort(), AppProcess.freePort(), AppProcess.freePort());
    JsonArray members = new JsonArray();
    clusterPorts.forEach(p -> members.add("127.0.0.1:" + p));
    // All three at once: their starts overlap, as they would under a deployment tool.
    for (int i = 0; i < 3; i++) {
      JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", AppProcess.freePort()).put("instances", 1))
        .put("cluster", new JsonObject().put("enabled", true).put("host", "127.0.0.1").put("port", clusterPorts.get(i))
          .put("members", members))
        // The shipped permissions, the page's included, and one address of the test's own both ways.
        .put("bridge", new JsonObject()
          .put("presence", new JsonArray().add(new JsonObject().put("address", CHAT).put("joinLeave", true)))
          .put("inbound", addresses(PUSH, "oneloop.chat.send", "oneloop.chat.history", "oneloop.tasks.list", "oneloop.presence"))
          .put("outbound", addresses(PUSH, TICKER, SERVER, "oneloop.tasks", "oneloop.chat", "oneloop.jobs", "oneloop.metrics")))
        .put("tasks", new JsonArray().add(new JsonObject().put("name", "ticker").put("type", "ticker").put("singleton", true)
          .put("config", new JsonObject().put("intervalMs", TICK_MS))));
      String name = "cluster-node-" + (char) ('a' + i);
      configs.put(name, config);
      nodes.put(name, AppProcess.launch(name, config, Map.of(), JVM_FLAGS));
    }
    for (AppProcess node : nodes.values()) {
      node.awaitServing();
    }
    awaitCondition("all three nodes to see three members", () -> nodes.values().stream()
      .allMatch(node -> clusterNodes(node).size() == 3));
  }

  private static JsonArray addresses(String... names) {
    JsonArray list = new JsonArray();
    for (String name : names) {
      list.add(new JsonObject().put("address", name));
    }
    return list;
  }

  @AfterAll
  void stopAll() {
    clients.forEach(BridgeClient::close);
    nodes.values().forEach(AppProcess::close);
    vertx.close();
  }

  private BridgeClient connect(AppProcess node, Transport transport, String... addresses) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, node.port(), transport);
    clients.add(client);
    for (String address : addresses) {
      client.register(address);
    }
    return client;
  }

  private static JsonArray clusterNodes(AppProcess node) {
    HttpResponse<String> response = node.api("GET", "api/cluster", null);
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body()).getJsonArray("nodes");
  }

  /** The node whose {@code /api/cluster} entry holds the ticker, by name; null when none does (yet). */
  private String owner() {
    AppProcess any = nodes.values().stream().filter(AppProcess::alive).findFirst().orElseThrow();
    String ownerHttp = null;
    for (Object entry : clusterNodes(any)) {
      JsonObject node = (JsonObject) entry;
      if (node.getJsonArray("singletons", new JsonArray()).contains("ticker")) {
        ownerHttp = node.getString("http");
      }
    }
    for (Map.Entry<String, AppProcess> node : nodes.entrySet()) {
      if (node.getValue().alive() && ("127.0.0.1:" + node.getValue().port()).equals(ownerHttp)) {
        return node.getKey();
      }
    }
    return null;
  }

  /** The node that holds the ticker now, by name; fails the test when none does. */
  private String ownerNow() {
    String owner = owner();
    assertTrue(owner != null, "a node holds the ticker");
    return owner;
  }

  /** The nodes still running other than {@code name}, in start order. */
  private List<AppProcess> aliveBesides(String name) {
    return nodes.entrySet().stream().filter(n -> n.getValue().alive() && !n.getKey().equals(name))
      .map(Map.Entry::getValue).toList();
  }


  private static void awaitCondition(String what, BooleanSupplier condition) {
    await(what).atMost(Duration.ofSeconds(30)).until(condition::getAsBoolean);
  }


  /** The ticks a client received, in order: their seq and when the ticker published them. */
  private record Tick(long seq, Instant time) {
  }

  private static List<Tick> ticks(BridgeClient client) {
    List<Tick> ticks = new ArrayList<>();
    for (JsonObject frame : client.takeBacklog()) {
      if ("rec".equals(frame.getString("type")) && TICKER.equals(frame.getString("address"))) {
        JsonObject body = frame.getJsonObject("body");
        ticks.add(new Tick(body.getLong("seq"), Instant.parse(body.getString("time"))));
      }
    }
    return ticks;
  }

  /** Every seq once and rising; returns the longest pause between two ticks. */
  private static Duration assertRisingWithoutRepeats(List<Tick> ticks) {
    Duration longest = Duration.ZERO;
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < ticks.size(); i++) {
      assertTrue(seen.add(ticks.get(i).seq()), "seq " + ticks.get(i).seq() + " came twice: " + ticks);
      if (i > 0) {
        assertTrue(ticks.get(i).seq() > ticks.get(i - 1).seq(), "seq went back: " + ticks);
        Duration pause = Duration.between(ticks.get(i - 1).time(), ticks.get(i).time());
        longest = pause.compareTo(longest) > 0 ? pause : longest;
      }
    }
    return longest;
  }

  /** Waits until {@code client} holds {@code count} ticks published after {@code after}, leaving them in its backlog. */
  private static void awaitTicks(BridgeClient client, int count, Instant after) {
    awaitCondition(count + " ticks after " + after, () -> client.backlog().stream()
      .filter(BridgeClient.isRec(TICKER))
      .filter(frame -> Instant.parse(frame.getJsonObject("body").getString("time")).isAfter(after))
      .count() >= count);
  }

  @Test
  @Order(1)
  @DisplayName("GET /api/cluster on every node lists the same three nodes, each with its HTTP and cluster address, and one of them runs the singleton")
  void apiClusterListsThreeNodes() {
    Set<String> ids = null;
    for (AppProcess node : nodes.values()) {
      JsonArray listed = clusterNodes(node);
      assertEquals(3, listed.size(), listed.encodePrettily());
      Set<String> here = new HashSet<>();
      Set<String> https = new HashSet<>();
      int owners = 0;
      for (Object entry : listed) {
        JsonObject info = (JsonObject) entry;
        here.add(info.getString("id"));
        https.add(info.getString("http"));
        assertTrue(info.getString("cluster").matches("127\\.0\\.0\\.1:\\d+"), info.encode());
        assertTrue(info.containsKey("startedAt") && info.containsKey("bridgeSockets"), info.encode());
        owners += info.getJsonArray("singletons").size();
      }
      assertEquals(1, owners, "exactly one node holds the ticker: " + listed.encodePrettily());
      Set<String> expected = new HashSet<>();
      nodes.values().forEach(n -> expected.add("127.0.0.1:" + n.port()));
      assertEquals(expected, https);
      if (ids != null) {
        assertEquals(ids, here, "every node lists the same nodes");
      }
      ids = here;
    }
  }

  @Test
  @Order(2)
  @DisplayName("a message published by a client on one node reaches a raw and a SockJS client on the other nodes, with one event-bus consumer per address on each node")
  void crossNodePublish() throws Exception {
    List<AppProcess> list = new ArrayList<>(nodes.values());
    BridgeClient publisher = connect(list.get(0), Transport.RAW);
    BridgeClient rawOnB = connect(list.get(1), Transport.RAW, PUSH);
    BridgeClient sockJsOnB = connect(list.get(1), Transport.SOCKJS, PUSH);
    BridgeClient sockJsOnC = connect(list.get(2), Transport.SOCKJS, PUSH);
    BridgeClient rawOnC = connect(list.get(2), Transport.RAW, PUSH);
    // A register is done when its node's consumer is known to the cluster: publish until the first one lands.
    awaitCondition("the subscriptions to be known across the cluster", () -> {
      publisher.publish(PUSH, new JsonObject().put("probe", true));
      return List.of(rawOnB, sockJsOnB, sockJsOnC, rawOnC).stream()
        .allMatch(c -> c.backlog().stream().anyMatch(BridgeClient.isRec(PUSH)));
    });
    List.of(rawOnB, sockJsOnB, sockJsOnC, rawOnC).forEach(BridgeClient::takeBacklog);

    publisher.publish(PUSH, new JsonObject().put("n", 1));
    for (BridgeClient client : List.of(rawOnB, sockJsOnB, sockJsOnC, rawOnC)) {
      JsonObject body = client.await(frame -> BridgeClient.isRec(PUSH).test(frame) && frame.getJsonObject("body").containsKey("n"))
        .getJsonObject("body");
      assertEquals(1, body.getInteger("n"), client.transport() + ": " + body);
    }
    // One consumer of the address per node, however many of its sockets subscribe: a third one adds none.
    AppProcess b = list.get(1);
    double handlers = handlers(b);
    BridgeClient thirdOnB = connect(b, Transport.RAW, PUSH);
    awaitCondition("the third subscriber on node b to get a message", () -> {
      publisher.publish(PUSH, new JsonObject().put("probe", true));
      return thirdOnB.backlog().stream().anyMatch(BridgeClient.isRec(PUSH));
    });
    assertEquals(handlers, handlers(b), "event-bus handlers on node b");
  }

  private static double handlers(AppProcess node) {
    return PrometheusText.parse(node.api("GET", "metrics", null).body()).value("vertx_eventbus_handlers");
  }

  @Test
  @Order(3)
  @DisplayName("the page lists the three nodes, marks its own, and groups the task records by node: one running, two standing by")
  void pageShowsNodes() {
    AppProcess a = nodes.values().iterator().next();
    try (Playwright playwright = Browsers.playwright()) {
      Page page = Browsers.chromium(playwright).newContext(new Browser.NewContextOptions().setViewportSize(1280, 1000)).newPage();
      page.navigate(a.url());
      assertThat(page.locator("#node-list .node")).hasCount(3);
      assertThat(page.locator("#node-list .node[data-here=\"true\"]")).hasCount(1);
      assertThat(page.locator("#task-list .task-node")).hasCount(3);
      assertThat(page.locator("#task-list .task[data-name=\"ticker\"]")).hasCount(3);
      assertThat(page.locator("#task-list .task[data-state=\"running\"]")).hasCount(1);
      assertThat(page.locator("#task-list .task[data-state=\"standby\"]")).hasCount(2);
      // This page's node first.
      assertThat(page.locator("#task-list .task-node").first()).containsText("(this page)");
      Browsers.screenshot(page, "cluster-three-nodes");
    }
  }

  @Test
  @Order(4)
  @DisplayName("the singleton ticker runs on exactly one node: one running and two standby records, the owner series 1 once, and no seq twice on any node")
  void singletonOnExactlyOneNode() throws Exception {
    List<BridgeClient> watchers = new ArrayList<>();
    for (AppProcess node : nodes.values()) {
      watchers.add(connect(node, Transport.RAW, TICKER));
    }
    Instant from = Instant.now();
    for (BridgeClient watcher : watchers) {
      awaitTicks(watcher, 10, from);
    }
    for (BridgeClient watcher : watchers) {
      List<Tick> ticks = ticks(watcher);
      assertTrue(ticks.size() >= 10, "ticks: " + ticks);
      assertRisingWithoutRepeats(ticks);
      watcher.close();
    }
    int running = 0;
    int standby = 0;
    double owners = 0;
    for (AppProcess node : nodes.values()) {
      JsonArray tasks = new JsonArray(node.api("GET", "api/tasks", null).body());
      assertEquals(1, tasks.size(), tasks.encode());
      JsonObject ticker = tasks.getJsonObject(0);
      assertTrue(ticker.getString("node") != null && !ticker.getString("node").isEmpty(), ticker.encode());
      running += "running".equals(ticker.getString("state")) ? 1 : 0;
      standby += "standby".equals(ticker.getString("state")) ? 1 : 0;
      PrometheusText metrics = PrometheusText.parse(node.api("GET", "metrics", null).body());
      owners += metrics.value("oneloop_singleton_owner", "task", "ticker");
      assertEquals(3.0, metrics.value("oneloop_cluster_members"));
      // A standby singleton is ready: every node answers 200.
      assertEquals(200, node.api("GET", "health/ready", null).statusCode());
    }
    assertEquals(1, running, "nodes running the ticker");
    assertEquals(2, standby, "nodes standing by");
    assertEquals(1.0, owners, "oneloop_singleton_owner summed over the nodes");
  }

  @Test
  @Order(5)
  @DisplayName("a graceful stop of the ticker's node: another node takes over within 2 s, seq goes on without a repeat, and only the stopping node's clients get the shutdown notice")
  void gracefulStopOfTheOwner() throws Exception {
    String owner = ownerNow();
    AppProcess stopping = nodes.get(owner);
    BridgeClient onStopping = connect(stopping, Transport.RAW, SERVER, TICKER);
    // Its frames are taken in order: once a tick has come, the earlier register is in place.
    awaitTicks(onStopping, 1, Instant.now());
    List<BridgeClient> survivors = new ArrayList<>();
    for (AppProcess node : aliveBesides(owner)) {
      survivors.add(connect(node, Transport.SOCKJS, TICKER, SERVER));
    }
    for (BridgeClient survivor : survivors) {
      awaitTicks(survivor, 2, Instant.now());
    }

    stopping.signal("TERM");
    assertEquals("shutdown", onStopping.awaitRec(SERVER).getString("event"));
    assertEquals(0, stopping.awaitExit());
    Instant exited = Instant.now();
    // Ten ticks since the old node's exit, on both surviving nodes.
    for (BridgeClient survivor : survivors) {
      awaitTicks(survivor, 10, exited);
    }
    for (BridgeClient survivor : survivors) {
      List<JsonObject> frames = survivor.backlog();
      assertFalse(frames.stream().anyMatch(BridgeClient.isRec(SERVER)), "a surviving node's client got the shutdown notice: " + frames);
      List<Tick> ticks = ticks(survivor);
      Duration longest = assertRisingWithoutRepeats(ticks);
      assertTrue(longest.compareTo(Duration.ofSeconds(2)) <= 0, "no tick for " + longest + ": " + ticks);
    }
    assertNotEquals(owner, owner());
  }

  @Test
  @Order(6)
  @DisplayName("a node that joins later answers the chat history with what was said on the others before")
  void chatHistoryOnANodeThatJoinedLater() throws Exception {
    String stopped = nodes.entrySet().stream().filter(n -> !n.getValue().alive()).map(Map.Entry::getKey).findFirst().orElseThrow();
    AppProcess speaker = nodes.values().stream().filter(AppProcess::alive).findFirst().orElseThrow();
    BridgeClient chat = connect(speaker, Transport.SOCKJS);
    String text = "said before the node came back " + Instant.now();
    JsonObject sent = chat.request("oneloop.chat.send", new JsonObject().put("user", "ada").put("text", text));
    assertTrue(sent.getJsonObject("body").getBoolean("ok"), sent.encode());

    AppProcess again = AppProcess.launch(stopped + "-again", configs.get(stopped), Map.of(), JVM_FLAGS);
    nodes.put(stopped, again);
    again.awaitServing();
    awaitCondition("three members again", () -> clusterNodes(again).size() == 3);
    BridgeClient late = connect(again, Transport.RAW);
    JsonArray messages = late.request("oneloop.chat.history", new JsonObject()).getJsonObject("body").getJsonArray("messages");
    assertTrue(messages.stream().anyMatch(m -> text.equals(((JsonObject) m).getString("text"))), messages.encodePrettily());
  }

  @Test
  @Order(7)
  @DisplayName("a job started on one node is read and cancelled through another node's API")
  void jobAcrossNodes() {
    List<AppProcess> alive = nodes.values().stream().filter(AppProcess::alive).toList();
    AppProcess a = alive.get(0);
    AppProcess b = alive.get(1);
    JsonObject job = startSleep(a);
    String id = job.getString("id");
    JsonObject onB = new JsonObject(b.api("GET", "api/jobs/" + id, null).body());
    assertEquals(job.getString("node"), onB.getString("node"), onB.encode());
    assertTrue(List.of("queued", "running").contains(onB.getString("state")), onB.encode());
    HttpResponse<String> cancelled = b.api("DELETE", "api/jobs/" + id, null);
    assertEquals(200, cancelled.statusCode(), cancelled.body());
    awaitCondition("the job to be cancelled on its own node", () ->
      "cancelled".equals(new JsonObject(a.api("GET", "api/jobs/" + id, null).body()).getString("state")));
  }

  private static JsonObject startSleep(AppProcess node) {
    HttpResponse<String> started = node.api("POST", "api/jobs",
      new JsonObject().put("type", "sleep").put("params", new JsonObject().put("ms", 120_000)).encode());
    assertEquals(202, started.statusCode(), started.body());
    return new JsonObject(started.body());
  }

  /** The node whose entry in {@code asked}'s {@code /api/cluster} holds the ticker, by its HTTP address; null when none does. */
  private static String ownerSeenBy(AppProcess asked) {
    for (Object entry : clusterNodes(asked)) {
      JsonObject node = (JsonObject) entry;
      if (node.getJsonArray("singletons", new JsonArray()).contains("ticker")) {
        return node.getString("http");
      }
    }
    return null;
  }

  private static String tickerState(AppProcess node) {
    return new JsonArray(node.api("GET", "api/tasks", null).body()).getJsonObject(0).getString("state");
  }

  /** The presence of the chat as {@code node} lists it: connId to its entry. */
  private static Map<String, JsonObject> presence(AppProcess node) {
    HttpResponse<String> response = node.api("GET", "api/presence/" + CHAT, null);
    assertEquals(200, response.statusCode(), response.body());
    JsonObject listed = new JsonObject(response.body());
    Map<String, JsonObject> entries = new LinkedHashMap<>();
    listed.getJsonArray("entries").forEach(e -> entries.put(((JsonObject) e).getString("connId"), (JsonObject) e));
    assertEquals(entries.size(), listed.getInteger("count"));
    return entries;
  }

  /** A client on {@code node} in the chat's presence under {@code name}; its connId, once every alive node lists it. */
  private String joinChat(AppProcess node, String name, Transport transport) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, node.port(), transport);
    clients.add(client);
    client.register(CHAT, new JsonObject().put("oneloop.name", name));
    JsonObject own = client.await(frame -> presenceEvent(frame, "join") && name.equals(frame.getJsonObject("body").getString("name")));
    String connId = own.getJsonObject("body").getString("connId");
    awaitCondition(name + " in every node's list", () -> nodes.values().stream().filter(AppProcess::alive)
      .allMatch(n -> presence(n).containsKey(connId)));
    return connId;
  }

  private static boolean presenceEvent(JsonObject frame, String kind) {
    return BridgeClient.isPresence(CHAT, kind).test(frame);
  }

  private static boolean presenceEvent(JsonObject frame, String kind, String connId) {
    return presenceEvent(frame, kind) && connId.equals(frame.getJsonObject("body").getString("connId"));
  }

  @Test
  @Order(8)
  @DisplayName("presence is the cluster's: every node lists every node's subscribers, joins reach every node, and a disconnect sent to one node closes a socket on another")
  void presenceAcrossNodes() throws Exception {
    List<AppProcess> alive = nodes.values().stream().filter(AppProcess::alive).toList();
    BridgeClient watcher = connect(alive.get(0), Transport.SOCKJS, CHAT);
    String far = joinChat(alive.get(1), "far-" + alive.get(1).port(), Transport.RAW);
    watcher.await(frame -> presenceEvent(frame, "join", far));
    JsonObject entry = presence(alive.get(0)).get(far);
    assertNotNull(entry);
    assertTrue(presence(alive.get(2)).values().stream().allMatch(e -> e.getString("node") != null), "each entry names its node");
    // The far client is closed by a request to the third node.
    BridgeClient farClient = clients.get(clients.size() - 1);
    HttpResponse<String> response = alive.get(2).api("POST", "api/disconnect",
      new JsonObject().put("connId", far).put("reason", "bye").encode());
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(new JsonObject().put("closed", 1), new JsonObject(response.body()));
    BridgeClient.Closed closed = farClient.closed().await(10, TimeUnit.SECONDS);
    assertEquals(4403, closed.code());
    assertEquals("bye", closed.reason());
    watcher.await(frame -> presenceEvent(frame, "leave", far));
    awaitCondition("the disconnected client gone from every list", () -> alive.stream().noneMatch(n -> presence(n).containsKey(far)));
  }

  @Test
  @Order(9)
  @DisplayName("a split that heals: the cut-off owner's ticker is taken over by the others, and once the sides merge it stands down, so one node runs it again")
  void splitThatHeals() throws Exception {
    String owner = ownerNow();
    AppProcess cut = nodes.get(owner);
    List<AppProcess> others = aliveBesides(owner);
    assertEquals(2, others.size());
    // A subscriber behind the split: the other side's subscribers see it leave, and join again once the sides merge.
    String behind = joinChat(cut, "behind-split", Transport.RAW);
    BridgeClient chatWatcher = connect(others.get(0), Transport.RAW, CHAT);

    // A paused process is a node behind a split: it sends no heartbeat and answers nothing.
    cut.signal("STOP");
    try {
      awaitCondition("the other two to take the paused node for dead", () -> others.stream()
        .allMatch(node -> clusterNodes(node).size() == 2));
      awaitCondition("one of the other two to take over the ticker", () -> others.stream()
        .map(ClusterIT::ownerSeenBy).anyMatch(http -> http != null && !http.equals("127.0.0.1:" + cut.port())));
    } finally {
      cut.signal("CONT");
    }
    // Woken, the cut node is a side of its own, still running the ticker, until it merges back.
    awaitCondition("the sides to merge", () -> cut.output().contains("merged back into the cluster"));
    awaitCondition("the cut node to stand by", () -> "standby".equals(tickerState(cut)));
    awaitCondition("three members on every node", () -> nodes.values().stream().filter(AppProcess::alive)
      .allMatch(node -> clusterNodes(node).size() == 3));
    assertTrue(cut.output().contains("it stops here and stands by"), "the cut node said why it stopped its ticker");
    chatWatcher.await(frame -> presenceEvent(frame, "leave", behind));
    chatWatcher.await(frame -> presenceEvent(frame, "join", behind));
    awaitCondition("the subscriber behind the split listed again on every node", () -> nodes.values().stream()
      .filter(AppProcess::alive).allMatch(n -> presence(n).containsKey(behind)));

    int running = 0;
    for (AppProcess node : nodes.values()) {
      running += "running".equals(tickerState(node)) ? 1 : 0;
    }
    assertEquals(1, running, "nodes running the ticker after the merge");
    // From now on one ticker publishes: a client on the cut node and one on another get one series.
    List<BridgeClient> watchers = List.of(connect(cut, Transport.RAW, TICKER), connect(others.get(0), Transport.SOCKJS, TICKER));
    Instant from = Instant.now();
    for (BridgeClient watcher : watchers) {
      awaitTicks(watcher, 10, from);
    }
    for (BridgeClient watcher : watchers) {
      assertRisingWithoutRepeats(ticks(watcher).stream().filter(t -> t.time().isAfter(from)).toList());
    }
  }

  @Test
  @Order(10)
  @DisplayName("kill -9 of the ticker's node: another node takes over within 10 s, seq goes on without a repeat, and the killed node's job ends failed, naming it")
  void killOfTheOwner() throws Exception {
    String owner = ownerNow();
    AppProcess killed = nodes.get(owner);
    JsonObject job = startSleep(killed);
    AppProcess survivor = aliveBesides(owner).get(0);
    BridgeClient watcher = connect(survivor, Transport.RAW, TICKER);
    awaitTicks(watcher, 2, Instant.now());
    String onKilled = joinChat(killed, "on-killed-node", Transport.SOCKJS);
    BridgeClient chatWatcher = connect(survivor, Transport.RAW, CHAT);

    killed.signal("KILL");
    Instant killedAt = Instant.now();
    awaitTicks(watcher, 10, killedAt);
    String newOwner = owner();
    assertTrue(newOwner != null && !newOwner.equals(owner), "a surviving node holds the ticker");
    List<Tick> ticks = ticks(watcher);
    Duration longest = assertRisingWithoutRepeats(ticks);
    assertTrue(longest.compareTo(Duration.ofSeconds(10)) <= 0, "no tick for " + longest + ": " + ticks);
    assertTrue(ticks.get(ticks.size() - 1).time().isAfter(Instant.now().minusSeconds(2)), "ticks go on: " + ticks);

    awaitCondition("the killed node's job to end failed", () ->
      "failed".equals(new JsonObject(survivor.api("GET", "api/jobs/" + job.getString("id"), null).body()).getString("state")));
    JsonObject failed = new JsonObject(survivor.api("GET", "api/jobs/" + job.getString("id"), null).body());
    assertTrue(failed.getString("error").contains("node " + job.getString("node") + " left the cluster"), failed.encode());
    // The killed node's subscriber: a leave from the survivors, and gone from their list.
    chatWatcher.await(frame -> presenceEvent(frame, "leave", onKilled));
    assertFalse(presence(survivor).containsKey(onKilled));
  }

  @Test
  @Order(11)
  @DisplayName("a node whose last peer was killed keeps serving, runs the singleton, and says once that it is alone")
  void lastNodeAlone() throws Exception {
    List<AppProcess> alive = nodes.values().stream().filter(AppProcess::alive).toList();
    assertEquals(2, alive.size());
    AppProcess alone = alive.get(0);
    // The split earlier may have left this node alone once already: count from here.
    int before = occurrences(alone.output(), LOST_PEERS);
    alive.get(1).signal("KILL");
    awaitCondition("the lone node to log that it lost its peers", () -> occurrences(alone.output(), LOST_PEERS) > before);
    var ready = alone.api("GET", "health/ready", null);
    assertEquals(200, ready.statusCode(), ready.body());
    assertEquals(1, clusterNodes(alone).size());
    BridgeClient watcher = connect(alone, Transport.RAW, TICKER);
    awaitTicks(watcher, 3, Instant.now());
    assertRisingWithoutRepeats(ticks(watcher));
    assertEquals(before + 1, occurrences(alone.output(), LOST_PEERS), "said once");
  }

  private static final String LOST_PEERS = "lost all its cluster peers";

  private static int occurrences(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
      count++;
    }
    return count;
  }
}
