package io.oneloop.http;

import io.oneloop.Addresses;
import io.oneloop.app.AppState;
import io.oneloop.bridge.FanoutBridge;
import io.oneloop.config.BridgeConfig;
import io.oneloop.config.HttpConfig;
import io.oneloop.jobs.JobManager;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.util.concurrent.TimeUnit;

/** The HTTP server: health, the event-bus bridge for browsers, and the routes of the API. */
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
  private HttpServer server;
  /** Open bridge sockets; the bridge's events for this server all arrive on this verticle's context. */
  private int bridgeSockets;
  private FanoutBridge fanout;

  public HttpVerticle(HttpConfig http, BridgeConfig bridge, AppState state, JobManager jobs) {
    this.http = http;
    this.bridge = bridge;
    this.state = state;
    this.jobs = jobs;
  }

  @Override
  public Future<?> start() {
    String host = http.host();
    int port = http.port();
    Router router = Router.router(vertx);
    router.get("/health").handler(this::health);
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
    fanout = new FanoutBridge(vertx, bridge.permissions(), delta -> bridgeSockets += delta);
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
    if (event.type() == BridgeEventType.SOCKET_CREATED) {
      bridgeSockets++;
    } else if (event.type() == BridgeEventType.SOCKET_CLOSED) {
      bridgeSockets--;
    }
    event.complete(true);
  }

  private void health(RoutingContext ctx) {
    boolean up = state.serving();
    ctx.response()
      .setStatusCode(up ? 200 : 503)
      .putHeader("content-type", "application/json")
      .putHeader("cache-control", "no-store")
      .end(new JsonObject().put("status", up ? "UP" : "DOWN").encode());
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
