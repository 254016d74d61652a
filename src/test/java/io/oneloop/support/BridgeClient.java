package io.oneloop.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A raw client of the event-bus bridge on {@code /eventbus/websocket}, as a browser's would be:
 * JSON frames in both directions, and a ping every few seconds so the bridge keeps the socket.
 */
public final class BridgeClient {

  private static final long PING_EVERY_MS = 4000;
  public static final long WAIT_SECONDS = 10;

  private final Vertx vertx;
  // Held for the socket's lifetime: a client that becomes unreachable is cleaned up, closing its sockets.
  private final WebSocketClient client;
  private final WebSocket socket;
  private final List<JsonObject> received = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final Promise<Void> closed = Promise.promise();
  private final long pingTimer;

  private record Waiter(Predicate<JsonObject> match, Promise<JsonObject> promise) {
  }

  private BridgeClient(Vertx vertx, WebSocketClient client, WebSocket socket) {
    this.vertx = vertx;
    this.client = client;
    this.socket = socket;
    socket.handler(buffer -> onFrame(buffer.toJsonObject()));
    socket.closeHandler(v -> closed.tryComplete());
    pingTimer = vertx.setPeriodic(PING_EVERY_MS, id -> {
      if (!socket.isClosed()) {
        socket.writeTextMessage("{\"type\":\"ping\"}");
      }
    });
  }

  public static BridgeClient connect(Vertx vertx, int port) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocket socket = client
      .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/eventbus/websocket"))
      .await(WAIT_SECONDS, TimeUnit.SECONDS);
    return new BridgeClient(vertx, client, socket);
  }

  public BridgeClient register(String address) {
    return write(new JsonObject().put("type", "register").put("address", address));
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
    String replyAddress = java.util.UUID.randomUUID().toString();
    Future<JsonObject> reply = next(frame -> replyAddress.equals(frame.getString("address")));
    send(address, body, replyAddress);
    return reply.await(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  public BridgeClient write(JsonObject frame) {
    socket.writeTextMessage(frame.encode());
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
    return await(frame -> "rec".equals(frame.getString("type")) && address.equals(frame.getString("address")))
      .getJsonObject("body");
  }

  /** Frames received and not yet taken, for asserting what did not arrive. */
  public synchronized List<JsonObject> backlog() {
    return new ArrayList<>(received);
  }

  public Future<Void> closed() {
    return closed.future();
  }

  public void close() {
    vertx.cancelTimer(pingTimer);
    client.close();
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
}
