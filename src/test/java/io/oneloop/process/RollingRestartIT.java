package io.oneloop.process;

import io.oneloop.support.AppProcess;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rolling restart of three nodes of the real jar, as a deployment does it: each node in turn gets
 * SIGTERM and starts again, the next one only once it is ready. Meanwhile a singleton ticker at 20/s
 * and a publisher on each node publish to history addresses, and clients spread over the nodes on
 * both transports reconnect as {@code /oneloop-bus.js} does (to another live node, with
 * {@code oneloop.since} and {@code oneloop.epoch}): each ends with every message published while it
 * was subscribed, no gap and none twice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RollingRestartIT {

  private static final String TICKER = "oneloop.ticker";
  private static final String PUBLISHED = "it.roll.published";
  private static final String SERVER = "oneloop.server";
  private static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC");
  private static final int CLIENTS_PER_TRANSPORT = 3;

  private final Vertx vertx = Vertx.vertx();
  private final AppProcess[] nodes = new AppProcess[3];
  private final JsonObject[] configs = new JsonObject[3];
  /** The node being stopped and started again, -1 for none: clients do not go to it. */
  private volatile int restarting = -1;
  private final List<Roamer> roamers = new ArrayList<>();
  private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(4);
  private final AtomicLong published = new AtomicLong();
  private volatile boolean publishing = true;

  @AfterAll
  void stopAll() {
    timers.shutdownNow();
    roamers.forEach(Roamer::close);
    for (AppProcess node : nodes) {
      if (node != null) {
        node.close();
      }
    }
    vertx.close();
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  @DisplayName("a rolling restart of three nodes: every client, on either transport, ends with every message published while it was subscribed, no gap, none twice")
  void rollingRestart() throws Exception {
    List<Integer> clusterPorts = List.of(AppProcess.freePort(), AppProcess.freePort(), AppProcess.freePort());
    JsonArray members = new JsonArray();
    clusterPorts.forEach(p -> members.add("127.0.0.1:" + p));
    for (int i = 0; i < 3; i++) {
      configs[i] = new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", AppProcess.freePort()).put("instances", 1))
        .put("cluster", new JsonObject().put("enabled", true).put("host", "127.0.0.1").put("port", clusterPorts.get(i))
          .put("members", members).put("reconnectSpreadMs", 1000))
        .put("bridge", new JsonObject()
          .put("outbound", new JsonArray().add(new JsonObject().put("address", TICKER)).add(new JsonObject().put("address", PUBLISHED))
            .add(new JsonObject().put("address", SERVER)))
          .put("history", new JsonArray()
            .add(new JsonObject().put("address", TICKER).put("size", 5000))
            .add(new JsonObject().put("address", PUBLISHED).put("size", 5000))))
        .put("tasks", new JsonArray().add(new JsonObject().put("name", "ticker").put("type", "ticker").put("singleton", true)
          .put("config", new JsonObject().put("intervalMs", 50))));
      nodes[i] = AppProcess.launch("roll-node-" + (char) ('a' + i), configs[i], Map.of(), JVM_FLAGS);
    }
    for (AppProcess node : nodes) {
      node.awaitServing();
    }
    awaitMembers(3);

    for (int k = 0; k < 2 * CLIENTS_PER_TRANSPORT; k++) {
      Roamer roamer = new Roamer("client-" + k, k < CLIENTS_PER_TRANSPORT ? Transport.RAW : Transport.SOCKJS, k % 3);
      roamers.add(roamer);
      roamer.connect(k % 3);
    }
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
      .until(() -> roamers.stream().allMatch(r -> r.received(TICKER) > 0));

    // A publisher on each node, a few per second, paused while its node is down.
    AtomicInteger[] counters = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
    for (int i = 0; i < 3; i++) {
      int node = i;
      timers.scheduleWithFixedDelay(() -> {
        if (restarting == node || !publishing) {
          return;
        }
        int n = counters[node].incrementAndGet();
        try {
          HttpResponse<String> response = nodes[node].api("POST", "api/publish",
            new JsonObject().put("address", PUBLISHED).put("body", new JsonObject().put("node", node).put("n", n)).encode());
          if (response.statusCode() == 200) {
            published.incrementAndGet();
          }
        } catch (AssertionError | RuntimeException e) {
          // The node went down between the check and the call: that message was not published.
        }
      }, 100, 250, TimeUnit.MILLISECONDS);
    }
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
      .until(() -> roamers.stream().allMatch(r -> r.received(PUBLISHED) > 3));

    for (int i = 0; i < 3; i++) {
      restarting = i;
      nodes[i].signal("TERM");
      assertEquals(0, nodes[i].awaitExit(), nodes[i].output());
      nodes[i] = AppProcess.launch("roll-node-" + (char) ('a' + i) + "-again", configs[i], Map.of(), JVM_FLAGS);
      nodes[i].awaitServing();
      awaitMembers(3);
      awaitReady(nodes[i]);
      restarting = -1;
      // Each client has caught up before the next stop.
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> roamers.stream().allMatch(Roamer::connected));
    }

    // The end: one last message, which every client gets once it has everything before it.
    publishing = false;
    JsonObject last = new JsonObject().put("last", true);
    HttpResponse<String> response = nodes[0].api("POST", "api/publish", new JsonObject().put("address", PUBLISHED).put("body", last).encode());
    assertEquals(200, response.statusCode(), response.body());
    published.incrementAndGet();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> roamers.stream().allMatch(r -> r.sawLast));

    StringBuilder figures = new StringBuilder("rolling restart: ").append(roamers.size()).append(" clients (")
      .append(CLIENTS_PER_TRANSPORT).append(" raw, ").append(CLIENTS_PER_TRANSPORT).append(" SockJS), ")
      .append(published.get()).append(" messages published through the API, ticks meanwhile\n");
    long gaps = 0;
    long duplicates = 0;
    long longest = 0;
    for (Roamer roamer : roamers) {
      figures.append(String.format("  %s (%s): %d reconnects, %d ticks, %d published, %d gaps, %d duplicates, longest catch-up %d ms%n",
        roamer.name, roamer.transport, roamer.reconnects.get(), roamer.received(TICKER), roamer.received(PUBLISHED),
        roamer.gaps.get(), roamer.duplicates.get(), roamer.longestCatchUpMs));
      gaps += roamer.gaps.get();
      duplicates += roamer.duplicates.get();
      longest = Math.max(longest, roamer.longestCatchUpMs);
    }
    figures.append(String.format("  total: %d gaps, %d duplicates, longest catch-up %d ms%n", gaps, duplicates, longest));
    System.out.print(figures);
    for (Roamer roamer : roamers) {
      assertTrue(roamer.reconnects.get() >= 1, roamer.name + " was moved at least once: " + figures);
    }
    assertEquals(0, gaps, figures.toString());
    assertEquals(0, duplicates, figures.toString());
  }

  private void awaitMembers(int count) {
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
      for (AppProcess node : nodes) {
        HttpResponse<String> response = node.api("GET", "api/cluster", null);
        if (response.statusCode() != 200 || new JsonObject(response.body()).getJsonArray("nodes").size() != count) {
          return false;
        }
      }
      return true;
    });
  }

  private static void awaitReady(AppProcess node) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
      .until(() -> node.api("GET", "health/ready", null).statusCode() == 200);
  }

  /**
   * A client as {@code /oneloop-bus.js} behaves: when its node tells of a shutdown or closes, it
   * goes to another live node and registers again with the last seq and epoch it has of each address.
   */
  private final class Roamer {
    final String name;
    final Transport transport;
    private volatile BridgeClient client;
    private volatile int node;
    private final Map<String, Long> lastSeq = new ConcurrentHashMap<>();
    private final Map<String, String> epochs = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> counts = new HashMap<>(Map.of(TICKER, new AtomicLong(), PUBLISHED, new AtomicLong()));
    final AtomicInteger gaps = new AtomicInteger();
    final AtomicInteger duplicates = new AtomicInteger();
    final AtomicInteger reconnects = new AtomicInteger();
    volatile boolean sawLast;
    volatile long longestCatchUpMs;
    /** When the connection was lost, until the first message on the next one; 0 when none is lost. */
    private volatile long lostAt;
    private volatile boolean moving;
    private volatile boolean closed;

    Roamer(String name, Transport transport, int node) {
      this.name = name;
      this.transport = transport;
      this.node = node;
      timers.scheduleWithFixedDelay(this::drain, 20, 20, TimeUnit.MILLISECONDS);
    }

    long received(String address) {
      return counts.get(address).get();
    }

    boolean connected() {
      return !moving && client != null && !client.closed().isComplete();
    }

    void connect(int target) throws Exception {
      BridgeClient next = BridgeClient.connect(vertx, nodes[target].port(), transport);
      node = target;
      next.register(SERVER);
      for (String address : List.of(TICKER, PUBLISHED)) {
        Long since = lastSeq.get(address);
        next.register(address, since == null ? new JsonObject()
          : new JsonObject().put("oneloop.since", Long.toString(since)).put("oneloop.epoch", epochs.get(address)));
      }
      client = next;
      next.closed().onComplete(ar -> move(next));
    }

    /** To another node, as the client script does: after a short random wait, the next live one, with its since. */
    private synchronized void move(BridgeClient from) {
      if (closed || moving || from != client) {
        return;
      }
      moving = true;
      lostAt = System.nanoTime();
      from.close();
      reconnects.incrementAndGet();
      timers.schedule(this::reconnect, ThreadLocalRandom.current().nextLong(50, 500), TimeUnit.MILLISECONDS);
    }

    private void reconnect() {
      if (closed) {
        return;
      }
      for (int step = 1; step <= 3; step++) {
        int target = (node + step) % 3;
        if (target == restarting || !nodes[target].alive()) {
          continue;
        }
        try {
          connect(target);
          moving = false;
          return;
        } catch (Exception e) {
          // Not reachable right now: the next one, or again shortly.
        }
      }
      timers.schedule(this::reconnect, 200, TimeUnit.MILLISECONDS);
    }

    private void drain() {
      BridgeClient current = client;
      if (current == null || closed) {
        return;
      }
      for (JsonObject frame : current.takeBacklog()) {
        String address = frame.getString("address");
        if (!"rec".equals(frame.getString("type"))) {
          continue;
        }
        if (SERVER.equals(address)) {
          JsonObject body = frame.getJsonObject("body");
          if (body != null && "shutdown".equals(body.getString("event"))) {
            move(current);
            return;
          }
          continue;
        }
        onMessage(address, frame);
      }
    }

    private void onMessage(String address, JsonObject frame) {
      JsonObject headers = frame.getJsonObject("headers", new JsonObject());
      if (headers.getString("oneloop.gap") != null) {
        gaps.incrementAndGet();
        return;
      }
      long seq = Long.parseLong(headers.getString("oneloop.seq"));
      String epoch = headers.getString("oneloop.epoch");
      Long previous = lastSeq.get(address);
      if (previous != null && !epoch.equals(epochs.get(address))) {
        gaps.incrementAndGet();
      } else if (previous != null && seq <= previous) {
        duplicates.incrementAndGet();
        return;
      } else if (previous != null && seq != previous + 1) {
        gaps.incrementAndGet();
      }
      lastSeq.put(address, seq);
      epochs.put(address, epoch);
      counts.get(address).incrementAndGet();
      if (lostAt != 0 && !moving) {
        longestCatchUpMs = Math.max(longestCatchUpMs, (System.nanoTime() - lostAt) / 1_000_000);
        lostAt = 0;
      }
      JsonObject body = frame.getJsonObject("body");
      if (PUBLISHED.equals(address) && body != null && body.getBoolean("last", false)) {
        sawLast = true;
      }
    }

    void close() {
      closed = true;
      if (client != null) {
        client.close();
      }
    }
  }
}
