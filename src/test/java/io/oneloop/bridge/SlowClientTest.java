package io.oneloop.bridge;

import io.oneloop.Addresses;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.LogCapture;
import io.oneloop.support.RawSocket;
import io.oneloop.testkit.SockJsFrames;
import io.oneloop.support.TestApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.oneloop.testkit.BridgeClient.WAIT_SECONDS;
import static io.oneloop.support.TestApp.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One bound for every transport: a client that stops reading is closed once more than
 * {@code bridge.maxQueuedBytes} waits for it, and counted; a healthy client on the same address
 * keeps receiving every message, in order. Many such closes at once log one line a second.
 */
@ExtendWith(VertxExtension.class)
class SlowClientTest {

  private static final String ADDRESS = "feed.video";
  private static final String CHUNK = "x".repeat(16 * 1024);
  private static final String SLOW_LINE = "it reads too slowly";
  private static final Pattern UNLOGGED = Pattern.compile("; (\\d+) more closed for reading too slowly since the last such line$");

  /** How the stalled client connects; the healthy one uses {@link #healthy} of the same kind. */
  enum Stalled {
    RAW(BridgeTransport.RAW, Transport.RAW),
    SOCKJS_WEBSOCKET(BridgeTransport.SOCKJS_WEBSOCKET, Transport.SOCKJS),
    XHR_STREAMING(BridgeTransport.SOCKJS_FALLBACK, Transport.SOCKJS);

    final BridgeTransport counted;
    final Transport healthy;

    Stalled(BridgeTransport counted, Transport healthy) {
      this.counted = counted;
      this.healthy = healthy;
    }
  }

  /** An app whose bridge lets clients receive {@code feed.*} and ask for the task list, with {@code limits} added to {@code bridge}. */
  static JsonObject feedConfig(JsonObject limits) {
    return config().put("bridge", new JsonObject()
      .put("outbound", new JsonArray().add(new JsonObject().put("addressRegex", "feed\\..+")))
      .put("inbound", new JsonArray().add(new JsonObject().put("address", Addresses.TASKS_LIST)))
      .mergeIn(limits));
  }

  private static String register() {
    return new JsonObject().put("type", "register").put("address", ADDRESS).encode();
  }

  /** A client that registers and then never reads, with a small receive buffer so the server's queue fills. */
  private static AutoCloseable stalled(Vertx vertx, Stalled kind, int port) throws Exception {
    return switch (kind) {
      case RAW -> {
        RawSocket socket = RawSocket.connect(port, Transport.RAW.path(), 4096);
        socket.sendText(register());
        yield socket;
      }
      case SOCKJS_WEBSOCKET -> {
        RawSocket socket = RawSocket.connect(port, Transport.SOCKJS.path(), 4096);
        socket.sendText(SockJsFrames.encode(register()));
        yield socket;
      }
      case XHR_STREAMING -> xhrStreaming(vertx, port);
    };
  }

  /** SockJS's xhr-streaming: one long POST response the client stops reading, and a send on the side to register. */
  private static AutoCloseable xhrStreaming(Vertx vertx, int port) throws Exception {
    String session = "/eventbus/000/" + UUID.randomUUID() + "/";
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    OutputStream out = socket.getOutputStream();
    out.write(("POST " + session + "xhr_streaming HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Length: 0\r\n\r\n")
      .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    // Read up to the "o" frame: the session exists from then on.
    InputStream in = socket.getInputStream();
    StringBuilder seen = new StringBuilder();
    while (!seen.toString().contains("\no\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the server ended the streaming response early: " + seen);
      }
      seen.append((char) b);
    }
    WebClient http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(false));
    int status = http.post(port, "127.0.0.1", session + "xhr_send").sendBuffer(Buffer.buffer(SockJsFrames.encode(register())))
      .await(WAIT_SECONDS, TimeUnit.SECONDS).statusCode();
    assertEquals(204, status, "the register was sent");
    return socket;
  }

  private static JsonObject bridge(Vertx vertx) throws Exception {
    return vertx.eventBus().<JsonObject>request(Addresses.BRIDGE_SOCKETS, null).await(WAIT_SECONDS, TimeUnit.SECONDS).body();
  }

  @ParameterizedTest(name = "stalled over {0}")
  @EnumSource(Stalled.class)
  @DisplayName("a client that stops reading is closed at bridge.maxQueuedBytes and counted; a healthy one gets every message in order")
  void slowClientIsClosed(Stalled kind, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig(new JsonObject()));
    BridgeClient healthy = BridgeClient.connect(vertx, app.port(), kind.healthy).register(ADDRESS);
    healthy.request(Addresses.TASKS_LIST, new JsonObject());
    String name = kind.counted.wireName();
    try (AutoCloseable stalled = stalled(vertx, kind, app.port())) {
      int seq = feedUntilSlowClosed(vertx, healthy, kind.counted, 1, 0);
      assertEquals(1, slowClosed(vertx, kind.counted), "the stalled client was closed as too slow");
      // The healthy client is of the stalled one's kind, except beside xhr-streaming.
      int left = kind == Stalled.XHR_STREAMING ? 0 : 1;
      JsonObject open = bridge(vertx).getJsonObject("sockets");
      for (int i = 0; i < 100 && open.getInteger(name) != left; i++) {
        vertx.timer(50).await(WAIT_SECONDS, TimeUnit.SECONDS);
        open = bridge(vertx).getJsonObject("sockets");
      }
      assertEquals(left, open.getInteger(name), "only the healthy client is left: " + open);
      if (stalled instanceof RawSocket socket) {
        // Closed means the connection is gone, not just forgotten by the engine: a peer that
        // never reads would hold an orderly close open behind what waits for it.
        assertTrue(socket.awaitEnd(TimeUnit.SECONDS.toMillis(WAIT_SECONDS)), "the stalled client's connection was ended");
      }
      vertx.eventBus().publish(ADDRESS, new JsonObject().put("seq", ++seq).put("chunk", CHUNK));
      assertEquals(seq, healthy.awaitRec(ADDRESS).getInteger("seq"));
    }
  }

  @Test
  @DisplayName("stalled clients closed together log one line, a close a second later logs the next with how many went unlogged, and every close is counted")
  void slowClosesLoggedOncePerSecond(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig(new JsonObject()));
    BridgeClient healthy = BridgeClient.connect(vertx, app.port(), Transport.RAW).register(ADDRESS);
    healthy.request(Addresses.TASKS_LIST, new JsonObject());
    List<AutoCloseable> stalled = new ArrayList<>();
    try (LogCapture log = LogCapture.of(FanoutBridge.class)) {
      int together = 5;
      for (int i = 0; i < together; i++) {
        stalled.add(stalled(vertx, Stalled.RAW, app.port()));
      }
      long start = System.nanoTime();
      int seq = feedUntilSlowClosed(vertx, healthy, BridgeTransport.RAW, together, 0);
      long elapsed = System.nanoTime() - start;
      assertEquals(together, slowClosed(vertx, BridgeTransport.RAW), "each stalled client was counted as closed as too slow");
      List<String> first = log.containing(SLOW_LINE);
      long seconds = TimeUnit.NANOSECONDS.toSeconds(elapsed);
      assertTrue(first.size() >= 1 && first.size() <= seconds + 1, first.size() + " lines for " + together + " closes in " + seconds + " s: " + first);
      if (elapsed < TimeUnit.SECONDS.toNanos(1)) {
        assertEquals(1, first.size(), "closes within one second log one line: " + first);
      }
      // Every close so far is counted and its line written: a close a full second from now is past the last line's second.
      vertx.timer(1000).await(WAIT_SECONDS, TimeUnit.SECONDS);
      stalled.add(stalled(vertx, Stalled.RAW, app.port()));
      feedUntilSlowClosed(vertx, healthy, BridgeTransport.RAW, together + 1, seq);
      assertEquals(together + 1, slowClosed(vertx, BridgeTransport.RAW), "the late client was counted too");
      List<String> lines = log.containing(SLOW_LINE);
      assertEquals(first.size() + 1, lines.size(), "the late close got a line of its own: " + lines);
      String last = lines.get(lines.size() - 1);
      assertTrue(last.startsWith("Closing the raw bridge socket of 127.0.0.1:") && last.contains("bytes waiting, more than bridge.maxQueuedBytes 1048576"),
        "the line names the client and what waited for it: " + last);
      Matcher unlogged = UNLOGGED.matcher(last);
      assertTrue(unlogged.find(), "the late line says how many went without a line since the last one: " + last);
      // Each close is on a line or counted by the next one.
      long accounted = lines.size();
      for (String line : lines) {
        Matcher more = UNLOGGED.matcher(line);
        accounted += more.find() ? Long.parseLong(more.group(1)) : 0;
      }
      assertEquals(together + 1, accounted, "every close is on a line or counted by the next: " + lines);
    } finally {
      for (AutoCloseable client : stalled) {
        client.close();
      }
    }
  }

  @Test
  @DisplayName("past bridge.maxQueuedBytesTotal, stalled clients are closed before their own bound, each past its share; a healthy one gets every message, and what waits is counted back to nothing")
  void clientsTogetherAreBounded(Vertx vertx) throws Exception {
    long total = 256 * 1024;
    TestApp app = TestApp.start(vertx, feedConfig(new JsonObject().put("maxQueuedBytesTotal", total)));
    BridgeClient healthy = BridgeClient.connect(vertx, app.port(), Transport.SOCKJS).register(ADDRESS);
    healthy.request(Addresses.TASKS_LIST, new JsonObject());
    List<AutoCloseable> stalled = new ArrayList<>();
    try (LogCapture log = LogCapture.of(FanoutBridge.class)) {
      stalled.add(stalled(vertx, Stalled.RAW, app.port()));
      stalled.add(stalled(vertx, Stalled.SOCKJS_WEBSOCKET, app.port()));
      stalled.add(stalled(vertx, Stalled.RAW, app.port()));
      int seq = feedUntilSlowClosed(vertx, healthy, BridgeTransport.RAW, 2, 0);
      seq = feedUntilSlowClosed(vertx, healthy, BridgeTransport.SOCKJS_WEBSOCKET, 1, seq);
      assertEquals(2, slowClosed(vertx, BridgeTransport.RAW), "both stalled raw clients were closed");
      // Four clients share 256 KiB: 64 KiB each, far under bridge.maxQueuedBytes (1 MiB).
      List<String> lines = log.containing(SLOW_LINE);
      assertTrue(!lines.isEmpty() && lines.stream().allMatch(line -> line.contains("of bridge.maxQueuedBytesTotal " + total
          + ", which the clients together passed")), "closed for the bound on all clients, not their own: " + lines);
      for (String line : lines) {
        Matcher waiting = Pattern.compile("\\((\\d+) bytes waiting").matcher(line);
        assertTrue(waiting.find() && Long.parseLong(waiting.group(1)) < 1024 * 1024, "closed before its own bound: " + line);
      }
      vertx.eventBus().publish(ADDRESS, new JsonObject().put("seq", ++seq).put("chunk", CHUNK));
      assertEquals(seq, healthy.awaitRec(ADDRESS).getInteger("seq"), "the healthy client still gets every message");
      // Nothing waits once the stalled clients are gone and the healthy one has read all: counted again within a second.
      long queued = -1;
      for (int i = 0; i < 100 && queued != 0; i++) {
        queued = bridge(vertx).getLong("queuedBytes");
        if (queued != 0) {
          vertx.timer(50).await(WAIT_SECONDS, TimeUnit.SECONDS);
        }
      }
      assertEquals(0, queued, "GET /api/bridge: nothing waits any more");
    } finally {
      for (AutoCloseable client : stalled) {
        client.close();
      }
    }
  }

  /**
   * Publishes bursts of 1 MiB from {@code seq} on, each read in full by {@code healthy} before the
   * next, so only stalled clients fall behind (the kernel's buffers take a few MiB, then the bound
   * of 1 MiB), until {@code closed} clients of {@code counted} were closed as too slow (at most 64
   * bursts); returns the last seq published.
   */
  private static int feedUntilSlowClosed(Vertx vertx, BridgeClient healthy, BridgeTransport counted, int closed, int seq)
    throws Exception {
    for (int burst = 0; burst < 64 && slowClosed(vertx, counted) < closed; burst++) {
      int first = seq + 1;
      for (int i = 0; i < 64; i++) {
        vertx.eventBus().publish(ADDRESS, new JsonObject().put("seq", ++seq).put("chunk", CHUNK));
      }
      for (int expected = first; expected <= seq; expected++) {
        assertEquals(expected, healthy.awaitRec(ADDRESS).getInteger("seq"), "the healthy client's next message");
      }
    }
    return seq;
  }

  private static int slowClosed(Vertx vertx, BridgeTransport counted) throws Exception {
    return bridge(vertx).getJsonObject("slowClosed").getInteger(counted.wireName());
  }
}
