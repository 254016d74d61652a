package io.oneloop.bridge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.netty.channel.EventLoop;
import io.oneloop.Addresses;
import io.oneloop.metrics.AppMetrics;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.EveryTransport;
import io.oneloop.support.LogCapture;
import io.oneloop.support.RawSocket;
import io.oneloop.support.TestApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import static io.oneloop.testkit.BridgeClient.WAIT_SECONDS;
import static io.oneloop.testkit.BridgeClient.isRec;
import static io.oneloop.support.TestApp.config;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * History and resume as a client sees them on each transport: numbered messages, a register with
 * {@code oneloop.since} that gets what it missed and then the live stream without a hole or a
 * double, the gap frame when what it missed is gone, and the bounds of what is kept.
 */
@ExtendWith(VertxExtension.class)
class HistoryTest {

  private static final String FEED = "feed.prices";

  /** Clients may receive from {@code feed.*} and {@code secret.*} is not permitted; {@code feed.prices} keeps {@code history}. */
  private static JsonObject feedConfig(JsonObject history) {
    return config().put("bridge", new JsonObject()
      .put("outbound", new JsonArray().add(new JsonObject().put("addressRegex", "feed\\..+")))
      .put("inbound", new JsonArray().add(new JsonObject().put("address", "oneloop.tasks.list")))
      .put("history", new JsonArray().add(history.put("address", FEED))));
  }

  private static long seq(JsonObject frame) {
    return Long.parseLong(frame.getJsonObject("headers").getString(History.SEQ));
  }

  private static String epoch(JsonObject frame) {
    return frame.getJsonObject("headers").getString(History.EPOCH);
  }

  private static JsonObject since(long seq) {
    return new JsonObject().put(History.SINCE, Long.toString(seq));
  }

  /** Publishes {@code count} messages {@code {"n": 1..count}} and waits until an observer has them all. */
  private static JsonObject publishAll(Vertx vertx, TestApp app, Transport transport, int count) throws Exception {
    BridgeClient observer = BridgeClient.connect(vertx, app.port(), transport).register(FEED);
    // A register is handled before anything published after its round trip.
    observer.request("oneloop.tasks.list", new JsonObject());
    for (int n = 1; n <= count; n++) {
      vertx.eventBus().publish(FEED, new JsonObject().put("n", n));
    }
    JsonObject last = null;
    for (int n = 1; n <= count; n++) {
      last = observer.await(isRec(FEED));
    }
    observer.close();
    return last;
  }

  @EveryTransport
  @DisplayName("every message on an address with history carries a consecutive oneloop.seq and this start's oneloop.epoch")
  void numbered(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig(new JsonObject()));
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport).register(FEED).register("feed.other");
    client.request("oneloop.tasks.list", new JsonObject());
    for (int n = 1; n <= 3; n++) {
      vertx.eventBus().publish(FEED, new JsonObject().put("n", n));
    }
    vertx.eventBus().publish("feed.other", new JsonObject().put("n", 1));
    JsonObject first = client.await(isRec(FEED));
    JsonObject second = client.await(isRec(FEED));
    JsonObject third = client.await(isRec(FEED));
    assertEquals(seq(first) + 1, seq(second));
    assertEquals(seq(second) + 1, seq(third));
    assertFalse(epoch(first).isEmpty());
    assertEquals(epoch(first), epoch(third));
    assertNull(client.await(isRec("feed.other")).getJsonObject("headers"), "an address without history is not numbered");
  }

  @EveryTransport
  @DisplayName("a register with oneloop.since gets every missed message in order, then live ones, with no hole or double at the seam while publishing fast")
  void resumes(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig(new JsonObject().put("size", 20_000).put("maxBytes", 16 * 1024 * 1024)));
    AtomicLong published = new AtomicLong();
    // 20 messages a millisecond, from a context of its own, until the test ends.
    long timer = vertx.setPeriodic(1, id -> {
      for (int i = 0; i < 20; i++) {
        vertx.eventBus().publish(FEED, new JsonObject().put("n", published.incrementAndGet()));
      }
    });
    try {
      BridgeClient first = BridgeClient.connect(vertx, app.port(), transport).register(FEED);
      JsonObject seen = null;
      for (int i = 0; i < 200; i++) {
        seen = first.await(isRec(FEED));
      }
      first.close();
      long lastSeq = seq(seen);
      long lastN = seen.getJsonObject("body").getLong("n");
      String epoch = epoch(seen);
      // Let it miss at least 2000 messages.
      for (int i = 0; i < 100 && published.get() < lastN + 2000; i++) {
        vertx.timer(20).await(WAIT_SECONDS, TimeUnit.SECONDS);
      }
      BridgeClient again = BridgeClient.connect(vertx, app.port(), transport)
        .register(FEED, since(lastSeq).put(History.EPOCH, epoch));
      // The missed ones and then live ones: 6000 in all crosses the seam while publishing goes on.
      for (int i = 1; i <= 6000; i++) {
        JsonObject frame;
        try {
          frame = again.await(isRec(FEED));
        } catch (TimeoutException e) {
          throw new AssertionError("message " + i + " after the resume did not come; published " + published.get() + " from n " + lastN + " backlog " + again.backlog().size());
        }
        assertEquals(lastSeq + i, seq(frame), "seq of message " + i + " after the resume");
        assertEquals(lastN + i, frame.getJsonObject("body").getLong("n"), "message " + i + " after the resume");
      }
      assertTrue(published.get() > lastN + 2000, "the client missed messages while away");
    } finally {
      vertx.cancelTimer(timer);
    }
  }

  @EveryTransport
  @DisplayName("a since no longer kept gets one gap frame naming the first seq it will get, then what is kept, then live")
  void tooOld(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig(new JsonObject().put("size", 10)));
    JsonObject last = publishAll(vertx, app, transport, 50);
    long lastSeq = seq(last);
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport).register(FEED, since(lastSeq - 40));
    JsonObject gap = client.await(isRec(FEED));
    assertEquals(Long.toString(lastSeq - 9), gap.getJsonObject("headers").getString(History.GAP));
    assertTrue(gap.containsKey("body") && gap.getValue("body") == null, "the gap frame's body is null");
    for (long n = 41; n <= 50; n++) {
      assertEquals(n, client.awaitRec(FEED).getLong("n"));
    }
    vertx.eventBus().publish(FEED, new JsonObject().put("n", 51));
    JsonObject live = client.await(isRec(FEED));
    assertEquals(lastSeq + 1, seq(live));
    assertEquals(51, live.getJsonObject("body").getLong("n"));
  }

  @EveryTransport
  @DisplayName("a since from another epoch gets the gap frame, then every kept message")
  void otherEpoch(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig(new JsonObject().put("size", 10)));
    JsonObject last = publishAll(vertx, app, transport, 5);
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport)
      .register(FEED, since(seq(last)).put(History.EPOCH, "another-start"));
    JsonObject gap = client.await(isRec(FEED));
    assertEquals(Long.toString(seq(last) - 4), gap.getJsonObject("headers").getString(History.GAP));
    assertEquals(epoch(last), gap.getJsonObject("headers").getString(History.EPOCH));
    for (long n = 1; n <= 5; n++) {
      assertEquals(n, client.awaitRec(FEED).getLong("n"));
    }
  }

  @EveryTransport
  @DisplayName("a since the history never reached, or one that is not a number, gets the gap frame and then live messages")
  void madeUpSince(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig(new JsonObject()));
    JsonObject last = publishAll(vertx, app, transport, 3);
    for (JsonObject headers : List.of(since(seq(last) + 1000), new JsonObject().put(History.SINCE, "12x"))) {
      BridgeClient client = BridgeClient.connect(vertx, app.port(), transport).register(FEED, headers);
      JsonObject gap = client.await(isRec(FEED));
      assertNull(gap.getValue("body"));
      long first = Long.parseLong(gap.getJsonObject("headers").getString(History.GAP));
      client.request("oneloop.tasks.list", new JsonObject());
      vertx.eventBus().publish(FEED, new JsonObject().put("n", "live"));
      JsonObject next = client.await(isRec(FEED));
      if (headers.getString(History.SINCE).equals("12x")) {
        // Not a number: like another epoch, everything kept follows the gap.
        assertEquals(first, seq(next));
      } else {
        assertEquals(seq(last) + 1, first);
        assertEquals("live", next.getJsonObject("body").getString("n"));
        assertEquals(first, seq(next));
      }
      client.close();
    }
  }

  @EveryTransport
  @DisplayName("a since does not open an address the client may not receive from")
  void deniedStaysDenied(Transport transport, Vertx vertx) throws Exception {
    JsonObject cfg = feedConfig(new JsonObject());
    cfg.getJsonObject("bridge").getJsonArray("history").add(new JsonObject().put("address", "secret.prices"));
    TestApp app = TestApp.start(vertx, cfg);
    vertx.eventBus().publish("secret.prices", new JsonObject().put("n", 1));
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport).register("secret.prices", since(0));
    assertEquals("access_denied", client.awaitErr());
    client.request("oneloop.tasks.list", new JsonObject());
    vertx.eventBus().publish("secret.prices", new JsonObject().put("n", 2));
    client.request("oneloop.tasks.list", new JsonObject());
    assertTrue(client.backlog().stream().noneMatch(isRec("secret.prices")), "nothing of secret.prices: " + client.backlog());
  }

  @EveryTransport
  @DisplayName("history keeps at most size messages and maxBytes bytes, and none older than ttlMs")
  void bounded(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig(new JsonObject().put("size", 10).put("maxBytes", 2048).put("ttlMs", 300)));
    // By count: 10 of 30 small messages.
    JsonObject last = publishAll(vertx, app, transport, 30);
    assertEquals(10, replayed(vertx, app, transport, seq(last)).size());
    // By bytes: messages of about 500 bytes, 2048 hold three.
    String filler = "x".repeat(450);
    BridgeClient observer = BridgeClient.connect(vertx, app.port(), transport).register(FEED);
    observer.request("oneloop.tasks.list", new JsonObject());
    for (int n = 1; n <= 10; n++) {
      vertx.eventBus().publish(FEED, new JsonObject().put("n", n).put("filler", filler));
    }
    for (int n = 1; n <= 10; n++) {
      last = observer.await(isRec(FEED));
    }
    List<JsonObject> kept = replayed(vertx, app, transport, seq(last));
    assertTrue(kept.size() >= 1 && kept.size() <= 4, "kept within 2048 bytes: " + kept.size());
    // By age: after ttlMs nothing is kept (bounded polling: the clock is the server's).
    int left = kept.size();
    for (int i = 0; i < 50 && left > 0; i++) {
      vertx.timer(100).await(WAIT_SECONDS, TimeUnit.SECONDS);
      left = replayed(vertx, app, transport, seq(last)).size();
    }
    assertEquals(0, left, "messages older than ttlMs are gone");
  }

  @EveryTransport
  @DisplayName("with http.instances 2 one message has one seq on every instance, and a client resumes on either")
  void sharedByInstances(Transport transport, Vertx vertx) throws Exception {
    JsonObject cfg = feedConfig(new JsonObject());
    cfg.getJsonObject("http").put("instances", 2);
    TestApp app = TestApp.start(vertx, cfg);
    List<BridgeClient> clients = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      BridgeClient client = BridgeClient.connect(vertx, app.port(), transport).register(FEED);
      client.request("oneloop.tasks.list", new JsonObject());
      clients.add(client);
    }
    JsonObject sockets = sockets(vertx);
    for (Object instance : sockets.getJsonArray("instances")) {
      int open = ((JsonObject) instance).getJsonObject("sockets").stream().mapToInt(e -> (Integer) e.getValue()).sum();
      assertTrue(open > 0, "both instances serve clients: " + sockets);
    }
    for (int n = 1; n <= 20; n++) {
      vertx.eventBus().publish(FEED, new JsonObject().put("n", n));
    }
    Long firstSeq = null;
    for (BridgeClient client : clients) {
      JsonObject first = client.await(isRec(FEED));
      firstSeq = firstSeq == null ? seq(first) : firstSeq;
      assertEquals(firstSeq, seq(first), "message 1 has one seq everywhere");
      for (int n = 2; n <= 20; n++) {
        assertEquals(firstSeq + n - 1, seq(client.await(isRec(FEED))));
      }
    }
    // Resumed on whichever instance: the same kept messages.
    for (int i = 0; i < 2; i++) {
      BridgeClient again = BridgeClient.connect(vertx, app.port(), transport).register(FEED, since(firstSeq + 9));
      for (int n = 11; n <= 20; n++) {
        assertEquals(n, again.awaitRec(FEED).getInteger("n"));
      }
      again.request("oneloop.tasks.list", new JsonObject());
      assertTrue(again.backlog().isEmpty(), "nothing twice: " + again.backlog());
    }
  }

  @EveryTransport
  @DisplayName("an addressRegex history keeps what comes after the first register of a matching address")
  void regexHistory(Transport transport, Vertx vertx) throws Exception {
    JsonObject cfg = feedConfig(new JsonObject());
    cfg.getJsonObject("bridge").put("history", new JsonArray().add(new JsonObject().put("addressRegex", "feed\\.room\\..+")));
    TestApp app = TestApp.start(vertx, cfg);
    vertx.eventBus().publish("feed.room.7", new JsonObject().put("n", 0));
    BridgeClient first = BridgeClient.connect(vertx, app.port(), transport).register("feed.room.7");
    first.request("oneloop.tasks.list", new JsonObject());
    for (int n = 1; n <= 5; n++) {
      vertx.eventBus().publish("feed.room.7", new JsonObject().put("n", n));
    }
    JsonObject seen = first.await(isRec("feed.room.7"));
    assertEquals(1, seen.getJsonObject("body").getInteger("n"), "what came before the first register was not kept, nor sent");
    first.close();
    BridgeClient again = BridgeClient.connect(vertx, app.port(), transport).register("feed.room.7", since(seq(seen)).put(History.EPOCH, epoch(seen)));
    for (int n = 2; n <= 5; n++) {
      assertEquals(n, again.awaitRec("feed.room.7").getInteger("n"));
    }
  }

  @EveryTransport
  @DisplayName("a replay larger than bridge.maxQueuedBytes goes out paced without closing the client; live messages over the bound still close it")
  void replayIsNotCountedAgainstTheBound(Transport transport, Vertx vertx) throws Exception {
    JsonObject cfg = feedConfig(new JsonObject().put("size", 2000).put("maxBytes", 32 * 1024 * 1024));
    cfg.getJsonObject("bridge").put("maxQueuedBytes", 4096);
    TestApp app = TestApp.start(vertx, cfg);
    // 16 MiB kept: more than the kernel's socket buffers take, so the replay to a client that reads nothing stalls.
    String filler = "x".repeat(8 * 1024);
    for (int n = 1; n <= 2000; n++) {
      vertx.eventBus().publish(FEED, new JsonObject().put("n", n).put("filler", filler));
    }
    BridgeClient healthy = BridgeClient.connect(vertx, app.port(), transport).register("feed.other");
    healthy.request("oneloop.tasks.list", new JsonObject());
    String counted = (transport == Transport.RAW ? BridgeTransport.RAW : BridgeTransport.SOCKJS_WEBSOCKET).wireName();
    try (RawSocket reader = RawSocket.connect(app.port(), transport.path(), 4096)) {
      reader.sendText(transport.wrap(new JsonObject().put("type", "register").put("address", "feed.other").encode()));
      reader.sendText(transport.wrap(new JsonObject().put("type", "register").put("address", FEED).put("headers", since(0)).encode()));
      double delivered = awaitReplayStalled(vertx);
      assertTrue(delivered < 2000, "the replay waits for a client that reads nothing: " + delivered + " delivered");
      reader.sendText(transport.wrap(new JsonObject().put("type", "ping").encode()));

      // Far more than 4096 bytes of replay wait for it, yet a live message below the bound goes out to it.
      vertx.eventBus().publish("feed.other", new JsonObject().put("n", 0));
      assertEquals(0, healthy.awaitRec("feed.other").getInteger("n"));
      JsonObject bridge = sockets(vertx);
      assertEquals(0, bridge.getJsonObject("slowClosed").getInteger(counted), "the replaying client is not closed: " + bridge);
      assertEquals(2, bridge.getJsonObject("sockets").getInteger(counted), "both clients are open: " + bridge);

      // Live messages it does not read, over the bound: closed as too slow, like any client. A
      // kilobyte every 20 ms (bounded) until then, so a replay still filling the kernel's
      // buffers, on a busy machine, only takes longer.
      String kilobyte = "y".repeat(1024);
      int slowClosed = 0;
      for (int n = 1; n <= 250 && slowClosed == 0; n++) {
        vertx.eventBus().publish("feed.other", new JsonObject().put("n", n).put("filler", kilobyte));
        assertEquals(n, healthy.awaitRec("feed.other").getInteger("n"));
        slowClosed = sockets(vertx).getJsonObject("slowClosed").getInteger(counted);
        if (slowClosed == 0) {
          vertx.timer(20).await(WAIT_SECONDS, TimeUnit.SECONDS);
        }
      }
      assertEquals(1, slowClosed, "live messages over bridge.maxQueuedBytes close the client");
    }
  }

  /** Bridge deliveries so far, once they stopped growing over a few polls (bounded). */
  private static double awaitReplayStalled(Vertx vertx) throws Exception {
    Counter out = AppMetrics.of(vertx).registry().find("oneloop.bridge.messages").tag("direction", "out").counter();
    double last = -1;
    int steady = 0;
    for (int i = 0; i < 200 && steady < 5; i++) {
      vertx.timer(50).await(WAIT_SECONDS, TimeUnit.SECONDS);
      double now = out.count();
      steady = now == last && now > 0 ? steady + 1 : 0;
      last = now;
    }
    assertEquals(5, steady, "the replay's deliveries settle");
    return last;
  }

  private static JsonObject sockets(Vertx vertx) throws Exception {
    return vertx.eventBus().<JsonObject>request(Addresses.BRIDGE_SOCKETS, null).await(WAIT_SECONDS, TimeUnit.SECONDS).body();
  }

  @Test
  @DisplayName("over SockJS's xhr-polling a resume gets the missed messages in order, batch after batch as the polls take them")
  void resumesOverXhrPolling(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig(new JsonObject().put("size", 1000)));
    JsonObject last = publishAll(vertx, app, Transport.RAW, 600);
    long since = seq(last) - 500;
    WebClient http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(false));
    String session = "/eventbus/000/" + UUID.randomUUID() + "/";
    assertEquals("o\n", poll(http, app.port(), session + "xhr", ""));
    String register = new JsonObject().put("type", "register").put("address", FEED).put("headers", since(since)).encode();
    poll(http, app.port(), session + "xhr_send", new JsonArray().add(register).encode());
    long expected = 101;
    for (int i = 0; i < 100 && expected <= 600; i++) {
      String body = poll(http, app.port(), session + "xhr", "");
      if (!body.startsWith("a[")) {
        continue;
      }
      for (Object item : new JsonArray(body.substring(1).trim())) {
        JsonObject frame = new JsonObject((String) item);
        assertEquals(expected, frame.getJsonObject("body").getLong("n"), "replayed in order, none twice");
        expected++;
      }
    }
    assertEquals(601, expected, "every missed message came");
  }

  private static String poll(WebClient http, int port, String path, String body) throws Exception {
    return http.post(port, "127.0.0.1", path).sendBuffer(Buffer.buffer(body)).await(WAIT_SECONDS, TimeUnit.SECONDS).bodyAsString();
  }

  /** The messages a resume from seq 0 gets back (after its gap frame), up to {@code lastSeq}. */
  private static List<JsonObject> replayed(Vertx vertx, TestApp app, Transport transport, long lastSeq) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport).register(FEED, since(0));
    JsonObject gap = client.await(isRec(FEED));
    long first = Long.parseLong(gap.getJsonObject("headers").getString(History.GAP));
    List<JsonObject> got = new ArrayList<>();
    for (long seq = first; seq <= lastSeq; seq++) {
      got.add(client.await(isRec(FEED)));
    }
    client.close();
    return got;
  }

  /** A sink on {@code loop} that counts the numbered messages it gets. */
  private static History.Sink countingSink(EventLoop loop, AtomicInteger entries) {
    return new History.Sink() {
      @Override
      public EventLoop loop() {
        return loop;
      }

      @Override
      public void onEntry(History.Entry entry) {
        entries.incrementAndGet();
      }

      @Override
      public void onSend(Message<Object> msg) {
      }
    };
  }

  @Test
  @DisplayName("all the logs together keep at most bridge.maxHistoryBytes: past it the oldest messages go, whatever their address, the newest stay")
  void globalBudgetDropsOldestFirst(Vertx vertx) throws Exception {
    long budget = HistorySpec.MIN_TOTAL_BYTES;
    // Each address may keep 1 MiB and 1000 messages: only the global budget bounds them here.
    HistorySpec spec = new HistorySpec(null, Pattern.compile("unit\\..+"), 1000, 300_000, 1024 * 1024);
    History history = new History(vertx, List.of(spec), 1000, budget, 1000);
    try {
      int addresses = 8;
      int messages = 300;
      String filler = "x".repeat(10_000);
      // One context for every log and the publisher: the logs append in publish order.
      Context context = vertx.getOrCreateContext();
      AtomicInteger received = new AtomicInteger();
      History.Sink sink = countingSink(((ContextInternal) context).nettyEventLoop(), received);
      Promise<Void> published = Promise.promise();
      context.runOnContext(v -> {
        for (int a = 0; a < addresses; a++) {
          assertTrue(history.attach("unit." + a, sink, 0, "test").started());
        }
        for (int n = 1; n <= messages; n++) {
          vertx.eventBus().publish("unit." + n % addresses, new JsonObject().put("n", n).put("filler", filler));
        }
        published.complete();
      });
      published.future().await(WAIT_SECONDS, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> received.get() == messages);

      assertTrue(history.bytes() <= budget, "kept " + history.bytes() + " bytes, more than the budget " + budget);
      // 3 MB published: the budget is full, less than one message short at most.
      assertTrue(history.bytes() > budget - 10_100, "kept " + history.bytes() + " bytes");
      List<Long> kept = new ArrayList<>();
      long bytes = 0;
      for (int a = 0; a < addresses; a++) {
        History.AddressLog addressLog = history.logOf("unit." + a);
        bytes += addressLog.bytes();
        for (History.Entry entry : addressLog.after(0, Integer.MAX_VALUE, Long.MAX_VALUE).entries()) {
          kept.add(new JsonObject(Buffer.buffer(entry.frame())).getJsonObject("body").getLong("n"));
        }
      }
      assertEquals(history.bytes(), bytes, "the total is the sum of the logs");
      kept.sort(null);
      // The newest ones, with no hole across addresses: everything older than the first kept is gone.
      long oldest = kept.get(0);
      assertTrue(oldest > 1, "the oldest messages went");
      for (int i = 0; i < kept.size(); i++) {
        assertEquals(oldest + i, kept.get(i), "kept: " + kept);
      }
      assertEquals(messages, kept.get(kept.size() - 1), "the newest message is kept");
    } finally {
      history.close();
    }
  }

  @Test
  @DisplayName("logs appending on several event loops at once stay within bridge.maxHistoryBytes together, the total the sum of the logs")
  void globalBudgetAcrossEventLoops(Vertx vertx) throws Exception {
    long budget = HistorySpec.MIN_TOTAL_BYTES;
    HistorySpec spec = new HistorySpec(null, Pattern.compile("loops\\..+"), 1000, 300_000, 1024 * 1024);
    History history = new History(vertx, List.of(spec), 1000, budget, 1000);
    try {
      int loops = 4;
      int perLoop = 400;
      String filler = "y".repeat(8_000);
      AtomicInteger received = new AtomicInteger();
      List<Future<Void>> done = new ArrayList<>();
      for (int l = 0; l < loops; l++) {
        int loop = l;
        // A context of its own for each group of logs and its publisher: they append concurrently.
        Context context = vertx.getOrCreateContext();
        History.Sink sink = countingSink(((ContextInternal) context).nettyEventLoop(), received);
        Promise<Void> published = Promise.promise();
        context.runOnContext(v -> {
          for (int a = 0; a < 4; a++) {
            history.attach("loops." + loop + "." + a, sink, 0, "test");
          }
          for (int n = 0; n < perLoop; n++) {
            vertx.eventBus().publish("loops." + loop + "." + n % 4, new JsonObject().put("n", n).put("filler", filler));
          }
          published.complete();
        });
        done.add(published.future());
      }
      Future.all(done).await(WAIT_SECONDS, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> received.get() == loops * perLoop);
      long sum = 0;
      for (int l = 0; l < loops; l++) {
        for (int a = 0; a < 4; a++) {
          sum += history.logOf("loops." + l + "." + a).bytes();
        }
      }
      assertEquals(history.bytes(), sum, "the total is the sum of the logs");
      assertTrue(history.bytes() <= budget, "kept " + history.bytes() + " bytes, more than the budget " + budget);
      // 12.8 MB published: the budget stays nearly full (a race between two loops may drop one message too many each).
      assertTrue(history.bytes() > budget - 4 * 8_100, "kept " + history.bytes() + " bytes");
    } finally {
      history.close();
    }
  }

  /** Clients may register, publish to and keep a history of any {@code acme.*} address, as in the heap-filling setup. */
  private static JsonObject acmeConfig() {
    String acme = "acme\\.[a-z0-9.]+";
    return config().put("bridge", new JsonObject()
      .put("outbound", new JsonArray().add(new JsonObject().put("addressRegex", acme)))
      .put("inbound", new JsonArray().add(new JsonObject().put("addressRegex", acme)).add(new JsonObject().put("address", "oneloop.tasks.list")))
      .put("history", new JsonArray().add(new JsonObject().put("addressRegex", acme))));
  }

  private static double historyBytes(Vertx vertx) {
    Gauge gauge = AppMetrics.of(vertx).registry().find("oneloop.bridge.history.bytes").gauge();
    assertNotNull(gauge, "the gauge oneloop.bridge.history.bytes");
    return gauge.value();
  }

  @Test
  @DisplayName("clients publishing large messages to many regex-history addresses fill at most bridge.maxHistoryBytes, the oldest going first")
  void regexHistoryFillStaysWithinBudget(Vertx vertx) throws Exception {
    JsonObject cfg = acmeConfig();
    cfg.getJsonObject("bridge").put("maxHistoryBytes", 1024 * 1024);
    TestApp app = TestApp.start(vertx, cfg);
    // Four sockets, sixteen addresses each (their bridge.maxHistoryAddressesPerClient): 64 logs, each within its own 1 MiB.
    List<BridgeClient> clients = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      BridgeClient client = BridgeClient.connect(vertx, app.port(), Transport.RAW);
      for (int a = c * 16; a < (c + 1) * 16; a++) {
        client.register("acme.h." + a);
      }
      client.request("oneloop.tasks.list", new JsonObject());
      clients.add(client);
    }
    // 64 messages of 60 KB, one after the other: 3.8 MB where 1 MiB is allowed.
    String filler = "z".repeat(60_000);
    for (int a = 0; a < 64; a++) {
      BridgeClient client = clients.get(a / 16);
      client.publish("acme.h." + a, new JsonObject().put("n", a).put("filler", filler));
      assertEquals(a, client.awaitRec("acme.h." + a).getInteger("n"));
      assertTrue(historyBytes(vertx) <= 1024 * 1024, "history bytes after message " + a + ": " + historyBytes(vertx));
    }
    assertTrue(historyBytes(vertx) > 900_000, "the budget is used: " + historyBytes(vertx));
    assertTrue(clients.stream().allMatch(c -> c.backlog().stream().noneMatch(BridgeClient.isErr())), "no client got an error");

    // The oldest message is gone, told by the gap frame; the newest is replayed.
    BridgeClient resumer = BridgeClient.connect(vertx, app.port(), Transport.RAW).register("acme.h.0", since(0));
    JsonObject gap = resumer.await(isRec("acme.h.0"));
    assertNull(gap.getValue("body"), "a gap frame: " + gap);
    resumer.register("acme.h.63", since(0));
    assertNull(resumer.await(isRec("acme.h.63")).getValue("body"));
    assertEquals(63, resumer.awaitRec("acme.h.63").getInteger("n"));
    resumer.request("oneloop.tasks.list", new JsonObject());
    assertTrue(resumer.backlog().stream().noneMatch(isRec("acme.h.0")), "nothing of acme.h.0 is kept: " + resumer.backlog());
  }

  @Test
  @DisplayName("one socket starts at most bridge.maxHistoryAddressesPerClient regex histories; its other registers succeed with live messages only, logged once")
  void perClientHistoryCap(Vertx vertx) throws Exception {
    // One HTTP instance: every socket on one engine, where the greedy socket's topics are.
    JsonObject config = acmeConfig();
    config.put("http", config.getJsonObject("http", new JsonObject()).copy().put("instances", 1));
    TestApp app = TestApp.start(vertx, config);
    try (LogCapture logs = LogCapture.of(History.class)) {
      BridgeClient greedy = BridgeClient.connect(vertx, app.port(), Transport.RAW);
      for (int a = 0; a < 20; a++) {
        // Asking for a replay too: past the cap it gets none, and no error.
        greedy.register("acme.c." + a, since(0));
      }
      greedy.request("oneloop.tasks.list", new JsonObject());
      for (int a = 0; a < 20; a++) {
        vertx.eventBus().publish("acme.c." + a, new JsonObject().put("n", a));
      }
      int numbered = 0;
      for (int a = 0; a < 20; a++) {
        JsonObject message = greedy.await(frame -> isRec(frame.getString("address", "")).test(frame) && frame.getValue("body") != null);
        numbered += message.getJsonObject("headers") != null && message.getJsonObject("headers").containsKey(History.SEQ) ? 1 : 0;
      }
      assertEquals(16, numbered, "16 of the 20 addresses keep a history");
      greedy.request("oneloop.tasks.list", new JsonObject());
      assertTrue(greedy.backlog().stream().noneMatch(BridgeClient.isErr()), "every register succeeded: " + greedy.backlog());
      // Only the 16 with history answered the since, each with a gap frame (nothing was kept before).
      assertEquals(16, greedy.backlog().stream().filter(frame -> "rec".equals(frame.getString("type"))).count(), "gap frames: " + greedy.backlog());
      assertEquals(1, logs.containing("bridge.maxHistoryAddressesPerClient").size(), "one line for the four: " + logs.lines());

      // Another socket still starts a history on a new address.
      BridgeClient other = BridgeClient.connect(vertx, app.port(), Transport.RAW).register("acme.c.new");
      other.request("oneloop.tasks.list", new JsonObject());
      vertx.eventBus().publish("acme.c.new", new JsonObject().put("n", "new"));
      JsonObject fresh = other.await(isRec("acme.c.new"));
      assertNotNull(fresh.getJsonObject("headers").getString(History.SEQ), "numbered: " + fresh);

      // An address the greedy socket holds without history gets it from the next socket that may start one.
      BridgeClient late = BridgeClient.connect(vertx, app.port(), Transport.RAW).register("acme.c.19");
      late.request("oneloop.tasks.list", new JsonObject());
      vertx.eventBus().publish("acme.c.19", new JsonObject().put("n", "kept"));
      JsonObject kept = late.await(frame -> isRec("acme.c.19").test(frame) && frame.getValue("body") != null);
      assertNotNull(kept.getJsonObject("headers").getString(History.SEQ), "numbered for the later socket: " + kept);
      BridgeClient resumer = BridgeClient.connect(vertx, app.port(), Transport.RAW).register("acme.c.19", since(0));
      JsonObject replayed = resumer.await(frame -> isRec("acme.c.19").test(frame) && frame.getValue("body") != null);
      assertEquals("kept", replayed.getJsonObject("body").getString("n"), "the message was kept and replayed: " + replayed);
    }
  }
}
