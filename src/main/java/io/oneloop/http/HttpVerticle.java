package io.oneloop.http;

import io.oneloop.Addresses;
import io.oneloop.app.AppState;
import io.oneloop.bridge.FanoutBridge;
import io.oneloop.config.BridgeConfig;
import io.oneloop.config.HttpConfig;
import io.oneloop.jobs.JobManager;
import io.oneloop.metrics.BridgeMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.web.handler.LoggerFormat;
import io.vertx.ext.web.handler.LoggerHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.util.concurrent.TimeUnit;

/** The HTTP server: probes and metrics, the event-bus bridge for browsers, and the routes of the API. */
public class HttpVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);
  /** How long open connections (bridge sockets included) get to close after the server stops. */
  private static final long CLOSE_GRACE_MS = 1000;

  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
    + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

  /** Where raw WebSocket clients of the bridge connect, as with Vert.x's bridge at /eventbus. */
  static final String FANOUT_PATH = "/eventbus/websocket";

  private final HttpConfig http;
  private final BridgeConfig bridge;
  private final AppState state;
  private final JobManager jobs;
  private final OpsRoutes ops;
  private BridgeMetrics bridgeMetrics;
  private HttpServer server;
  /** Open bridge sockets; the bridge's events for this server all arrive on this verticle's context. */
  private int bridgeSockets;
  private FanoutBridge fanout;

  public HttpVerticle(HttpConfig http, BridgeConfig bridge, AppState state, JobManager jobs, OpsRoutes ops) {
    this.http = http;
    this.bridge = bridge;
    this.state = state;
    this.jobs = jobs;
    this.ops = ops;
  }

  @Override
  public Future<?> start() {
    String host = http.host();
    int port = http.port();
    Router router = Router.router(vertx);
    bridgeMetrics = BridgeMetrics.of(vertx);
    if (ops.ops().accessLog()) {
      // The path without its query: a token in a query string must never reach a log.
      router.route().handler(LoggerHandler.create(LoggerFormat.CUSTOM).customFormatter(HttpVerticle::accessLine));
    }
    ops.mount(vertx, router);
    router.get("/api/tasks").handler(this::tasks);
    new JobsApi(jobs).mount(router);
    router.route("/eventbus/*").subRouter(
      SockJSHandler.create(vertx).bridge(bridge.permissions().sockJsOptions(), this::countSockets));
    // The page: no inline scripts or styles, so a strict policy costs nothing.
    router.route().handler(ctx -> {
      ctx.response()
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer");
      ctx.next();
    });
    // No long-lived caching: after an upgrade a browser must not mix old and new page modules.
    router.route().handler(StaticHandler.create("webroot").setIndexPage("index.html").setCachingEnabled(false)
      .setSendVaryHeader(false));

    vertx.eventBus().consumer(Addresses.BRIDGE_SOCKETS, msg -> msg.reply(bridgeSockets));
    // Frames are pre-encoded once for all subscribers, which per-socket compression would defeat.
    server = vertx.createHttpServer(new HttpServerOptions()
      .setPerMessageWebSocketCompressionSupported(false)
      .setPerFrameWebSocketCompressionSupported(false));
    // Raw WebSocket clients get the fan-out bridge, taken before the router so it owns the
    // connection itself; SockJS clients (browsers) get the stock bridge through the router.
    fanout = new FanoutBridge(vertx, bridge.permissions(), delta -> {
      bridgeSockets += delta;
      bridgeMetrics.sockets(BridgeMetrics.RAW, delta);
    });
    return server.requestHandler(request -> {
        if (FANOUT_PATH.equals(request.path()) && "websocket".equalsIgnoreCase(request.getHeader("upgrade"))) {
          request.toWebSocket().onSuccess(fanout::accept);
        } else {
          router.handle(request);
        }
      })
      .listen(port, host)
      .recover(cause -> Future.failedFuture(listenFailure(host, port, cause)))
      .onSuccess(s -> {
        state.httpPort(s.actualPort());
        log.info("HTTP server listening on http://{}:{}", host, s.actualPort());
      });
  }

  /**
   * Closes the raw bridge sockets first: the server's shutdown leaves WebSockets open until its
   * grace period ends, while a close frame, sent after what is queued for each socket, lets each
   * client go at once. SockJS sessions keep the grace period: closing one at once can drop the
   * last messages still queued in the session, the shutdown notice among them.
   */
  @Override
  public Future<?> stop() {
    fanout.closeAll();
    return server.shutdown(CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
  }

  private void countSockets(BridgeEvent event) {
    BridgeEventType type = event.type();
    if (type == BridgeEventType.SOCKET_CREATED) {
      bridgeSockets++;
      bridgeMetrics.sockets(sockJsTransport(event), 1);
    } else if (type == BridgeEventType.SOCKET_CLOSED) {
      bridgeSockets--;
      bridgeMetrics.sockets(sockJsTransport(event), -1);
    } else if (type == BridgeEventType.SEND || type == BridgeEventType.PUBLISH) {
      bridgeMetrics.received();
    } else if (type == BridgeEventType.RECEIVE) {
      bridgeMetrics.delivered(1);
    }
    event.complete(true);
  }

  /** SockJS's WebSocket transport ends its path in /websocket; every other transport is a fallback. */
  private static String sockJsTransport(BridgeEvent event) {
    String uri = event.socket().uri();
    int query = uri.indexOf('?');
    String path = query < 0 ? uri : uri.substring(0, query);
    return path.endsWith("/websocket") ? BridgeMetrics.SOCKJS_WEBSOCKET : BridgeMetrics.SOCKJS_FALLBACK;
  }

  /** One access-log line: client, method, path (never the query), version, status, bytes, time. */
  static String accessLine(RoutingContext ctx, long ms) {
    String client = ctx.request().remoteAddress() == null ? "-" : ctx.request().remoteAddress().host();
    String version = switch (ctx.request().version()) {
      case HTTP_1_0 -> "HTTP/1.0";
      case HTTP_1_1 -> "HTTP/1.1";
      case HTTP_2 -> "HTTP/2.0";
    };
    return client + " " + ctx.request().method() + " " + ctx.request().path() + " " + version + " " + ctx.response().getStatusCode() + " " + ctx.response().bytesWritten() + " " + ms + " ms";
  }

  private void tasks(RoutingContext ctx) {
    vertx.eventBus().<JsonObject>request(Addresses.TASKS_LIST, null)
      .onSuccess(reply -> Responses.json(ctx, 200, reply.body().getJsonArray("tasks")))
      .onFailure(cause -> Responses.error(ctx, 503, "the task list is not available: " + cause.getMessage()));
  }

  private static Throwable listenFailure(String host, int port, Throwable cause) {
    String why = cause instanceof BindException || String.valueOf(cause.getMessage()).contains("in use")
      ? "address already in use"
      : String.valueOf(cause.getMessage());
    return new VertxException("cannot listen on " + host + ":" + port + ": " + why, true);
  }
}
