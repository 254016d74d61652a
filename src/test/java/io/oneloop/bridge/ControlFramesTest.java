package io.oneloop.bridge;

import io.oneloop.Addresses;
import io.oneloop.logging.Unexpected;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.LogCapture;
import io.oneloop.support.RawSocket;
import io.oneloop.testkit.SockJsFrames;
import io.oneloop.support.TestApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static io.oneloop.support.TestApp.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Everything a WebSocket client sends counts, control frames and fragments too: a client that
 * floods pings and never reads is reset before its pongs fill the heap, a refused socket is not read
 * at all, fragments cannot make the server log, and every oversize message is closed with 1009.
 */
@ExtendWith(VertxExtension.class)
class ControlFramesTest {

  /** Far more pongs than bridge.maxQueuedBytes (1 MiB) can hold: 127 bytes each. */
  private static final int MAX_PINGS = 400_000;
  private static final long FLOOD_SECONDS = 30;

  enum Path {
    RAW(Transport.RAW.path()),
    SOCKJS_WEBSOCKET(Transport.SOCKJS.path());

    final String path;

    Path(String path) {
      this.path = path;
    }
  }

  /**
   * Sends pings with 125 bytes of payload as fast as it can without ever reading, until the server
   * ends the connection (a write fails) or {@code MAX_PINGS} went out; returns how many went out
   * before the end, or -1 if the server never ended it.
   */
  private static int pingFlood(RawSocket socket) throws Exception {
    ExecutorService sender = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> sent = sender.submit(() -> {
        OutputStream out = socket.socket().getOutputStream();
        byte[] frame = maskedPing();
        for (int i = 0; i < MAX_PINGS; i++) {
          try {
            out.write(frame);
          } catch (IOException e) {
            return i;
          }
        }
        return -1;
      });
      try {
        return sent.get(FLOOD_SECONDS, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // A server that stopped reading without ending the connection blocks the writes: not ended.
        socket.close();
        return -1;
      }
    } finally {
      sender.shutdownNow();
    }
  }

  private static byte[] maskedPing() {
    byte[] frame = new byte[2 + 4 + 125];
    frame[0] = (byte) 0x89;
    frame[1] = (byte) (0x80 | 125);
    ThreadLocalRandom.current().nextBytes(frame);
    frame[0] = (byte) 0x89;
    frame[1] = (byte) (0x80 | 125);
    return frame;
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static int sockets(Vertx vertx, String transport) throws Exception {
    return vertx.eventBus().<JsonObject>request(Addresses.BRIDGE_SOCKETS, null).await(BridgeClient.WAIT_SECONDS, TimeUnit.SECONDS)
      .body().getJsonObject("sockets").getInteger(transport);
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Path.class)
  @DisplayName("a client that floods pings and never reads is reset once its pongs pass bridge.maxQueuedBytes; the heap comes back and a watcher keeps its feed")
  void pingFloodIsReset(Path path, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config().put("bridge", new JsonObject()
      .put("outbound", new JsonArray().add(new JsonObject().put("address", "feed.watch")))));
    BridgeClient watcher = BridgeClient.connect(vertx, app.port(), Transport.RAW).register("feed.watch");
    long before = heapAfterGc();
    int sent;
    try (RawSocket flooder = RawSocket.connect(app.port(), path.path, 4096)) {
      sent = pingFlood(flooder);
    }
    long after = heapAfterGc();
    assertTrue(sent > 0, "the server ended the flooding connection (" + (sent < 0 ? "it never did, after " + MAX_PINGS + " pings" : sent + " pings") + ")");
    assertTrue(after <= before + 32L * 1024 * 1024, "heap after GC " + before / 1024 + " KiB before, " + after / 1024 + " KiB after");
    vertx.eventBus().publish("feed.watch", new JsonObject().put("n", 1));
    assertEquals(1, watcher.awaitRec("feed.watch").getInteger("n"), "the watcher is still served");
  }

  @Test
  @DisplayName("a client that floods pings while it reads is closed after bridge.floodCloseMs, its pings charged to bridge.maxInboundPerSecond")
  void readingPingFloodIsClosed(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config().put("bridge", new JsonObject().put("maxInboundPerSecond", 10).put("floodCloseMs", 500)));
    try (RawSocket flooder = RawSocket.connect(app.port(), Transport.RAW.path(), 64 * 1024)) {
      ExecutorService reader = Executors.newSingleThreadExecutor();
      try {
        long start = System.nanoTime();
        Future<List<RawSocket.Frame>> frames = reader.submit(() -> flooder.readUntilClose(20_000));
        byte[] payload = new byte[8];
        boolean ended = false;
        // Pings until the server ends the connection, for 15 s at most: the flood must outlast bridge.floodCloseMs.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (int i = 0; i < 10_000_000 && !ended && System.nanoTime() < until; i++) {
          try {
            flooder.sendPing(payload);
          } catch (IOException e) {
            ended = true;
          }
          if (i % 100 == 0 && frames.isDone()) {
            ended = true;
          }
        }
        List<RawSocket.Frame> got = frames.get(30, TimeUnit.SECONDS);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        // Reset well before the bridge's 10 s ping timeout would have closed it politely.
        assertTrue(seconds < 8, "the connection ended after " + seconds + " s");
        assertTrue(got.stream().noneMatch(f -> f.opcode() == 0x8), "reset, not closed by the ping timeout");
        assertTrue(got.stream().noneMatch(f -> f.opcode() == 0x1 || f.opcode() == 0x2),
          "nothing but pongs and the close is sent back (no err frame per ping): " + got.size() + " frames");
      } finally {
        reader.shutdownNow();
      }
    }
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(BridgeClient.WAIT_SECONDS))
      .until(() -> sockets(vertx, "raw") == 0);
  }

  @Test
  @DisplayName("with auth on, a SockJS socket without a token gets o and c[4401] and is not read: its ping flood ends with the connection")
  void refusedSocketIsNotRead(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config().put("auth", new JsonObject().put("tokens", new JsonArray()
      .add(new JsonObject().put("name", "ops").put("role", "admin").put("token", "a-long-enough-admin-token-0123456789")))));
    long before = heapAfterGc();
    try (RawSocket refused = RawSocket.connect(app.port(), Transport.SOCKJS.path(), 4096)) {
      int sent = pingFlood(refused);
      assertTrue(sent >= 0, "the server ended the refused connection");
    }
    try (RawSocket refused = RawSocket.connect(app.port(), Transport.SOCKJS.path(), 4096)) {
      List<RawSocket.Frame> frames = refused.readUntilClose(10_000);
      assertTrue(frames.size() >= 2, "frames: " + frames.size());
      assertEquals("o", frames.get(0).text());
      assertEquals("c[4401,\"unauthorized\"]", frames.get(1).text());
    }
    long after = heapAfterGc();
    assertTrue(after <= before + 32L * 1024 * 1024, "heap after GC " + before / 1024 + " KiB before, " + after / 1024 + " KiB after");
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Path.class)
  @DisplayName("an empty first fragment and a thousand small frames after it log nothing at ERROR, and a fragmented register still works")
  void fragmentsDoNotLog(Path path, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config().put("bridge", new JsonObject().put("maxInboundPerSecond", 1_000_000)
      .put("outbound", new JsonArray().add(new JsonObject().put("address", "feed.frag")))));
    try (LogCapture unexpected = LogCapture.of(Unexpected.class);
         RawSocket client = RawSocket.connect(app.port(), path.path, 1024 * 1024)) {
      client.sendFragment(0x1, false, new byte[0]);
      client.sendFragment(0x0, true, new byte[0]);
      // The smallest frames each path takes without closing: a byte that is not JSON, SockJS's empty array.
      byte[] small = path == Path.RAW ? new byte[] {'x'} : new byte[] {'[', ']'};
      for (int i = 0; i < 1000; i++) {
        client.sendFragment(0x1, true, small);
      }
      String register = new JsonObject().put("type", "register").put("address", "feed.frag").encode();
      byte[] whole = (path == Path.RAW ? register : SockJsFrames.encode(register)).getBytes(StandardCharsets.UTF_8);
      int third = whole.length / 3;
      client.sendFragment(0x1, false, java.util.Arrays.copyOfRange(whole, 0, third));
      client.sendFragment(0x0, false, java.util.Arrays.copyOfRange(whole, third, 2 * third));
      client.sendFragment(0x0, true, java.util.Arrays.copyOfRange(whole, 2 * third, whole.length));
      // The register is in once a message published now reaches the client.
      String seen = "";
      for (int i = 0; i < 100 && !seen.contains("feed.frag"); i++) {
        vertx.eventBus().publish("feed.frag", new JsonObject().put("n", 7));
        seen = readSome(client, 200);
      }
      assertTrue(seen.contains("feed.frag"), "the fragmented register took effect");
      assertEquals(List.of(), unexpected.lines(), "nothing logged as an unexpected error");
    }
  }

  /** What the server sent within {@code ms}, as text. */
  private static String readSome(RawSocket client, int ms) throws IOException {
    client.socket().setSoTimeout(ms);
    byte[] buffer = new byte[64 * 1024];
    StringBuilder text = new StringBuilder();
    try {
      int n = client.socket().getInputStream().read(buffer);
      if (n > 0) {
        text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
      }
    } catch (java.net.SocketTimeoutException e) {
      // nothing yet
    }
    return text.toString();
  }

  enum Oversize {
    FRAGMENTED, SINGLE_FRAME
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Oversize.class)
  @DisplayName("a message over bridge.maxMessageBytes is closed with 1009 on both WebSocket paths, fragmented or in one frame of any size")
  void oversizeIsClosedWith1009(Oversize kind, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config());
    for (Path path : Path.values()) {
      for (int size : new int[] {100 * 1024, 300 * 1024, 2 * 1024 * 1024}) {
        try (RawSocket client = RawSocket.connect(app.port(), path.path, 1024 * 1024)) {
          ExecutorService reader = Executors.newSingleThreadExecutor();
          try {
            Future<List<RawSocket.Frame>> frames = reader.submit(() -> client.readUntilClose(20_000));
            // A bridge frame too large, in each path's framing (SockJS: a JSON array of one string).
            String frame = new JsonObject().put("type", "publish").put("address", "a").put("body", "y".repeat(size)).encode();
            byte[] body = (path == Path.RAW ? frame : SockJsFrames.encode(frame)).getBytes(StandardCharsets.UTF_8);
            try {
              if (kind == Oversize.SINGLE_FRAME) {
                client.sendFragment(0x1, true, body);
              } else {
                int chunk = 16 * 1024;
                for (int at = 0; at < body.length; at += chunk) {
                  int end = Math.min(body.length, at + chunk);
                  client.sendFragment(at == 0 ? 0x1 : 0x0, end == body.length, java.util.Arrays.copyOfRange(body, at, end));
                }
              }
            } catch (IOException e) {
              // the server may end the connection while the rest is still being sent
            }
            List<RawSocket.Frame> got = frames.get(30, TimeUnit.SECONDS);
            RawSocket.Frame last = got.isEmpty() ? null : got.get(got.size() - 1);
            // SockJS carries the code in its own close frame, c[1009,"..."], unless the WebSocket frame itself was refused.
            boolean sockJsClose = got.stream().anyMatch(f -> f.opcode() == 0x1 && f.text().startsWith("c[1009,"));
            assertTrue(last != null && last.opcode() == 0x8 && (last.closeCode() == 1009 || sockJsClose),
              path + ", " + size + " bytes: closed with 1009, got " + (last == null ? "nothing" : "opcode " + last.opcode() + " code " + last.closeCode()));
          } finally {
            reader.shutdownNow();
          }
        }
      }
    }
  }
}
