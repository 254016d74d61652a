package io.oneloop.http;

import io.oneloop.Addresses;
import io.oneloop.app.AppState;
import io.oneloop.bridge.BridgePaths;
import io.oneloop.bridge.BridgeSockets;
import io.oneloop.bridge.BridgeTransport;
import io.oneloop.bridge.FanoutBridge;
import io.oneloop.config.BridgeConfig;
import io.oneloop.config.HttpConfig;
import io.oneloop.jobs.JobManager;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.LoggerFormat;
import io.vertx.ext.web.handler.LoggerHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.util.concurrent.TimeUnit;

/**
 * One instance of the HTTP server (several share the port, one per event loop): probes and
 * metrics, the event-bus bridge on every transport, and the routes of the API.
 */
public class HttpVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);
  /** How long open connections (SockJS's HTTP sessions included) get to close after the server stops. */
  private static final long CLOSE_GRACE_MS = 1000;
  /** SockJS's iframe page loads the client from the app, not from a CDN. */
  static final String SOCKJS_LIBRARY_URL = "/vendor/sockjs.min.js";
  /** What one SockJS send may carry: as much as one WebSocket message. */
  private static final long MAX_SOCKJS_SEND_BYTES = HttpServerOptions.DEFAULT_MAX_WEBSOCKET_MESSAGE_SIZE;

  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
    + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

  private final HttpConfig http;
  private final BridgeConfig bridge;
  private final AppState state;
  private final JobManager jobs;
  private final OpsRoutes ops;
  private final HttpInstances instances;
  private HttpServer server;
  private FanoutBridge fanout;

  /** {@code instances} is shared by every instance of this server. */
  public HttpVerticle(HttpConfig http, BridgeConfig bridge, AppState state, JobManager jobs, OpsRoutes ops,
                      HttpInstances instances) {
    this.http = http;
    this.bridge = bridge;
    this.state = state;
    this.jobs = jobs;
    this.ops = ops;
    this.instances = instances;
  }

  @Override
  public Future<?> start() {
    String host = http.host();
    int port = http.port();
    BridgeSockets.Counts counts = instances.bridgeSockets().newInstance();
    SockJSHandlerOptions sockJs = new SockJSHandlerOptions().setLibraryURL(SOCKJS_LIBRARY_URL);
    fanout = new FanoutBridge(vertx, bridge.permissions(), bridge.maxQueuedBytes(), FanoutBridge.Timing.of(sockJs), counts,
      instances.history());

    Router router = Router.router(vertx);
    if (ops.ops().accessLog()) {
      // The path without its query: a token in a query string must never reach a log.
      router.route().handler(LoggerHandler.create(LoggerFormat.CUSTOM).customFormatter(HttpVerticle::accessLine));
    }
    ops.mount(vertx, router);
    router.get("/api/tasks").handler(this::tasks);
    router.get("/api/bridge").handler(ctx -> Responses.json(ctx, 200, instances.bridgeSockets().toJson()));
    new JobsApi(jobs).mount(router);
    // SockJS's HTTP transports, on the same engine as the WebSockets: Vert.x frames them, the engine
    // speaks the bridge. Their sends need their body read first.
    router.post(BridgePaths.MOUNT + "/*").handler(BodyHandler.create(false).setBodyLimit(MAX_SOCKJS_SEND_BYTES));
    router.route(BridgePaths.MOUNT + "/*").handler(HttpVerticle::clientErrorsAre400);
    router.route(BridgePaths.MOUNT + "/*").subRouter(SockJSHandler.create(vertx, sockJs).socketHandler(fanout::accept));
    // The page: no inline scripts or styles, so a strict policy costs nothing. Not on the bridge,
    // whose htmlfile and jsonp transports need an iframe and inline script.
    router.route().handler(ctx -> {
      if (!BridgePaths.isBridge(ctx.normalizedPath())) {
        ctx.response()
          .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
          .putHeader("X-Content-Type-Options", "nosniff")
          .putHeader("Referrer-Policy", "no-referrer");
      }
      ctx.next();
    });
    // No long-lived caching: after an upgrade a browser must not mix old and new page modules.
    router.route().handler(StaticHandler.create("webroot").setIndexPage("index.html").setCachingEnabled(false)
      .setSendVaryHeader(false));

    if (counts.id() == 0) {
      vertx.eventBus().consumer(Addresses.BRIDGE_SOCKETS, msg -> msg.reply(instances.bridgeSockets().toJson()));
    }
    // Frames are pre-encoded once for all subscribers, which per-socket compression would defeat.
    server = vertx.createHttpServer(new HttpServerOptions()
      .setPerMessageWebSocketCompressionSupported(false)
      .setPerFrameWebSocketCompressionSupported(false));
    return server.requestHandler(request -> {
        // Every WebSocket transport of the bridge goes to the engine, taken before the router so
        // the engine owns the connection itself.
        BridgeTransport transport = request.canUpgradeToWebSocket() ? BridgePaths.webSocketTransport(request.path()) : null;
        if (transport != null) {
          upgrade(request, transport);
        } else {
          router.handle(request);
        }
      })
      .listen(instances.listenPort(), host)
      .recover(cause -> Future.failedFuture(listenFailure(host, port, cause)))
      .onSuccess(s -> {
        state.httpPort(s.actualPort());
        if (instances.announce()) {
          log.info("HTTP server listening on http://{}:{}", host, s.actualPort());
        }
      });
  }

  private void upgrade(HttpServerRequest request, BridgeTransport transport) {
    request.toWebSocket()
      .onSuccess(ws -> fanout.accept(transport, ws))
      .onFailure(cause -> log.debug("Bridge WebSocket upgrade failed: {}", cause.toString()));
  }

  /**
   * Closes the bridge's WebSockets first: the server's shutdown leaves WebSockets open until its
   * grace period ends, while a close sent after what is queued for each lets each client go at once.
   */
  @Override
  public Future<?> stop() {
    fanout.closeAll();
    return server.shutdown(CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
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
