package io.oneloop.process;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import io.oneloop.support.AppProcess;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.testkit.Transport;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static io.oneloop.testkit.BridgeClient.isRec;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The epoch of the cluster's history across the loss of nodes, with the real jar on three nodes:
 * a split that heals gives the side that merged a new epoch; a ring lost with its epoch comes back
 * under a new one; and the node holding an address's ring killed while messages are published
 * loses none of them (the ring's backup takes over). The ring's partition owner is learnt, and the
 * loss of both copies brought about, from a Hazelcast client in the test: oneloop itself exposes
 * neither.
 */
class HistoryEpochIT {

  /** Hazelcast's merge checks every few seconds instead of minutes, as in {@link ClusterIT}. */
  private static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC",
    "-Dhazelcast.merge.first.run.delay.seconds=5", "-Dhazelcast.merge.next.run.delay.seconds=3");
  private static final String FEED = "it.epoch.feed";

  private final Vertx vertx = Vertx.vertx();
  private final List<AppProcess> nodes = new ArrayList<>();
  private final List<Integer> clusterPorts = new ArrayList<>();
  private final List<BridgeClient> clients = new ArrayList<>();

  @AfterEach
  void stopAll() {
    clients.forEach(BridgeClient::close);
    nodes.forEach(AppProcess::close);
    vertx.close();
  }

  private void startThreeNodes(String name) throws Exception {
    for (int i = 0; i < 3; i++) {
      clusterPorts.add(AppProcess.freePort());
    }
    JsonArray members = new JsonArray();
    clusterPorts.forEach(p -> members.add("127.0.0.1:" + p));
    for (int i = 0; i < 3; i++) {
      JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", AppProcess.freePort()).put("instances", 1)
          .put("maxPublishPerSecond", 10_000))
        .put("cluster", new JsonObject().put("enabled", true).put("host", "127.0.0.1").put("port", clusterPorts.get(i))
          .put("members", members))
        .put("bridge", new JsonObject().put("outbound", new JsonArray().add(new JsonObject().put("address", FEED)))
          .put("history", new JsonArray().add(new JsonObject().put("address", FEED).put("size", 1000))))
        .put("tasks", new JsonArray());
      nodes.add(AppProcess.launch(name + "-" + (char) ('a' + i), config, Map.of(), JVM_FLAGS));
    }
    // Three Hazelcast joins on a busy 2-core machine may take longer than AppProcess's usual wait.
    for (AppProcess node : nodes) {
      await("a node to serve").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .until(() -> node.api("GET", "health", null).statusCode() == 200);
    }
    awaitCondition("three members on every node", () -> nodes.stream().allMatch(node -> members(node) == 3));
  }

  private static void awaitCondition(String what, BooleanSupplier condition) {
    await(what).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(condition::getAsBoolean);
  }

  private static int members(AppProcess node) {
    HttpResponse<String> response = node.api("GET", "api/cluster", null);
    return response.statusCode() == 200 ? new JsonObject(response.body()).getJsonArray("nodes").size() : -1;
  }

  /** The epoch a node's history of {@link #FEED} answers now, or null when it answers none. */
  private static String epoch(AppProcess node) {
    HttpResponse<String> response = node.api("GET", "api/history/" + FEED + "?limit=1", null);
    return response.statusCode() == 200 ? new JsonObject(response.body()).getString("epoch") : null;
  }

  private static int publish(AppProcess node, JsonObject body) {
    return node.api("POST", "api/publish", new JsonObject().put("address", FEED).put("body", body).encode()).statusCode();
  }

  private BridgeClient connect(AppProcess node) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, node.port(), Transport.RAW);
    clients.add(client);
    return client;
  }

  /**
   * Registers a client for the feed and publishes warm-up messages on {@code via} until it gets one: its consumer reached the cluster.
   * Warm-ups still on their way may arrive after this returns: callers skip them with {@link #numbered}.
   */
  private BridgeClient watch(AppProcess on, AppProcess via) throws Exception {
    BridgeClient client = connect(on).register(FEED);
    awaitCondition("a warm-up message", () -> {
      assertEquals(200, publish(via, new JsonObject().put("warm", true)));
      return client.backlog().stream().anyMatch(isRec(FEED));
    });
    client.takeBacklog();
    return client;
  }

  private static long seq(JsonObject frame) {
    return Long.parseLong(frame.getJsonObject("headers").getString("oneloop.seq"));
  }

  private static String epochOf(JsonObject frame) {
    return frame.getJsonObject("headers").getString("oneloop.epoch");
  }

  private static boolean numbered(JsonObject frame) {
    return isRec(FEED).test(frame) && frame.getValue("body") instanceof JsonObject body && body.containsKey("n");
  }

  @Test
  @DisplayName("a split that heals: the node that merged and the others take one new epoch, and a client resuming there with the old one gets one gap frame, then the messages, none twice")
  void splitThatHealsTakesANewEpoch() throws Exception {
    startThreeNodes("epoch-split");
    AppProcess a = nodes.get(0);
    AppProcess cut = nodes.get(2);
    BridgeClient before = watch(cut, a);
    for (int n = 1; n <= 5; n++) {
      assertEquals(200, publish(a, new JsonObject().put("n", n)));
    }
    JsonObject last = null;
    for (int n = 1; n <= 5; n++) {
      last = before.await(HistoryEpochIT::numbered);
      assertEquals(n, last.getJsonObject("body").getInteger("n"));
    }
    long lastSeq = seq(last);
    String oldEpoch = epochOf(last);
    assertEquals(oldEpoch, epoch(cut));
    before.close();

    // A paused process is a node behind a split: it sends no heartbeat and answers nothing.
    cut.signal("STOP");
    try {
      awaitCondition("the other two to take the paused node for dead", () -> members(a) == 2 && members(nodes.get(1)) == 2);
      for (int n = 6; n <= 10; n++) {
        assertEquals(200, publish(a, new JsonObject().put("n", n)));
      }
      // Past the heartbeat timeout on the paused node's clock too.
      Instant until = Instant.now().plusSeconds(2);
      awaitCondition("2 s more", () -> Instant.now().isAfter(until));
    } finally {
      cut.signal("CONT");
    }
    awaitCondition("the sides to merge", () -> cut.output().contains("merged back into the cluster"));
    awaitCondition("three members on every node", () -> nodes.stream().allMatch(node -> members(node) == 3));
    awaitCondition("a new epoch on the node that merged", () -> {
      String now = epoch(cut);
      return now != null && !now.equals(oldEpoch);
    });
    String newEpoch = epoch(cut);
    awaitCondition("every node under the same new epoch", () -> nodes.stream().allMatch(node -> newEpoch.equals(epoch(node))));

    BridgeClient resumed = connect(cut).register(FEED,
      new JsonObject().put("oneloop.since", Long.toString(lastSeq)).put("oneloop.epoch", oldEpoch));
    JsonObject gap = resumed.await(isRec(FEED));
    assertNotNull(gap.getJsonObject("headers").getString("oneloop.gap"), "a gap frame first: " + gap);
    assertEquals(newEpoch, epochOf(gap));
    for (int n = 11; n <= 15; n++) {
      assertEquals(200, publish(a, new JsonObject().put("n", n)));
    }
    // After the gap: what the node kept under the new epoch, if anything, then the live ones, in a row up to 15.
    List<Integer> got = numberedAfterGap(resumed, newEpoch, 15, 20);
    assertTrue(!got.isEmpty() && got.get(got.size() - 1) == 15, "up to the last message: " + got);
    for (int i = 1; i < got.size(); i++) {
      assertEquals(got.get(i - 1) + 1, got.get(i), "in order, none twice, none missing: " + got);
    }
    assertTrue(got.get(0) > 5 && got.get(0) <= 11, "nothing the client had, nothing after 11 missing: " + got);
    await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> true);
    assertTrue(resumed.backlog().stream().noneMatch(isRec(FEED)), "nothing more: " + resumed.backlog());
  }

  @Test
  @DisplayName("a ring and its epoch gone at once (as when its owner and backup die together): every node takes the one new epoch, and a client resuming with the old one gets exactly one gap frame, then the new messages")
  void ringAndEpochGoneTogether() throws Exception {
    startThreeNodes("epoch-lost");
    AppProcess a = nodes.get(0);
    BridgeClient before = watch(nodes.get(1), a);
    for (int n = 1; n <= 5; n++) {
      assertEquals(200, publish(a, new JsonObject().put("n", n)));
    }
    JsonObject last = null;
    for (int n = 1; n <= 5; n++) {
      last = before.await(HistoryEpochIT::numbered);
    }
    long lastSeq = seq(last);
    String oldEpoch = epochOf(last);
    before.close();

    // Both copies lost, from a Hazelcast client (no member): the epoch entry first, then the ring, as a lost partition takes both.
    ClientConfig clientConfig = new ClientConfig().setClusterName("oneloop");
    clientConfig.setProperty("hazelcast.logging.type", "slf4j");
    clusterPorts.forEach(p -> clientConfig.getNetworkConfig().addAddress("127.0.0.1:" + p));
    HazelcastInstance client = HazelcastClient.newHazelcastClient(clientConfig);
    try {
      client.getMap("oneloop.history.epochs").remove(FEED);
      client.getRingbuffer("oneloop.history." + FEED + "@" + FEED).destroy();
    } finally {
      client.shutdown();
    }
    awaitCondition("a new epoch on every node", () -> {
      assertEquals(200, publish(a, new JsonObject().put("after", true)));
      String first = epoch(a);
      return first != null && !first.equals(oldEpoch) && nodes.stream().allMatch(node -> first.equals(epoch(node)));
    });
    String newEpoch = epoch(a);

    BridgeClient resumed = connect(nodes.get(2)).register(FEED,
      new JsonObject().put("oneloop.since", Long.toString(lastSeq)).put("oneloop.epoch", oldEpoch));
    JsonObject gap = resumed.await(isRec(FEED));
    assertNotNull(gap.getJsonObject("headers").getString("oneloop.gap"), "a gap frame first: " + gap);
    assertEquals(newEpoch, epochOf(gap));
    for (int n = 6; n <= 10; n++) {
      assertEquals(200, publish(a, new JsonObject().put("n", n)));
    }
    List<Integer> got = numberedAfterGap(resumed, newEpoch, 10, 100);
    assertEquals(List.of(6, 7, 8, 9, 10), got, "the new messages, in order, none twice");
  }

  /** The cluster port of the member that owns the partition of {@code FEED}'s ring now, as a Hazelcast client (no member) sees it. */
  private static int ringOwnerPort(HazelcastInstance client) {
    // The ring's name ends in "@" + its address: its partition is the address's.
    return client.getPartitionService().getPartition(FEED).getOwner().getAddress().getPort();
  }

  @Test
  @DisplayName("the node owning a ring's partition killed (kill -9) while a survivor publishes: clients resuming on a survivor get every message that was answered 200, in order, none twice, no gap")
  void killOfTheRingOwnerWhilePublishing() throws Exception {
    startThreeNodes("epoch-kill");
    ClientConfig clientConfig = new ClientConfig().setClusterName("oneloop");
    clientConfig.setProperty("hazelcast.logging.type", "slf4j");
    clusterPorts.forEach(p -> clientConfig.getNetworkConfig().addAddress("127.0.0.1:" + p));
    HazelcastInstance client = HazelcastClient.newHazelcastClient(clientConfig);
    AppProcess owner;
    try {
      // The partitions settle a few seconds after the third member joined: the same owner for 3 s in a row.
      List<Integer> seen = new CopyOnWriteArrayList<>();
      await("the ring's owner to settle").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
        seen.add(ringOwnerPort(client));
        return seen.size() >= 7 && seen.subList(seen.size() - 7, seen.size()).stream().distinct().count() == 1;
      });
      owner = nodes.get(clusterPorts.indexOf(seen.get(seen.size() - 1)));
    } finally {
      client.shutdown();
    }
    List<AppProcess> survivors = nodes.stream().filter(n -> n != owner).toList();
    AppProcess publisherNode = survivors.get(0);
    AppProcess other = survivors.get(1);
    BridgeClient livePublisherSide = watch(publisherNode, publisherNode);
    BridgeClient liveOther = watch(other, publisherNode);
    BridgeClient cutOff = watch(other, publisherNode);

    List<Integer> answered200 = new CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
      // At most 40 s of publishing, one message every 20 ms.
      Instant end = Instant.now().plusSeconds(40);
      for (int n = 1; !stop.get() && Instant.now().isBefore(end); n++) {
        int status;
        try {
          status = publish(publisherNode, new JsonObject().put("n", n));
        } catch (Throwable e) {
          status = -1;
        }
        if (status == 200) {
          answered200.add(n);
        }
        // The publisher's pace, not a wait for anything.
        java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
      }
    });
    awaitCondition("50 messages published", () -> answered200.size() >= 50);
    // A client that had the messages so far, then lost its socket as its node's peer dies.
    awaitCondition("the client to get a published message", () -> cutOff.backlog().stream().anyMatch(HistoryEpochIT::numbered));
    cutOff.close();
    JsonObject last = null;
    int lastN = 0;
    for (JsonObject frame : cutOff.takeBacklog()) {
      if (isRec(FEED).test(frame)) {
        last = frame;
        lastN = numbered(frame) ? frame.getJsonObject("body").getInteger("n") : lastN;
      }
    }
    long lastSeq = seq(last);
    String epoch = epochOf(last);
    int lastHad = lastN;
    int killedAt = answered200.size();
    owner.signal("KILL");
    awaitCondition("the survivors to see two members", () -> survivors.stream().allMatch(node -> members(node) == 2));
    awaitCondition("50 more messages answered 200 after the kill", () -> answered200.size() >= killedAt + 50);
    stop.set(true);
    publisher.get(30, java.util.concurrent.TimeUnit.SECONDS);
    int lastAnswered = answered200.get(answered200.size() - 1);

    BridgeClient resumed = connect(other).register(FEED,
      new JsonObject().put("oneloop.since", Long.toString(lastSeq)).put("oneloop.epoch", epoch));
    List<Integer> expected = answered200.stream().filter(n -> n > lastHad).toList();
    assertDelivered("the client resuming on a survivor", resumed, lastSeq, epoch, expected, lastAnswered);
    assertDelivered("the live client on the publisher's node", livePublisherSide, -1, epoch, answered200, lastAnswered);
    assertDelivered("the live client on the other survivor", liveOther, -1, epoch, answered200, lastAnswered);
  }

  /**
   * The client gets, under {@code epoch} and with consecutive seqs after {@code afterSeq} (any when -1),
   * no gap frame, messages in increasing order up to {@code lastN} with every one of {@code expected} among them.
   */
  private static void assertDelivered(String who, BridgeClient client, long afterSeq, String epoch, List<Integer> expected, int lastN) throws Exception {
    List<Integer> got = new ArrayList<>();
    long previous = afterSeq;
    for (int i = 0; i < lastN + 10 && (got.isEmpty() || got.get(got.size() - 1) < lastN); i++) {
      JsonObject frame = client.await(isRec(FEED));
      assertNull(frame.getJsonObject("headers").getString("oneloop.gap"), who + ": no gap: " + frame);
      assertEquals(epoch, epochOf(frame), who + ": the same epoch");
      assertTrue(previous < 0 || seq(frame) == previous + 1, who + ": consecutive seqs: " + previous + " then " + frame);
      previous = seq(frame);
      if (!numbered(frame)) {
        continue;
      }
      int n = frame.getJsonObject("body").getInteger("n");
      assertTrue(got.isEmpty() || n > got.get(got.size() - 1), who + ": in order, none twice: " + got + " then " + n);
      got.add(n);
    }
    assertTrue(got.containsAll(expected), who + ": every message answered 200; missing "
      + expected.stream().filter(n -> !got.contains(n)).toList());
  }

  /**
   * The frames a resumed client gets after its one gap frame: none another gap, all under
   * {@code epoch} with consecutive seqs, until the message numbered {@code last} (at most
   * {@code maxFrames}); the {@code n} of those that carry one.
   */
  private static List<Integer> numberedAfterGap(BridgeClient resumed, String epoch, int last, int maxFrames) throws Exception {
    List<Integer> got = new ArrayList<>();
    long previous = -1;
    for (int i = 0; i < maxFrames && (got.isEmpty() || got.get(got.size() - 1) < last); i++) {
      JsonObject frame = resumed.await(isRec(FEED));
      assertNull(frame.getJsonObject("headers").getString("oneloop.gap"), "one gap frame only: " + frame);
      assertEquals(epoch, epochOf(frame));
      assertTrue(previous < 0 || seq(frame) == previous + 1, "consecutive seqs: " + previous + " then " + frame);
      previous = seq(frame);
      if (numbered(frame)) {
        got.add(frame.getJsonObject("body").getInteger("n"));
      }
    }
    return got;
  }
}
