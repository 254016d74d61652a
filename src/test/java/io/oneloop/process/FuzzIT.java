package io.oneloop.process;

import io.oneloop.support.AppProcess;
import io.oneloop.testkit.SockJsFrames;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * More than 10,000 generated hostile inputs against the running jar, over HTTP and over the raw and
 * SockJS bridge paths: the process never exits, nothing answers 5xx but the documented 503, the
 * ticker never misses a beat for a client watching it, and the heap comes back after a GC.
 * The seed is {@code -Dfuzz.seed} (printed; the default is fixed, so runs repeat).
 */
@DisplayName("Fuzzing the running server")
class FuzzIT {

  private static final long TICK_MS = 500;
  private static final int HTTP_INPUTS = 6000;
  private static final int RAW_FRAMES = 2500;
  private static final int SOCKJS_FRAMES = 2500;
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

  private static AppProcess app;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    JsonObject config = new JsonObject()
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", AppProcess.freePort()).put("requestTimeoutMs", 2000))
      .put("shutdownTimeoutMs", 5000)
      .put("jobs", new JsonObject().put("retain", 10))
      // Frames are to be read, not rate limited: the fuzz sends them as fast as it can.
      .put("bridge", new JsonObject().put("maxInboundPerSecond", 1_000_000))
      .put("tasks", new JsonArray().add(new JsonObject().put("name", "ticker").put("type", "ticker")
        .put("config", new JsonObject().put("intervalMs", TICK_MS))));
    app = AppProcess.serve("fuzz-it", config);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      vertx.close();
    }
    if (app != null) {
      app.close();
    }
  }

  @Test
  @DisplayName("10,000 malformed requests and frames: no exit, no 5xx but 503, no missed tick, no heap growth")
  void fuzz() throws Exception {
    long seed = Long.getLong("fuzz.seed", 20261201L);
    System.out.println("FuzzIT seed " + seed + " (repeat with -Dfuzz.seed=" + seed + ")");
    MalformedInputs inputs = new MalformedInputs(seed);
    TickWatch ticks = TickWatch.start(vertx, app.port());
    // A first round of each kind, so what the server keeps for good once used (class data, caches,
    // the chat history, the kept job records) is in the heap before it is measured.
    List<String> serverErrors = Collections.synchronizedList(new ArrayList<>());
    int warmUp = fuzzHttp(new MalformedInputs(seed + 1), serverErrors, 500)
      + fuzzFrames(new MalformedInputs(seed + 2), "/eventbus/websocket", 300, false)
      + fuzzFrames(new MalformedInputs(seed + 3), null, 300, true);
    long heapBefore = heapAfterGc();

    ticks.beginMeasuring();
    ticks.phase = "HTTP";
    int http = fuzzHttp(inputs, serverErrors, HTTP_INPUTS);
    ticks.phase = "raw frames";
    int raw = fuzzFrames(inputs, "/eventbus/websocket", RAW_FRAMES, false);
    ticks.phase = "SockJS frames";
    int sockJs = fuzzFrames(inputs, null, SOCKJS_FRAMES, true);
    long largestGap = ticks.endMeasuring();

    // Sessions and sockets the fuzz left open are closed by now; what stays is what leaked.
    long heapAfter = heapAfterGc();
    for (int i = 0; i < 20 && heapAfter > heapBefore * 1.10; i++) {
      ticks.awaitTicks(4);
      heapAfter = heapAfterGc();
    }
    int tried = http + raw + sockJs;
    System.out.printf("FuzzIT: %d inputs tried (%d HTTP, %d raw frames, %d SockJS frames; %d more to warm up); largest tick gap %d ms (interval %d ms, during %s);"
      + " heap after GC %d KiB before, %d KiB after%n", tried, http, raw, sockJs, warmUp, largestGap, TICK_MS, ticks.largestGapPhase, heapBefore / 1024, heapAfter / 1024);

    assertTrue(app.alive(), "the process is still running");
    assertTrue(tried >= 10_000, "tried " + tried);
    assertEquals(List.of(), serverErrors, "no 5xx but 503");
    assertTrue(largestGap <= 2 * TICK_MS, "largest tick gap " + largestGap + " ms");
    assertTrue(heapAfter <= heapBefore * 1.10, "heap " + heapBefore + " -> " + heapAfter + " bytes");
    String log = app.output();
    assertFalse(log.contains("Unexpected error"), "no input reached the net for bugs");
    assertFalse(log.contains("Unhandled exception"), "every failure had a handler");
    assertFalse(log.contains("exiting with code"), "the app did not stop");
    ticks.close();
  }

  /** Each request on its own connection, four at a time; answers 5xx other than 503 are collected. */
  private int fuzzHttp(MalformedInputs inputs, List<String> serverErrors, int count) throws Exception {
    List<byte[]> requests = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      requests.add(inputs.httpRequest(app.port()));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (byte[] request : requests) {
        done.add(pool.submit(() -> {
          // A streaming answer (SockJS's) does not end by itself: its head, read within the time-out, is what counts.
          String response = AbuseSuite.exchange(app.port(), request, 5000);
          int status = response.startsWith("HTTP/1.") && response.length() >= 12 ? Integer.parseInt(response.substring(9, 12)) : -1;
          if (status >= 500 && status != 503) {
            String head = new String(request, 0, Math.min(request.length, 300), StandardCharsets.ISO_8859_1);
            serverErrors.add(status + " for " + head.replace("\r\n", " | ") + " => "
              + response.substring(0, Math.min(response.length(), 300)));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return requests.size();
  }

  /** Frames on one socket at a time, a new one (a new SockJS session) whenever the server closed the last. */
  private int fuzzFrames(MalformedInputs inputs, String path, int count, boolean sockJs) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocket socket = null;
    for (int i = 0; i < count; i++) {
      if (socket == null || socket.isClosed()) {
        String uri = sockJs ? SockJsFrames.websocketPath("/eventbus") : path;
        socket = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(app.port()).setURI(uri))
          .await(10, TimeUnit.SECONDS);
      }
      String frame = sockJs ? inputs.sockJsFrame() : inputs.frame();
      try {
        if (!sockJs && i % 10 == 0) {
          socket.writeBinaryMessage(Buffer.buffer(inputs.bytes(i % 300))).await(10, TimeUnit.SECONDS);
        } else {
          socket.writeTextMessage(frame).await(10, TimeUnit.SECONDS);
        }
      } catch (Exception e) {
        // The server closed this socket (a frame it refuses to read on): the next input opens another.
        socket = null;
      }
    }
    client.close();
    return count;
  }

  /** The server's heap in use right after a full GC, from {@code jcmd}. */
  private static long heapAfterGc() throws Exception {
    jcmd("GC.run");
    Matcher used = HEAP_USED.matcher(jcmd("GC.heap_info"));
    assertTrue(used.find(), "jcmd GC.heap_info names the heap in use");
    return Long.parseLong(used.group(1)) * 1024;
  }

  private static String jcmd(String command) throws Exception {
    Process jcmd = new ProcessBuilder("jcmd", Long.toString(app.pid()), command).redirectErrorStream(true).start();
    String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(jcmd.waitFor(30, TimeUnit.SECONDS), "jcmd " + command + " finished");
    return output;
  }
}
