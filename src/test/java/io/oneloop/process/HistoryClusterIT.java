package io.oneloop.process;

import io.oneloop.support.AppProcess;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.oneloop.testkit.BridgeClient.isRec;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster's one history per address, on three nodes of the real jar: a client cut from one node
 * resumes on another with its since and epoch and gets every message meanwhile, in order, none
 * twice, on both transports; and two publishers on two nodes at once give every node the same seqs
 * in the same order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HistoryClusterIT {

  private static final String FEED = "it.history.feed";
  private static final String ORDER = "it.history.order";
  /** An address whose ring keeps at most 4 KiB of bodies. */
  private static final String BOUNDED = "it.history.bounded";
  /** Regex-history addresses, kept within bridge.maxHistoryBytes (1 MiB) for the cluster. */
  private static final String BULK = "it\\.bulk\\..+";

  private final Vertx vertx = Vertx.vertx();
  private final List<AppProcess> nodes = new ArrayList<>();
  private final List<BridgeClient> clients = new ArrayList<>();
  private JsonArray clusterMembers;

  @BeforeAll
  void startThreeNodes() throws Exception {
    List<Integer> clusterPorts = List.of(AppProcess.freePort(), AppProcess.freePort(), AppProcess.freePort());
    JsonArray members = new JsonArray();
    clusterPorts.forEach(p -> members.add("127.0.0.1:" + p));
    clusterMembers = members;
    JsonArray feeds = new JsonArray().add(new JsonObject().put("address", FEED)).add(new JsonObject().put("address", ORDER))
      .add(new JsonObject().put("address", BOUNDED)).add(new JsonObject().put("addressRegex", BULK));
    for (int i = 0; i < 3; i++) {
      JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", AppProcess.freePort()).put("instances", 1)
          .put("maxPublishPerSecond", 10_000))
        .put("cluster", new JsonObject().put("enabled", true).put("host", "127.0.0.1").put("port", clusterPorts.get(i))
          .put("members", members))
        .put("bridge", new JsonObject().put("outbound", feeds.copy()).put("maxHistoryBytes", 1024 * 1024)
          .put("maxOutboundBytes", 64 * 1024).put("history", new JsonArray()
          .add(new JsonObject().put("address", FEED).put("size", 1000))
          .add(new JsonObject().put("address", ORDER).put("size", 1000))
          .add(new JsonObject().put("address", BOUNDED).put("size", 100).put("maxBytes", 4096))
          .add(new JsonObject().put("addressRegex", BULK).put("size", 100).put("ttlMs", 5000))))
        .put("tasks", new JsonArray());
      nodes.add(AppProcess.launch("history-node-" + (char) ('a' + i), config, Map.of(), List.of("-XX:+UseSerialGC")));
    }
    for (AppProcess node : nodes) {
      node.awaitServing();
    }
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> nodes.stream().allMatch(node ->
      new JsonObject(node.api("GET", "api/cluster", null).body()).getJsonArray("nodes").size() == 3));
  }

  @AfterAll
  void stopAll() {
    clients.forEach(BridgeClient::close);
    nodes.forEach(AppProcess::close);
    vertx.close();
  }

  private static void publish(AppProcess node, String address, JsonObject body) {
    HttpResponse<String> response = node.api("POST", "api/publish", new JsonObject().put("address", address).put("body", body).encode());
    assertEquals(200, response.statusCode(), response.body());
  }

  private BridgeClient connect(AppProcess node, Transport transport) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, node.port(), transport);
    clients.add(client);
    return client;
  }

  private static long seq(JsonObject frame) {
    return Long.parseLong(frame.getJsonObject("headers").getString("oneloop.seq"));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("a client cut from one node resumes on another with since and epoch: every message meanwhile, in order, none twice, then live")
  void resumeOnAnotherNode(Transport transport) throws Exception {
    String run = transport.name();
    BridgeClient first = connect(nodes.get(0), transport).register(FEED);
    // Published on the third node: the first node's client gets them from its own read of the ring.
    for (int n = 1; n <= 10; n++) {
      publish(nodes.get(2), FEED, new JsonObject().put("run", run).put("n", n));
    }
    JsonObject last = null;
    for (int n = 1; n <= 10; n++) {
      last = first.await(isRec(FEED).and(f -> f.getValue("body") instanceof JsonObject b && run.equals(b.getString("run"))));
      assertEquals(n, last.getJsonObject("body").getInteger("n"));
    }
    long lastSeq = seq(last);
    String epoch = last.getJsonObject("headers").getString("oneloop.epoch");
    first.close();

    // Meanwhile, from every node.
    for (int n = 11; n <= 40; n++) {
      publish(nodes.get(n % 3), FEED, new JsonObject().put("run", run).put("n", n));
    }
    BridgeClient again = connect(nodes.get(1), transport)
      .register(FEED, new JsonObject().put("oneloop.since", Long.toString(lastSeq)).put("oneloop.epoch", epoch));
    long expectedSeq = lastSeq + 1;
    for (int n = 11; n <= 45; n++) {
      if (n == 41) {
        // Live after the replay: no gap, no double at the seam.
        for (int m = 41; m <= 45; m++) {
          publish(nodes.get(0), FEED, new JsonObject().put("run", run).put("n", m));
        }
      }
      JsonObject frame = again.await(isRec(FEED));
      assertNull(frame.getJsonObject("headers").getString("oneloop.gap"), "no gap: " + frame);
      assertEquals(expectedSeq++, seq(frame), "consecutive seqs: " + frame);
      assertEquals(epoch, frame.getJsonObject("headers").getString("oneloop.epoch"));
      assertEquals(n, frame.getJsonObject("body").getInteger("n"), "in order, none twice: " + frame);
    }
    await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> true);
    assertTrue(again.backlog().stream().noneMatch(isRec(FEED)), "nothing more: " + again.backlog());
  }

  @Test
  @DisplayName("two publishers on two nodes at once: all three nodes deliver the same seqs in the same order")
  void sameOrderOnEveryNode() throws Exception {
    List<BridgeClient> watchers = new ArrayList<>();
    for (AppProcess node : nodes) {
      watchers.add(connect(node, Transport.RAW).register(ORDER));
    }
    // The registers have reached every node before the first publish: warm-up messages until each watcher got one.
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
      publish(nodes.get(0), ORDER, new JsonObject().put("p", "warm").put("n", 0));
      return watchers.stream().allMatch(w -> w.backlog().stream().anyMatch(isRec(ORDER)));
    });
    int each = 100;
    CompletableFuture<Void> a = CompletableFuture.runAsync(() -> {
      for (int n = 1; n <= each; n++) {
        publish(nodes.get(0), ORDER, new JsonObject().put("p", "a").put("n", n));
      }
    });
    CompletableFuture<Void> b = CompletableFuture.runAsync(() -> {
      for (int n = 1; n <= each; n++) {
        publish(nodes.get(1), ORDER, new JsonObject().put("p", "b").put("n", n));
      }
    });
    CompletableFuture.allOf(a, b).get();
    List<List<String>> seen = new ArrayList<>();
    for (BridgeClient watcher : watchers) {
      List<String> got = new ArrayList<>();
      long previous = -1;
      int lastA = 0;
      int lastB = 0;
      for (int i = 0; i < 2 * each; i++) {
        JsonObject frame = watcher.await(isRec(ORDER).and(f -> !"warm".equals(f.getJsonObject("body").getString("p"))));
        long seq = seq(frame);
        assertTrue(previous < 0 || seq == previous + 1, "consecutive seqs: " + previous + " then " + seq);
        previous = seq;
        JsonObject body = frame.getJsonObject("body");
        int n = body.getInteger("n");
        if ("a".equals(body.getString("p"))) {
          assertEquals(lastA + 1, n, "a's messages in a's order");
          lastA = n;
        } else {
          assertEquals(lastB + 1, n, "b's messages in b's order");
          lastB = n;
        }
        got.add(seq + ":" + body.getString("p") + body.getInteger("n"));
      }
      seen.add(got);
    }
    assertEquals(seen.get(0), seen.get(1), "the first and second nodes agree");
    assertEquals(seen.get(0), seen.get(2), "the first and third nodes agree");
  }

  @Test
  @DisplayName("past an address's maxBytes every live message still arrives, numbered in a row, and a resume from before gets the gap frame")
  void pastMaxBytesLiveStaysWhole() throws Exception {
    BridgeClient live = connect(nodes.get(0), Transport.RAW).register(BOUNDED);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
      publish(nodes.get(2), BOUNDED, new JsonObject().put("p", "warm"));
      return live.backlog().stream().anyMatch(isRec(BOUNDED));
    });
    // Sent later than the reader's grace after the start: each one over the bound is delivered from its event-bus copy.
    String pad = "x".repeat(1500);
    int count = 12;
    for (int n = 1; n <= count; n++) {
      publish(nodes.get(2), BOUNDED, new JsonObject().put("p", "big").put("n", n).put("pad", pad));
    }
    long firstSeq = -1;
    long previous = -1;
    String epoch = null;
    for (int n = 1; n <= count; n++) {
      JsonObject frame = live.await(isRec(BOUNDED).and(f -> f.getJsonObject("body") != null && "big".equals(f.getJsonObject("body").getString("p"))));
      assertNull(frame.getJsonObject("headers").getString("oneloop.gap"), "no gap live: " + frame);
      assertEquals(n, frame.getJsonObject("body").getInteger("n"), "every live message, in order");
      assertEquals(pad, frame.getJsonObject("body").getString("pad"), "with its body");
      long seq = seq(frame);
      assertTrue(previous < 0 || seq == previous + 1, "consecutive seqs: " + previous + " then " + seq);
      previous = seq;
      if (n == 1) {
        firstSeq = seq;
        epoch = frame.getJsonObject("headers").getString("oneloop.epoch");
      }
    }
    // More than 4 KiB since the first: some of them were not kept, on any node.
    BridgeClient again = connect(nodes.get(1), Transport.SOCKJS)
      .register(BOUNDED, new JsonObject().put("oneloop.since", Long.toString(firstSeq)).put("oneloop.epoch", epoch));
    JsonObject first = again.await(isRec(BOUNDED));
    assertTrue(first.getJsonObject("headers").getString("oneloop.gap") != null, "a gap frame first: " + first);
  }

  /** Last: until their TTL passes, these rings fill bridge.maxHistoryBytes, and the other addresses' messages would not be kept. */
  @Test
  @Order(Integer.MAX_VALUE)
  @DisplayName("many large messages to many regex-history addresses: each node's heap after a GC stays within a bound")
  void heapStaysBounded() throws Exception {
    long[] before = new long[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      before[i] = heapAfterGc(nodes.get(i));
    }
    // 256 addresses x 16 x 30 KB: about 123 MB, twice with the backups, were every body kept.
    String pad = "y".repeat(30_000);
    List<CompletableFuture<Void>> publishers = new ArrayList<>();
    for (int p = 0; p < nodes.size(); p++) {
      int publisher = p;
      publishers.add(CompletableFuture.runAsync(() -> {
        for (int a = publisher; a < 256; a += nodes.size()) {
          for (int n = 0; n < 16; n++) {
            publish(nodes.get(publisher), "it.bulk." + a, new JsonObject().put("n", n).put("pad", pad));
          }
        }
      }));
    }
    CompletableFuture.allOf(publishers.toArray(new CompletableFuture[0])).get();
    StringBuilder figures = new StringBuilder();
    for (int i = 0; i < nodes.size(); i++) {
      long after = heapAfterGc(nodes.get(i));
      figures.append(String.format("node %d: heap after GC %d KiB before, %d KiB after%n", i, before[i] / 1024, after / 1024));
      assertTrue(nodes.get(i).alive(), "node " + i + " still runs");
      assertTrue(after - before[i] < 48L * 1024 * 1024, "heap grew by " + (after - before[i]) / 1024 + " KiB on node " + i);
    }
    System.out.print(figures);
  }

  /** The heap a node uses right after a full GC, from jcmd: the sum of its generations' used sizes. */
  private static long heapAfterGc(AppProcess node) throws Exception {
    jcmd(node, "GC.run");
    String info = jcmd(node, "GC.heap_info");
    long used = 0;
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("generation\\s+total \\d+K, used (\\d+)K").matcher(info);
    while (m.find()) {
      used += Long.parseLong(m.group(1)) * 1024;
    }
    assertTrue(used > 0, "heap info: " + info);
    return used;
  }

  private static String jcmd(AppProcess node, String command) throws Exception {
    Process jcmd = new ProcessBuilder("jcmd", Long.toString(node.pid()), command).redirectErrorStream(true).start();
    String out = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(jcmd.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "jcmd " + command);
    return out;
  }

  @Test
  @DisplayName("a node whose bridge.history differs from the cluster's does not start: exit 2 naming the key")
  void otherHistoryRefusesToStart() throws Exception {
    JsonObject config = new JsonObject()
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", AppProcess.freePort()).put("instances", 1))
      .put("cluster", new JsonObject().put("enabled", true).put("host", "127.0.0.1").put("port", AppProcess.freePort())
        .put("members", clusterMembers.copy()))
      .put("bridge", new JsonObject().put("outbound", new JsonArray().add(new JsonObject().put("address", FEED)))
        .put("history", new JsonArray().add(new JsonObject().put("address", FEED).put("size", 10))))
      .put("tasks", new JsonArray());
    try (AppProcess other = AppProcess.launch("history-node-other", config, Map.of(), List.of("-XX:+UseSerialGC"))) {
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> other.exitCode() != null);
      assertEquals(2, other.exitCode(), other.output());
      assertTrue(other.output().contains("bridge.history differs from the cluster's"), other.output());
    }
    // The others serve on, three of them.
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
      new JsonObject(nodes.get(0).api("GET", "api/cluster", null).body()).getJsonArray("nodes").size() == 3);
  }
}
