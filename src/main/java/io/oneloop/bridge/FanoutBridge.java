package io.oneloop.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The event-bus bridge engine behind every transport (raw WebSocket, SockJS over WebSocket, SockJS's
 * HTTP fallbacks): the same JSON frames, permissions, errors and limits as Vert.x's bridge, built
 * for fan-out. A published message costs one event-bus delivery and at most one encoding per wire
 * format per address, not per client ({@link Topic}); each client ({@link Session}) is flushed once
 * per event-loop turn however many messages it got in it ({@link Hub}), and a client that lets more
 * than {@code bridge.maxQueuedBytes} wait is closed rather than buffered for without bound. The wire
 * code lives in the {@link Wire}s. Addresses with history get their messages numbered from the
 * process's {@link HistoryStore}, and a register with {@code oneloop.since} is answered with a
 * {@link Replay} first.
 * <p>
 * One engine per HTTP server instance; it and all its clients live on that instance's event loop.
 * It knows nothing of the app around it: its {@link BridgeOptions}, an {@link Admission} per socket,
 * and a {@link BridgeListener} for what it reports.
 */
public final class FanoutBridge {

  /** The engine's one logger, whichever of its classes writes the line. */
  static final Logger log = LoggerFactory.getLogger(FanoutBridge.class);

  // The same limits as Vert.x's bridge defaults, so clients see the same behaviour on both paths.
  static final int MAX_ADDRESS_LENGTH = 200;
  static final int MAX_HANDLERS_PER_SOCKET = 1000;
  static final long REPLY_TIMEOUT_MS = 30_000;
  /** The vertx-eventbus.js client's reply addresses are UUIDs: 36 characters. */
  static final int MAX_REPLY_ADDRESS_LENGTH = 36;
  /** Requests one client may hold unanswered; one more fails its sender at once. */
  static final int MAX_PENDING_REPLIES_PER_SOCKET = 1000;
  /** Vert.x's reply addresses, numbered in sequence: a client never sees one, nor may send to one. */
  static final String VERTX_REPLY_PREFIX = "__vertx.reply.";
  /** The close code for a client whose token expired, as SockJS sessions get for a refused one. */
  public static final int TOKEN_EXPIRED = 4401;
  /** The close code for a socket an administrator disconnected: clients do not reconnect after it. */
  public static final int DISCONNECTED = 4403;

  /**
   * The bridge's clocks: a client that sends no ping for {@code pingTimeoutMs} is closed (10 s, as
   * Vert.x's bridge), and SockJS WebSocket sessions get a heartbeat every {@code heartbeatIntervalMs}.
   */
  public record Timing(long pingTimeoutMs, long heartbeatIntervalMs) {

    /** Vert.x's bridge ping timeout and the SockJS handler's own heartbeat interval. */
    public static Timing of(SockJSHandlerOptions sockJs) {
      return new Timing(10_000, sockJs.getHeartbeatInterval());
    }
  }

  private final Hub hub;
  private final long heartbeatTimer;
  private final long recountTimer;

  /** Called on the event loop that will run it: no history, and nothing reported. */
  public FanoutBridge(Vertx vertx, BridgeOptions options, Timing timing, BridgeSockets.Counts counts) {
    this(vertx, options, timing, counts, History.none(vertx), BridgeListener.NOOP);
  }

  /**
   * Called on the event loop that will run it (an HTTP server instance's start).
   *
   * @param history the process's history, shared by every engine
   * @param listener what the engine reports to (the app's metrics)
   */
  public FanoutBridge(Vertx vertx, BridgeOptions options, Timing timing, BridgeSockets.Counts counts, HistoryStore history,
                      BridgeListener listener) {
    this(vertx, options, timing, counts, history, Presence.none(vertx), listener);
  }

  /**
   * Called on the event loop that will run it (an HTTP server instance's start).
   *
   * @param history the process's history, shared by every engine
   * @param presence the process's presence, shared by every engine
   * @param listener what the engine reports to (the app's metrics)
   */
  public FanoutBridge(Vertx vertx, BridgeOptions options, Timing timing, BridgeSockets.Counts counts, HistoryStore history,
                      Presence presence, BridgeListener listener) {
    this.hub = new Hub(vertx, options, timing.pingTimeoutMs(), counts, history, presence, listener);
    this.heartbeatTimer = vertx.setPeriodic(timing.heartbeatIntervalMs(),
      id -> List.copyOf(hub.sessions).forEach(s -> s.wire.heartbeat()));
    this.recountTimer = vertx.setPeriodic(QueueBudget.RECOUNT_MS, id -> hub.budget.recount(hub.sessions));
  }

  /** The SockJS close code for a session the authorizer refused at connect. */
  public static final int FORBIDDEN = 4403;

  /** Whether {@code bridge.authorizer} is set: connects are then asked about before the socket opens. */
  public boolean authorizes() {
    return hub.authorizer != null;
  }

  /**
   * Asks the authorizer whether a socket for {@code user} (null: anonymous) may connect on
   * {@code transport}, with the handshake's {@code headers}: true without an authorizer. Called on
   * this engine's event loop; the future never fails and completes there.
   */
  public Future<Boolean> authorizeConnect(BridgeTransport transport, String user, MultiMap headers) {
    if (hub.authorizer == null) {
      return Future.succeededFuture(true);
    }
    return Authorization.ask(hub.vertx, hub.context, hub.authorizer, hub.authorizerTimeoutMs, hub.listener,
      new AuthRequest(AuthRequest.Action.CONNECT, user, null, transport, headers));
  }

  /** Takes a WebSocket just accepted on one of the bridge's paths, anonymous. */
  public void accept(BridgeTransport transport, ServerWebSocket ws) {
    accept(transport, ws, null, () -> { });
  }

  /**
   * Takes a WebSocket just accepted on one of the bridge's paths, as {@code admission} says (null:
   * anonymous, with the engine's permissions): its user marks what the client sends, its
   * permissions say what it may do, and the client is closed when it expires. {@code onRelease}
   * runs once when it ends.
   */
  public void accept(BridgeTransport transport, ServerWebSocket ws, Admission admission, Runnable onRelease) {
    BridgeLimits limits = hub.limits;
    switch (transport) {
      case RAW -> new Session(hub, listener -> new RawWebSocketWire(ws, listener, limits.maxMessageBytes(), limits.closeTimeoutMs()),
        admission, onRelease);
      case SOCKJS_WEBSOCKET -> new Session(hub, listener -> new SockJsWebSocketWire(ws, listener, limits.maxMessageBytes(),
        limits.closeTimeoutMs()), admission, onRelease);
      default -> throw new IllegalArgumentException(transport + " is not a WebSocket transport");
    }
  }

  /** Takes a session of one of SockJS's HTTP transports, from {@code SockJSHandler.socketHandler}, anonymous. */
  public void accept(SockJSSocket socket) {
    accept(socket, null, () -> { });
  }

  /** Takes a session of one of SockJS's HTTP transports, as {@code admission} says; {@code onRelease} runs once when it ends. */
  public void accept(SockJSSocket socket, Admission admission, Runnable onRelease) {
    new Session(hub, listener -> new SockJsFallbackWire(socket, hub.context, listener), admission, onRelease);
  }

  /**
   * Refuses a SockJS session the way SockJS closes one, so the client's close event carries the
   * reason: {@code o}, then {@code c[code,"reason"]} and a close frame. Nothing the client sends is
   * read any more (no frame handled, no pong queued); the connection ends once those frames left,
   * and is reset if they have not left within {@code graceMs}.
   */
  public static void refuseSockJs(ServerWebSocket ws, int code, String reason, long graceMs) {
    WebSocketWire.stopReading(ws);
    ByteBuf frames = Unpooled.wrappedBuffer(Frames.SOCKJS_OPEN.duplicate(), Frames.sockJsClose(code, reason));
    WebSocketWire.sendAndEnd(ws, frames, 1000, "", graceMs);
  }

  /**
   * Closes, with {@value #DISCONNECTED} and {@code reason}, every socket of this engine whose user
   * is {@code user} or whose connection id is {@code connId} (whichever is not null); how many.
   * Runs on the engine's event loop, from any thread.
   */
  public Future<Integer> disconnect(String user, String connId, String reason) {
    Promise<Integer> closed = Promise.promise();
    hub.context.runOnContext(v -> {
      int count = 0;
      for (Session session : List.copyOf(hub.sessions)) {
        if (user != null ? user.equals(session.user()) : session.connId.equals(connId)) {
          session.disconnect(DISCONNECTED, reason);
          count++;
        }
      }
      hub.listener.disconnected(count);
      closed.complete(count);
    });
    return closed.future();
  }

  /**
   * Shutdown: closes every WebSocket client after what was already sent to it (raw clients with
   * 1001 "going away", SockJS ones with SockJS's close frame). SockJS's HTTP sessions are left to
   * the HTTP server's grace period: closing one at once can drop messages still waiting for its
   * next poll, the shutdown notice among them.
   */
  public void closeAll() {
    hub.vertx.cancelTimer(heartbeatTimer);
    hub.vertx.cancelTimer(recountTimer);
    hub.close();
    for (Session session : List.copyOf(hub.sessions)) {
      if (session.wire.transport() != BridgeTransport.SOCKJS_FALLBACK) {
        session.close(session.wire::closeGoingAway);
      }
    }
  }
}
