package io.oneloop.jobs;

import io.oneloop.Addresses;
import io.oneloop.support.AppProcess;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.ClusterNode;
import io.oneloop.support.EventRecorder;
import io.oneloop.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Jobs and chat across nodes: clustered Vert.x instances in this JVM, each with the HTTP API, the
 * bridge and the chat. One cluster for the whole class (a node takes seconds to join), used in order:
 * A and B first, C joins for the chat history, A crashes last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@DisplayName("jobs and chat in a cluster of three nodes in one JVM")
class ClusteredJobsAndChatTest {

  private static final long POLL_MS = 100;
  private static final int POLL_ROUNDS = 200;

  private final String clusterName = "oneloop-test-" + UUID.randomUUID();
  private final List<ClusterNode> nodes = new ArrayList<>();
  private List<Integer> clusterPorts;
  private Vertx client;
  private WebClient web;
  private ClusterNode a;
  private ClusterNode b;
  private ClusterNode c;

  private static JsonObject appConfig() {
    // One job at a time, so that a second one waits in the queue; chat as fast as a test sends.
    return TestApp.config()
      .put("jobs", new JsonObject().put("maxConcurrent", 1).put("maxQueued", 10))
      .put("chat", new JsonObject().put("maxPerMinute", 1000));
  }

  @BeforeAll
  void startCluster() throws Exception {
    client = Vertx.vertx();
    web = WebClient.create(client);
    clusterPorts = List.of(AppProcess.freePort(), AppProcess.freePort(), AppProcess.freePort());
    // One after the other: two members starting at once could each form a cluster of their own.
    a = startNode(0);
    b = startNode(1);
  }

  private ClusterNode startNode(int index) throws Exception {
    ClusterNode node = ClusterNode.start(clusterName, clusterPorts.get(index), clusterPorts, appConfig());
    nodes.add(node);
    return node;
  }

  @AfterAll
  void stopCluster() throws Exception {
    for (ClusterNode node : nodes) {
      node.close();
    }
    if (client != null) {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }

  private HttpResponse<Buffer> call(ClusterNode node, HttpMethod method, String path, JsonObject body) throws Exception {
    var request = web.request(method, node.httpPort(), "127.0.0.1", path);
    return (body == null ? request.send() : request.sendJsonObject(body)).await(10, TimeUnit.SECONDS);
  }

  private JsonObject startJob(ClusterNode node, long sleepMs) throws Exception {
    HttpResponse<Buffer> response = call(node, HttpMethod.POST, "/api/jobs",
      new JsonObject().put("type", "sleep").put("params", new JsonObject().put("ms", sleepMs)));
    assertEquals(202, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  /** Asks {@code node} for the job until its record matches: another node's record may trail its feed a little. */
  private JsonObject awaitRecord(ClusterNode node, String id, Predicate<JsonObject> match) throws Exception {
    JsonObject last = null;
    for (int i = 0; i < POLL_ROUNDS; i++) {
      HttpResponse<Buffer> response = call(node, HttpMethod.GET, "/api/jobs/" + id, null);
      if (response.statusCode() == 200) {
        last = response.bodyAsJsonObject();
        if (match.test(last)) {
          return last;
        }
      }
      client.timer(POLL_MS).await(10, TimeUnit.SECONDS);
    }
    return fail("job " + id + " on node " + node.id() + " never matched; last seen: " + last);
  }

  private static Predicate<JsonObject> inState(String state) {
    return record -> state.equals(record.getString("state"));
  }

  @Test
  @Order(1)
  @DisplayName("a job started on node A is read, listed and cancelled through node B's API, and its record names node A")
  void jobReadAndCancelledOnAnotherNode() throws Exception {
    EventRecorder onB = EventRecorder.on(b.vertx, Addresses.JOBS);
    JsonObject started = startJob(a, 60_000);
    String id = started.getString("id");
    assertEquals(a.id(), started.getString("node"));

    JsonObject seen = awaitRecord(b, id, inState("running"));
    assertEquals(a.id(), seen.getString("node"));
    assertEquals("sleep", seen.getString("type"));
    JsonArray listed = call(b, HttpMethod.GET, "/api/jobs", null).bodyAsJsonArray();
    assertTrue(listed.stream().anyMatch(job -> id.equals(((JsonObject) job).getString("id"))), "B lists A's job: " + listed);

    HttpResponse<Buffer> cancel = call(b, HttpMethod.DELETE, "/api/jobs/" + id, null);
    assertEquals(200, cancel.statusCode(), cancel.bodyAsString());
    assertEquals(id, cancel.bodyAsJsonObject().getString("id"));
    assertTrue(List.of("running", "cancelled").contains(cancel.bodyAsJsonObject().getString("state")));

    JsonObject cancelled = onB.await(e -> id.equals(e.getString("id")) && "cancelled".equals(e.getString("state")));
    assertNotNull(cancelled.getString("endedAt"));
    assertEquals(cancelled, awaitRecord(b, id, inState("cancelled")), "B reads the record A published last");
    HttpResponse<Buffer> again = call(b, HttpMethod.DELETE, "/api/jobs/" + id, null);
    assertEquals(409, again.statusCode());
    assertEquals("job " + id + " has already finished (cancelled)", again.bodyAsJsonObject().getString("error"));
    assertEquals("cancelled", again.bodyAsJsonObject().getJsonObject("job").getString("state"));
  }

  @Test
  @Order(2)
  @DisplayName("a queued job of node A is cancelled through node B at once; unknown ids answer 404 on every node")
  void queuedJobCancelledOnAnotherNode() throws Exception {
    String running = startJob(a, 60_000).getString("id");
    JsonObject queued = startJob(a, 10);
    assertEquals("queued", queued.getString("state"));
    awaitRecord(b, queued.getString("id"), inState("queued"));
    HttpResponse<Buffer> cancel = call(b, HttpMethod.DELETE, "/api/jobs/" + queued.getString("id"), null);
    assertEquals(200, cancel.statusCode(), cancel.bodyAsString());
    assertEquals("cancelled", cancel.bodyAsJsonObject().getString("state"));
    assertEquals(200, call(b, HttpMethod.DELETE, "/api/jobs/" + running, null).statusCode());
    awaitRecord(a, running, inState("cancelled"));
    for (ClusterNode node : List.of(a, b)) {
      assertEquals(404, call(node, HttpMethod.GET, "/api/jobs/" + UUID.randomUUID(), null).statusCode());
      assertEquals(404, call(node, HttpMethod.DELETE, "/api/jobs/" + UUID.randomUUID(), null).statusCode());
    }
  }

  @Test
  @Order(3)
  @DisplayName("a chat message sent on node A reaches a page on node B, and B's history has it")
  void chatAcrossNodes() throws Exception {
    BridgeClient onB = BridgeClient.connect(client, b.httpPort()).register(Addresses.CHAT);
    onB.request(Addresses.CHAT_HISTORY, new JsonObject()); // the register is in place
    BridgeClient onA = BridgeClient.connect(client, a.httpPort());
    JsonObject reply = onA.request(Addresses.CHAT_SEND, new JsonObject().put("user", "alice").put("text", "hello from A"));
    assertEquals("rec", reply.getString("type"), reply.encode());
    long id = reply.getJsonObject("body").getLong("id");

    JsonObject seen = onB.awaitRec(Addresses.CHAT);
    assertEquals(id, seen.getLong("id"));
    assertEquals("hello from A", seen.getString("text"));
    JsonObject reply2 = onB.request(Addresses.CHAT_SEND, new JsonObject().put("user", "bob").put("text", "hello from B"));
    assertTrue(reply2.getJsonObject("body").getLong("id") > id, "ids are cluster-wide: " + reply2.encode());
    JsonArray history = onB.request(Addresses.CHAT_HISTORY, new JsonObject()).getJsonObject("body").getJsonArray("messages");
    assertEquals(List.of("hello from A", "hello from B"),
      history.stream().map(m -> ((JsonObject) m).getString("text")).toList().subList(history.size() - 2, history.size()));
    onA.close();
    onB.close();
  }

  @Test
  @Order(4)
  @DisplayName("a node that joins later gets the chat history and lists the jobs of the others")
  void lateJoinerSeesHistoryAndJobs() throws Exception {
    c = startNode(2);
    BridgeClient onC = BridgeClient.connect(client, c.httpPort());
    JsonArray history = onC.request(Addresses.CHAT_HISTORY, new JsonObject()).getJsonObject("body").getJsonArray("messages");
    assertEquals(List.of("alice: hello from A", "bob: hello from B"),
      history.stream().map(m -> ((JsonObject) m).getString("user") + ": " + ((JsonObject) m).getString("text")).toList());
    JsonArray jobs = call(c, HttpMethod.GET, "/api/jobs", null).bodyAsJsonArray();
    assertEquals(3, jobs.size(), "the three jobs A ran: " + jobs);
    assertTrue(jobs.stream().allMatch(job -> a.id().equals(((JsonObject) job).getString("node"))));
    onC.close();
  }

  @Test
  @Order(5)
  @DisplayName("when node A crashes, its running and queued jobs end failed naming it, once, whichever survivors report it")
  void crashedNodesJobsFail() throws Exception {
    String running = startJob(a, 60_000).getString("id");
    String queued = startJob(a, 10).getString("id");
    awaitRecord(b, running, inState("running"));
    awaitRecord(b, queued, inState("queued"));
    EventRecorder onC = EventRecorder.on(c.vertx, Addresses.JOBS);
    String gone = a.id();

    // Hazelcast keeps every entry through the loss of one member with one backup once no
    // migration is in progress (C joined just before): crash A only then, as the guarantee says.
    for (int i = 0; i < POLL_ROUNDS && !b.clusterManager.getHazelcastInstance().getPartitionService().isClusterSafe(); i++) {
      client.timer(POLL_MS).await(10, TimeUnit.SECONDS);
    }
    assertTrue(b.clusterManager.getHazelcastInstance().getPartitionService().isClusterSafe(), "no migration in progress");
    a.crash();
    for (int i = 0; i < POLL_ROUNDS && (b.clusterManager.getNodes().contains(gone) || c.clusterManager.getNodes().contains(gone)); i++) {
      client.timer(POLL_MS).await(10, TimeUnit.SECONDS);
    }
    assertFalse(b.clusterManager.getNodes().contains(gone), "B saw A leave");
    // Both survivors report the departure at once, as each one's membership listener would.
    Future.all(b.jobs.nodeLeft(gone), c.jobs.nodeLeft(gone)).await(30, TimeUnit.SECONDS);

    String reason = "node " + gone + " left the cluster";
    for (ClusterNode survivor : List.of(b, c)) {
      for (String id : List.of(running, queued)) {
        JsonObject record = awaitRecord(survivor, id, inState("failed"));
        assertEquals(reason, record.getString("error"));
        assertEquals(gone, record.getString("node"));
        assertNotNull(record.getString("endedAt"));
      }
    }
    // Whichever survivor won a record published its change once; the other's attempt changed nothing.
    for (String id : List.of(running, queued)) {
      long published = onC.all().stream().filter(e -> id.equals(e.getString("id")) && "failed".equals(e.getString("state"))).count();
      assertTrue(published <= 1, "job " + id + " published as failed " + published + " times");
    }
    HttpResponse<Buffer> cancel = call(c, HttpMethod.DELETE, "/api/jobs/" + running, null);
    assertEquals(409, cancel.statusCode(), cancel.bodyAsString());
    assertEquals(0, b.jobs.nodeLeft(gone).await(30, TimeUnit.SECONDS), "a second report changes nothing");
  }
}
