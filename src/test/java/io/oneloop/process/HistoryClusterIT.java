package io.oneloop.process;

import io.oneloop.support.AppProcess;
import io.oneloop.support.BridgeClient;
import io.oneloop.support.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
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

import static io.oneloop.support.BridgeClient.isRec;
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
class HistoryClusterIT {

  private static final String FEED = "it.history.feed";
  private static final String ORDER = "it.history.order";

  private final Vertx vertx = Vertx.vertx();
  private final List<AppProcess> nodes = new ArrayList<>();
  private final List<BridgeClient> clients = new ArrayList<>();

  @BeforeAll
  void startThreeNodes() throws Exception {
    List<Integer> clusterPorts = List.of(AppProcess.freePort(), AppProcess.freePort(), AppProcess.freePort());
    JsonArray members = new JsonArray();
    clusterPorts.forEach(p -> members.add("127.0.0.1:" + p));
    JsonArray feeds = new JsonArray().add(new JsonObject().put("address", FEED)).add(new JsonObject().put("address", ORDER));
    for (int i = 0; i < 3; i++) {
      JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", AppProcess.freePort()).put("instances", 1)
          .put("maxPublishPerSecond", 10_000))
        .put("cluster", new JsonObject().put("enabled", true).put("host", "127.0.0.1").put("port", clusterPorts.get(i))
          .put("members", members))
        .put("bridge", new JsonObject().put("outbound", feeds.copy()).put("history", new JsonArray()
          .add(new JsonObject().put("address", FEED).put("size", 1000))
          .add(new JsonObject().put("address", ORDER).put("size", 1000))))
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
}
