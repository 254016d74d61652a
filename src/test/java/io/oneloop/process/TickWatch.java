package io.oneloop.process;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A well-behaved raw bridge client on the ticker that notes when each tick arrives. */
final class TickWatch implements AutoCloseable {

  private final Vertx vertx;
  private final WebSocketClient client;
  private final WebSocket socket;
  private final long pingTimer;
  private final AtomicLong lastTick = new AtomicLong();
  private final AtomicLong largestGap = new AtomicLong();
  private final AtomicInteger count = new AtomicInteger();
  private volatile boolean measuring;
  private volatile boolean closed;
  /** What the load was doing when the largest gap ended. */
  volatile String phase = "";
  volatile String largestGapPhase = "";

  private TickWatch(Vertx vertx, WebSocketClient client, WebSocket socket) {
    this.vertx = vertx;
    this.client = client;
    this.socket = socket;
    socket.binaryMessageHandler(data -> onFrame(new JsonObject(data)));
    socket.textMessageHandler(text -> onFrame(new JsonObject(text)));
    socket.closeHandler(v -> closed = true);
    this.pingTimer = vertx.setPeriodic(4000, id -> socket.writeTextMessage("{\"type\":\"ping\"}"));
  }

  static TickWatch start(Vertx vertx, int port) throws Exception {
    return start(vertx, port, null);
  }

  /** Registers on {@code oneloop.ticker} on the raw path, with {@code token} in the URL when not null. */
  static TickWatch start(Vertx vertx, int port, String token) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    String uri = "/eventbus/websocket" + (token == null ? "" : "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
    WebSocket socket = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri))
      .await(10, TimeUnit.SECONDS);
    TickWatch watch = new TickWatch(vertx, client, socket);
    socket.writeTextMessage("{\"type\":\"register\",\"address\":\"oneloop.ticker\"}");
    watch.awaitTicks(2);
    return watch;
  }

  private void onFrame(JsonObject frame) {
    if (!"rec".equals(frame.getString("type"))) {
      return;
    }
    long now = System.nanoTime();
    long previous = lastTick.getAndSet(now);
    long gap = TimeUnit.NANOSECONDS.toMillis(now - previous);
    if (measuring && previous != 0 && gap > largestGap.get()) {
      largestGap.set(gap);
      largestGapPhase = phase;
    }
    count.incrementAndGet();
  }

  /** Whether the server closed this watcher's socket. */
  boolean closed() {
    return closed;
  }

  void beginMeasuring() {
    largestGap.set(0);
    measuring = true;
  }

  /** The largest gap between two ticks while measuring, the time since the last tick included. */
  long endMeasuring() {
    measuring = false;
    long sinceLast = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastTick.get());
    return Math.max(largestGap.get(), sinceLast);
  }

  /** Waits (bounded) until {@code n} more ticks have come. */
  void awaitTicks(int n) throws InterruptedException {
    assertTrue(awaitTicks(n, 10_000), "ticks keep coming");
  }

  /** Waits until {@code n} more ticks have come or {@code timeoutMs} passed; whether they came. */
  boolean awaitTicks(int n, long timeoutMs) throws InterruptedException {
    int target = count.get() + n;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (count.get() < target && System.nanoTime() < deadline) {
      synchronized (this) {
        wait(50);
      }
    }
    return count.get() >= target;
  }

  @Override
  public void close() {
    vertx.cancelTimer(pingTimer);
    socket.close();
    client.close();
  }
}
