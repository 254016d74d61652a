package io.oneloop.http;

import io.oneloop.bridge.BridgeOptions;
import io.oneloop.bridge.BridgePaths;
import io.oneloop.bridge.BridgeSockets;
import io.oneloop.bridge.BridgeTransport;
import io.oneloop.bridge.FanoutBridge;
import io.oneloop.bridge.HistoryStore;
import io.oneloop.auth.Principal;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.oneloop.bridge.Presence;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's HTTP face on one server instance: SockJS's routes, the WebSocket upgrade on the
 * bridge's paths, and each admitted socket handed to this instance's engine.
 */
final class BridgeRoutes {

  /** The upgrade's line keeps the logger it has always had. */
  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);
  /** The close code for a session refused because the server is full: try again later. */
  private static final int TRY_AGAIN_LATER = 1013;
  /** Where {@link #admitOpening} leaves what it admitted for the session the request opens. */
  private static final String ADMITTED = "oneloop.bridge.admitted";
  /** SockJS's iframe page loads the client from the app, not from a CDN. */
  static final String SOCKJS_LIBRARY_URL = "/vendor/sockjs.min.js";

  private final Vertx vertx;
  private final BridgeOptions bridge;
  private final Security security;
  private final BridgeGate gate;
  private final SockJSHandlerOptions sockJs = new SockJSHandlerOptions().setLibraryURL(SOCKJS_LIBRARY_URL);
  private final FanoutBridge fanout;
  /** SockJS's open sessions: a request for one of them opens nothing. */
  private final LocalMap<String, Object> sessions;
  /** A connect the authorizer denied: 403 at a raw handshake, {@code c[4403,"forbidden"]} on SockJS. */
  private static final BridgeGate.Refusal FORBIDDEN = new BridgeGate.Refusal(403, "forbidden by the bridge's authorizer");

  /** Called on the event loop of the instance it serves, whose engine it makes. */
  BridgeRoutes(Vertx vertx, BridgeOptions bridge, Security security, BridgeSockets.Counts counts, HistoryStore history, Presence presence) {
    this.vertx = vertx;
    this.bridge = bridge;
    this.security = security;
    this.gate = new BridgeGate(bridge.allowedOrigins(), bridge.permissions(), security);
    this.sessions = vertx.sharedData().getLocalMap(SockJsRefusal.SESSIONS);
    this.fanout = new FanoutBridge(vertx, bridge, FanoutBridge.Timing.of(sockJs), counts, history, presence,
      Security.bridgeListener(vertx));
  }

  FanoutBridge engine() {
    return fanout;
  }

  /**
   * SockJS's HTTP transports, on the same engine as the WebSockets: Vert.x frames them, the engine
   * speaks the bridge. The origin is checked on each request; their sends need their body read
   * first, within the same bound as every other body ({@code maxBodyBytes}).
   */
  void mount(Router router, long maxBodyBytes) {
    // SockJS's chunking_test is a relic no client of today asks for, and Vert.x's answers it with
    // a 0 ms timer that fails every time: not found, before the SockJS routes can see it.
    router.route(BridgePaths.MOUNT + "/chunking_test").handler(ctx -> ctx.fail(404));
    router.route(BridgePaths.MOUNT + "/*").handler(gate::checkOrigin);
    router.post(BridgePaths.MOUNT + "/*").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));
    router.route(BridgePaths.MOUNT + "/*").handler(BridgeRoutes::clientErrorsAre400);
    router.route(BridgePaths.MOUNT + "/*").handler(this::admitOpening);
    router.route(BridgePaths.MOUNT + "/*").subRouter(SockJSHandler.create(vertx, sockJs).socketHandler(this::session));
  }

  /**
   * The request that would open a SockJS session on an HTTP transport: its token and the
   * authorizer are asked before SockJS makes the session, so a refusal can be answered in the
   * transport's framing with its own close code (a SockJS session can only close with 3000).
   * What is admitted goes on to SockJS, which opens the session and hands it to {@link #session}.
   */
  private void admitOpening(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String path = request.path();
    SockJsRefusal.Opening opening = path.startsWith(BridgePaths.MOUNT + "/")
      ? SockJsRefusal.opening(request.method(), path.substring(BridgePaths.MOUNT.length()), request.getParam("c")) : null;
    if (opening == null || sessions.containsKey(opening.session())) {
      ctx.next();
      return;
    }
    gate.admitSession(request.uri(), request.remoteAddress()).onComplete(admitted -> {
      if (admitted.failed()) {
        SockJsRefusal.answer(ctx, opening, BridgeGate.UNAUTHORIZED_CLOSE, "unauthorized");
        return;
      }
      Principal principal = admitted.result();
      fanout.authorizeConnect(BridgeTransport.SOCKJS_FALLBACK, principal == null ? null : principal.name(), copy(request.headers()))
        .onComplete(allowed -> {
          if (!allowed.result()) {
            SockJsRefusal.answer(ctx, opening, FanoutBridge.FORBIDDEN, "forbidden");
            return;
          }
          ctx.put(ADMITTED, new Admitted(principal));
          ctx.next();
        });
    });
  }

  /**
   * A SockJS session opened on an HTTP transport: admitted (token, connection caps, authorizer) and
   * handed to the engine. {@link #admitOpening} has asked the token and the authorizer already.
   */
  private void session(SockJSSocket socket) {
    RoutingContext opened = socket.routingContext();
    Admitted admitted = opened == null ? null : opened.get(ADMITTED);
    if (admitted != null) {
      open(socket, admitted.principal(), false);
      return;
    }
    gate.admitSession(socket.uri(), socket.remoteAddress()).onComplete(ar -> {
      if (ar.failed()) {
        socket.close(BridgeGate.UNAUTHORIZED_CLOSE, "unauthorized");
        return;
      }
      open(socket, ar.result(), true);
    });
  }

  private void open(SockJSSocket socket, Principal principal, boolean authorize) {
    // The same peer as a WebSocket's: behind a trusted proxy, the client it forwarded for.
    String peer = security.caps().peer(socket.remoteAddress(), socket.headers() == null ? null
      : socket.headers().get("X-Forwarded-For"));
    String full = security.caps().tryOpen(peer);
    if (full != null) {
      security.refusals().bridgeRefused("max_connections", "a SockJS session from " + peer + ": " + full);
      socket.close(TRY_AGAIN_LATER, "max_connections");
      return;
    }
    Future<Boolean> verdict = authorize
      ? fanout.authorizeConnect(BridgeTransport.SOCKJS_FALLBACK, principal == null ? null : principal.name(), copy(socket.headers()))
      : Future.succeededFuture(true);
    verdict.onComplete(allowed -> {
      if (!allowed.result()) {
        security.caps().closed(peer);
        socket.close(FanoutBridge.FORBIDDEN, "forbidden");
      } else {
        fanout.accept(socket, gate.admission(principal, peer), () -> security.caps().closed(peer));
      }
    });
  }

  /**
   * Takes {@code request} if it is a WebSocket handshake on one of the bridge's transports (before
   * the router, so the engine owns the connection itself); false when it is not one.
   */
  boolean upgrade(HttpServerRequest request) {
    BridgeTransport transport = request.canUpgradeToWebSocket() ? BridgePaths.webSocketTransport(request.path()) : null;
    if (transport == null) {
      return false;
    }
    upgrade(request, transport);
    return true;
  }

  /**
   * A bridge WebSocket: the origin (403) and, with auth on, the token are checked before the
   * upgrade. A raw client without a valid token gets 401; a SockJS one gets its session closed
   * with {@code c[4401,"unauthorized"]}, which sockjs-client hands to the page.
   */
  private void upgrade(HttpServerRequest request, BridgeTransport transport) {
    String peer = security.caps().peer(request);
    String full = security.caps().tryOpen(peer);
    if (full != null) {
      security.refusals().bridgeRefused("max_connections", "a bridge connection from " + peer + ": " + full);
      request.response().putHeader("Retry-After", "5");
      BridgeGate.refuse(request, new BridgeGate.Refusal(503, "too many connections: " + full));
      return;
    }
    // Counted from here; the count is given back when the socket ends, or now if it never opens.
    Runnable release = () -> security.caps().closed(peer);
    request.pause();
    gate.admitWebSocket(request).compose(principal -> fanout.authorizeConnect(transport, principal == null ? null : principal.name(),
        copy(request.headers()))
      .compose(allowed -> allowed ? Future.succeededFuture(principal) : Future.failedFuture(FORBIDDEN)))
      .onComplete(ar -> {
      BridgeGate.Refusal refusal = ar.failed() ? (ar.cause() instanceof BridgeGate.Refusal r ? r : new BridgeGate.Refusal(401, "unauthorized"))
        : null;
      boolean sockJsRefusal = refusal != null && (refusal.status == 401 || refusal == FORBIDDEN);
      if (refusal != null && (!sockJsRefusal || transport == BridgeTransport.RAW)) {
        release.run();
        BridgeGate.refuse(request, refusal);
        return;
      }
      request.toWebSocket()
        .onSuccess(ws -> {
          if (refusal != null) {
            release.run();
            if (refusal == FORBIDDEN) {
              FanoutBridge.refuseSockJs(ws, FanoutBridge.FORBIDDEN, "forbidden", bridge.limits().closeTimeoutMs());
            } else {
              FanoutBridge.refuseSockJs(ws, BridgeGate.UNAUTHORIZED_CLOSE, "unauthorized", bridge.limits().closeTimeoutMs());
            }
          } else {
            fanout.accept(transport, ws, gate.admission(ar.result(), peer), release);
          }
        })
        .onFailure(cause -> {
          release.run();
          log.debug("Bridge WebSocket upgrade failed: {}", cause.toString());
        });
    });
  }

  /** The handshake's headers as the authorizer sees them: a copy, so it may keep them. */
  private static MultiMap copy(MultiMap headers) {
    MultiMap copy = MultiMap.caseInsensitiveMultiMap();
    if (headers != null) {
      copy.addAll(headers);
    }
    return copy;
  }

  /** A session-opening request whose token and authorizer said yes: who it is (null with auth off). */
  private record Admitted(Principal principal) {
  }

  /** Closes the engine's WebSocket clients, after what was already sent to each. */
  void closeAll() {
    fanout.closeAll();
  }

  /**
   * SockJS answers a missing or broken payload (and a bad JSONP callback) with 500; it is the
   * client's error, so 400 (sockjs-client treats every non-2xx alike). Real failures keep theirs.
   */
  private static void clientErrorsAre400(RoutingContext ctx) {
    ctx.addHeadersEndHandler(v -> {
      if (!ctx.failed() && ctx.response().getStatusCode() == 500) {
        ctx.response().setStatusCode(400);
      }
    });
    ctx.next();
  }
}
