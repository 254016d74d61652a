package io.oneloop.testkit;

import io.oneloop.testkit.SockJsFrames.Close;
import io.oneloop.testkit.SockJsFrames.Frame;
import io.oneloop.testkit.SockJsFrames.Heartbeat;
import io.oneloop.testkit.SockJsFrames.Messages;
import io.oneloop.testkit.SockJsFrames.Open;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A client of the event-bus bridge over one {@link Transport}, as a browser's would be: JSON
 * frames in both directions, and a ping every few seconds so the bridge keeps the socket. Frames
 * that arrive before a test waits for them are kept, so a wait never misses one that came early.
 * <p>
 * From a test: {@code BridgeClient.connect(vertx, port)} (raw WebSocket) or
 * {@code connect(vertx, port, Transport.SOCKJS)}, then {@link #register}, {@link #publish},
 * {@link #send}, {@link #request} and {@link #awaitMessage(String, Duration)}; {@link #close()} at the end.
 */
public final class BridgeClient {

  private static final long PING_EVERY_MS = 4000;
  public static final long WAIT_SECONDS = 10;

  /** How the connection ended: SockJS's close frame, or else the WebSocket's close status (null if none came). */
  public record Closed(Integer code, String reason) {
  }

  private final Vertx vertx;
  private final Transport transport;
  // Held for the socket's lifetime: a client that becomes unreachable is cleaned up, closing its sockets.
  private final WebSocketClient client;
  private final ClientWebSocket socket;
  private final List<JsonObject> received = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final Promise<Void> opened = Promise.promise();
  private final Promise<Closed> closed = Promise.promise();
  /** Set once connected, then read on the event loop as the socket closes. */
  private volatile long pingTimer = -1;
  private Close sockJsClose;
  private int heartbeats;

  private record Waiter(Predicate<JsonObject> match, Promise<JsonObject> promise) {
  }

  /**
   * The handlers go on before the connection exists: SockJS's {@code o} can arrive with the
   * handshake's answer, and a WebSocket drops what comes before it has a handler.
   */
  private BridgeClient(Vertx vertx, Transport transport, WebSocketClient client) {
    this.vertx = vertx;
    this.transport = transport;
    this.client = client;
    this.socket = client.webSocket();
    // Vert.x's bridges send binary messages on the raw path and SockJS sends text: read both alike.
    socket.textMessageHandler(this::onMessage);
    socket.binaryMessageHandler(data -> onMessage(data.toString(StandardCharsets.UTF_8)));
    socket.closeHandler(v -> onClose());
    if (transport == Transport.RAW) {
      opened.complete();
    }
  }

  private void startPinging() {
    pingTimer = vertx.setPeriodic(PING_EVERY_MS, id -> {
      if (socket.isClosed()) {
        vertx.cancelTimer(id); // closed before the timer was set, so its close could not cancel it
      } else {
        socket.writeTextMessage(transport.wrap("{\"type\":\"ping\"}"));
      }
    });
  }

  /** A raw WebSocket client. */
  public static BridgeClient connect(Vertx vertx, int port) throws Exception {
    return connect(vertx, port, Transport.RAW);
  }

  /** Connects over {@code transport} and returns once the bridge can take frames (for SockJS: once the session is open). */
  public static BridgeClient connect(Vertx vertx, int port, Transport transport) throws Exception {
    return connect(vertx, port, transport, null, Map.of());
  }

  /**
   * As {@link #connect(Vertx, int, Transport)}, with a query string on the bridge URL (e.g.
   * {@code token=...}) and extra handshake headers (e.g. {@code Origin}); a refused handshake
   * fails with Vert.x's {@code UpgradeRejectedException}, which holds the status.
   */
  public static BridgeClient connect(Vertx vertx, int port, Transport transport, String query, Map<String, String> headers)
    throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
      .setURI(transport.path() + (query == null ? "" : "?" + query));
    headers.forEach(options::addHeader);
    BridgeClient bridge = new BridgeClient(vertx, transport, client);
    try {
      bridge.socket.connect(options).await(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      client.close();
      throw e;
    }
    bridge.startPinging();
    bridge.opened.future().await(WAIT_SECONDS, TimeUnit.SECONDS);
    return bridge;
  }

  public Transport transport() {
    return transport;
  }

  public BridgeClient register(String address) {
    return write(new JsonObject().put("type", "register").put("address", address));
  }

  /** A register whose headers ride in the frame, as the official client's {@code registerHandler(address, headers, cb)} sends them. */
  public BridgeClient register(String address, JsonObject headers) {
    return write(new JsonObject().put("type", "register").put("address", address).put("headers", headers));
  }

  public BridgeClient unregister(String address) {
    return write(new JsonObject().put("type", "unregister").put("address", address));
  }

  public BridgeClient send(String address, Object body, String replyAddress) {
    JsonObject frame = new JsonObject().put("type", "send").put("address", address).put("body", body);
    if (replyAddress != null) {
      frame.put("replyAddress", replyAddress);
    }
    return write(frame);
  }

  public BridgeClient publish(String address, Object body) {
    return write(new JsonObject().put("type", "publish").put("address", address).put("body", body));
  }

  /** Sends with a reply address and waits for the frame addressed to it (a reply or an error). */
  public JsonObject request(String address, Object body) throws Exception {
    // The bridge refuses reply addresses longer than 36 characters: a bare UUID fits.
    String replyAddress = UUID.randomUUID().toString();
    Future<JsonObject> reply = next(frame -> replyAddress.equals(frame.getString("address")));
    send(address, body, replyAddress);
    return reply.await(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  public BridgeClient write(JsonObject frame) {
    return writeText(frame.encode());
  }

  /** Sends {@code text} as one bridge frame, whatever it holds, in the transport's framing. */
  public BridgeClient writeText(String text) {
    socket.writeTextMessage(transport.wrap(text));
    return this;
  }

  /** The first frame, received from now on or already, that matches; removed from the backlog. */
  public synchronized Future<JsonObject> next(Predicate<JsonObject> match) {
    for (Iterator<JsonObject> it = received.iterator(); it.hasNext(); ) {
      JsonObject frame = it.next();
      if (match.test(frame)) {
        it.remove();
        return Future.succeededFuture(frame);
      }
    }
    Promise<JsonObject> promise = Promise.promise();
    waiters.add(new Waiter(match, promise));
    return promise.future();
  }

  /** Waits for the next matching frame. */
  public JsonObject await(Predicate<JsonObject> match) throws Exception {
    return next(match).await(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** Waits for the next message delivered on {@code address}; returns its body. */
  public JsonObject awaitRec(String address) throws Exception {
    return await(isRec(address)).getJsonObject("body");
  }

  /**
   * Waits up to {@code timeout} for the next message delivered on {@code address} (register for it
   * first, and the address must be in {@code bridge.outbound}); returns its body, whatever its type.
   */
  public Object awaitMessage(String address, Duration timeout) throws Exception {
    return next(isRec(address)).await(timeout.toMillis(), TimeUnit.MILLISECONDS).getValue("body");
  }

  /** Waits for the next error frame; returns its body, e.g. {@code "access_denied"}. */
  public String awaitErr() throws Exception {
    return await(isErr()).getString("body");
  }

  /** Frames received and not yet taken, for asserting what did not arrive. */
  public synchronized List<JsonObject> backlog() {
    return new ArrayList<>(received);
  }

  /** Takes every frame received and not yet taken. */
  public synchronized List<JsonObject> takeBacklog() {
    List<JsonObject> frames = new ArrayList<>(received);
    received.clear();
    return frames;
  }

  /** SockJS heartbeat frames received so far. */
  public synchronized int heartbeats() {
    return heartbeats;
  }

  public Future<Closed> closed() {
    return closed.future();
  }

  public void close() {
    vertx.cancelTimer(pingTimer);
    client.close();
  }

  private void onMessage(String text) {
    if (transport == Transport.RAW) {
      onFrame(new JsonObject(text));
      return;
    }
    Frame frame = SockJsFrames.parse(text);
    if (frame instanceof Open) {
      opened.tryComplete();
    } else if (frame instanceof Heartbeat) {
      countHeartbeat();
    } else if (frame instanceof Messages messages) {
      messages.messages().forEach(message -> onFrame(new JsonObject(message)));
    } else if (frame instanceof Close close) {
      sockJsClose = close;
    }
  }

  private synchronized void countHeartbeat() {
    heartbeats++;
  }

  private void onClose() {
    vertx.cancelTimer(pingTimer);
    Closed how = sockJsClose != null
      ? new Closed(sockJsClose.code(), sockJsClose.reason())
      : new Closed(socket.closeStatusCode() == null ? null : socket.closeStatusCode().intValue(), socket.closeReason());
    opened.tryFail("the server closed the connection before the SockJS session opened: " + how);
    closed.tryComplete(how);
  }

  private synchronized void onFrame(JsonObject frame) {
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter waiter = it.next();
      if (waiter.match.test(frame)) {
        it.remove();
        waiter.promise.complete(frame);
        return;
      }
    }
    received.add(frame);
  }

  public static Predicate<JsonObject> isErr() {
    return frame -> "err".equals(frame.getString("type"));
  }

  /** A message delivered on {@code address}: not a presence event, which is no message of the address. */
  public static Predicate<JsonObject> isRec(String address) {
    return frame -> "rec".equals(frame.getString("type")) && address.equals(frame.getString("address"))
      && (frame.getJsonObject("headers") == null || !frame.getJsonObject("headers").containsKey(PRESENCE_HEADER));
  }

  /** A presence event on {@code address}: {@code kind} is {@code join} or {@code leave}. */
  public static Predicate<JsonObject> isPresence(String address, String kind) {
    return frame -> "rec".equals(frame.getString("type")) && address.equals(frame.getString("address"))
      && frame.getJsonObject("headers") != null && kind.equals(frame.getJsonObject("headers").getString(PRESENCE_HEADER));
  }

  private static final String PRESENCE_HEADER = "oneloop.presence";
}
