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
  /** SockJS's iframe page loads the client from the app, not from a CDN. */
  static final String SOCKJS_LIBRARY_URL = "/vendor/sockjs.min.js";

  private final Vertx vertx;
  private final BridgeOptions bridge;
  private final Security security;
  private final BridgeGate gate;
  private final SockJSHandlerOptions sockJs = new SockJSHandlerOptions().setLibraryURL(SOCKJS_LIBRARY_URL);
  private final FanoutBridge fanout;
  /** A connect the authorizer denied: 403 at a raw handshake, {@code c[4403,"forbidden"]} on SockJS. */
  private static final BridgeGate.Refusal FORBIDDEN = new BridgeGate.Refusal(403, "forbidden by the bridge's authorizer");

  /** Called on the event loop of the instance it serves, whose engine it makes. */
  BridgeRoutes(Vertx vertx, BridgeOptions bridge, Security security, BridgeSockets.Counts counts, HistoryStore history, Presence presence) {
    this.vertx = vertx;
    this.bridge = bridge;
    this.security = security;
    this.gate = new BridgeGate(bridge.allowedOrigins(), bridge.permissions(), security);
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
    router.route(BridgePaths.MOUNT + "/*").subRouter(SockJSHandler.create(vertx, sockJs).socketHandler(this::session));
  }

  /** A SockJS session opened on an HTTP transport: admitted (token, connection caps) and handed to the engine. */
  private void session(SockJSSocket socket) {
    gate.admitSession(socket.uri(), socket.remoteAddress()).onComplete(ar -> {
      if (ar.failed()) {
        socket.close(BridgeGate.UNAUTHORIZED_CLOSE, "unauthorized");
        return;
      }
      // The same peer as a WebSocket's: behind a trusted proxy, the client it forwarded for.
      String peer = security.caps().peer(socket.remoteAddress(), socket.headers() == null ? null
        : socket.headers().get("X-Forwarded-For"));
      String full = security.caps().tryOpen(peer);
      if (full != null) {
        security.refusals().bridgeRefused("max_connections", "a SockJS session from " + peer + ": " + full);
        socket.close(TRY_AGAIN_LATER, "max_connections");
        return;
      }
      Principal principal = ar.result();
      fanout.authorizeConnect(BridgeTransport.SOCKJS_FALLBACK, principal == null ? null : principal.name(), copy(socket.headers()))
        .onComplete(allowed -> {
          if (!allowed.result()) {
            security.caps().closed(peer);
            socket.close(FanoutBridge.FORBIDDEN, "forbidden");
          } else {
            fanout.accept(socket, gate.admission(principal, peer), () -> security.caps().closed(peer));
          }
        });
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
