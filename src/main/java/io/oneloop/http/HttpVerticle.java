package io.oneloop.http;

import io.oneloop.Addresses;
import io.oneloop.supervision.AppState;
import io.oneloop.logging.Unexpected;
import io.oneloop.logging.VertxWriteGlitch;
import io.oneloop.bridge.BridgeOptions;
import io.oneloop.bridge.BridgePaths;
import io.oneloop.bridge.BridgeSockets;
import io.oneloop.config.HttpConfig;
import io.oneloop.jobs.JobManager;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.LoggerFormat;
import io.vertx.ext.web.handler.LoggerHandler;
import io.vertx.ext.web.handler.StaticHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One instance of the HTTP server (several share the port, one per event loop): probes and
 * metrics, the event-bus bridge on every transport, and the routes of the API.
 */
public class HttpVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);
  /** How long open connections (SockJS's HTTP sessions included) get to close after the server stops. */
  private static final long CLOSE_GRACE_MS = 1000;

  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
    + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

  /** The declarations of /oneloop-bus.js, served beside it. */
  static final String TYPES_FILE = "oneloop-bus.d.ts";
  private static final Supplier<Buffer> TYPES = typesFile();

  private final HttpConfig http;
  private final BridgeOptions bridge;
  private final AppState state;
  private final JobManager jobs;
  private final OpsRoutes ops;
  private final HttpInstances instances;
  private final Security security;
  private final HostCheck hosts;
  private HttpServer server;
  private BridgeRoutes bridgeRoutes;

  /** {@code instances} and {@code security} are shared by every instance of this server. */
  public HttpVerticle(HttpConfig http, BridgeOptions bridge, AppState state, JobManager jobs, OpsRoutes ops,
                      HttpInstances instances, Security security) {
    this.http = http;
    this.bridge = bridge;
    this.state = state;
    this.jobs = jobs;
    this.ops = ops;
    this.instances = instances;
    this.security = security;
    this.hosts = new HostCheck(http.allowedHosts(), http.host());
  }

  @Override
  public Future<?> start() {
    // An exception from handling one request or frame is the one client's problem, never the
    // server's end: it is logged with an id. Only a failed start or stop ends the HTTP server.
    context.exceptionHandler(cause -> {
      if (!VertxWriteGlitch.absorbed(cause, "the HTTP server")) {
        Unexpected.log("serving a connection", cause);
      }
    });
    BridgeSockets.Counts counts = instances.bridgeSockets().newInstance();
    bridgeRoutes = new BridgeRoutes(vertx, bridge, security, counts, instances.history(), instances.presence(vertx));
    instances.engine(bridgeRoutes.engine());

    Router router = Router.router(vertx);
    if (ops.ops().accessLog()) {
      // The path without its query: a token in a query string must never reach a log.
      router.route().handler(LoggerHandler.create(LoggerFormat.CUSTOM).customFormatter(HttpVerticle::accessLine));
    }
    ErrorAnswers.install(router);
    PublishApi publish = new PublishApi(vertx, bridge.permissions(), bridge.limits().maxOutboundBytes(), http.maxBodyBytes(), state,
      security, instances.history());
    publish.count(router);
    new RequestGuards(http.maxBodyBytes(), bridge.allowedOrigins(), security.auth(), security.refusals()).mount(router);
    ops.mount(vertx, router);
    Routes.read(router, "/api/tasks").handler(this::tasks);
    Routes.allow(router, "/api/tasks", Routes.READ);
    Routes.read(router, "/api/bridge").handler(ctx -> Responses.json(ctx, 200, instances.bridgeSockets().toJson()));
    Routes.allow(router, "/api/bridge", Routes.READ);
    new JobsApi(jobs, http.maxBodyBytes()).mount(router);
    publish.mount(router);
    new AdminApi(vertx, instances, http.maxBodyBytes()).mount(router);
    bridgeRoutes.mount(router, http.maxBodyBytes());
    router.route("/api/*").handler(ctx -> Responses.error(ctx, 404, "no such API path: " + RequestGuards.shorten(ctx.request().path())));
    mountPage(router);

    if (counts.id() == 0) {
      // This node's sockets: in a cluster each node answers for its own.
      vertx.eventBus().localConsumer(Addresses.BRIDGE_SOCKETS, msg -> msg.reply(instances.bridgeSockets().toJson()));
      AdminApi.answerDisconnects(vertx, instances);
    }
    return listen(router);
  }

  /** The page and its files, after every other route; anything else is 404 or 405. */
  private static void mountPage(Router router) {
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
    // The client's declarations: a static handler would call a .ts file an MPEG stream.
    Routes.read(router, "/" + TYPES_FILE).handler(ctx -> ctx.response()
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/typescript; charset=utf-8")
      .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
      .end(TYPES.get()));
    // No long-lived caching: after an upgrade a browser must not mix old and new page modules.
    router.route().method(HttpMethod.GET).method(HttpMethod.HEAD).handler(StaticHandler.create("webroot")
      .setIndexPage("index.html").setCachingEnabled(false).setSendVaryHeader(false));
    router.route().handler(ctx -> {
      if (ctx.request().method() == HttpMethod.GET || ctx.request().method() == HttpMethod.HEAD) {
        ctx.fail(404);
      } else {
        ctx.response().putHeader(HttpHeaders.ALLOW, Routes.READ);
        Responses.error(ctx, 405, ctx.request().method() + " is not allowed here (allowed: " + Routes.READ + ")");
      }
    });
  }

  /** Creates this instance's server and listens; the bridge's WebSockets are taken before the router. */
  private Future<HttpServer> listen(Router router) {
    String host = http.host();
    int port = http.port();
    // Frames are pre-encoded once for all subscribers, which per-socket compression would defeat.
    // No h2c upgrade: with it, Vert.x hands over a connection only once a first request has come,
    // too late to time out one that never completes.
    server = vertx.createHttpServer(new HttpServerOptions()
      .setHttp2ClearTextEnabled(false)
      // Vert.x ends a connection over its own frame limit without a close frame: keep it above
      // bridge.maxMessageBytes (SockJS escaping can double a frame), so the engine closes with 1009.
      .setMaxWebSocketFrameSize((int) Math.min(Integer.MAX_VALUE / 4, bridge.limits().maxMessageBytes() * 2 + 1024))
      .setMaxWebSocketMessageSize((int) Math.min(Integer.MAX_VALUE / 2, bridge.limits().maxMessageBytes() * 4 + 4096))
      .setIdleTimeout((int) http.idleTimeoutMs())
      .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
      .setPerMessageWebSocketCompressionSupported(false)
      .setPerFrameWebSocketCompressionSupported(false));
    return server
      .connectionHandler(this::accepted)
      .invalidRequestHandler(ErrorAnswers.invalidRequest())
      .requestHandler(request -> {
        try {
          route(router, request);
        } catch (RuntimeException e) {
          String id = Unexpected.log("handling " + request.method() + " " + request.path(), e);
          if (!request.response().headWritten()) {
            request.response().setStatusCode(500).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
              .end(new JsonObject().put("error", "internal error").put("id", id).encode());
          } else {
            request.connection().close();
          }
        }
      })
      .listen(instances.listenPort(), host)
      .recover(cause -> Future.failedFuture(listenFailure(host, port, cause)))
      .onSuccess(s -> {
        state.httpPort(s.actualPort());
        if (instances.announce()) {
          log.info("HTTP server listening on http://{}:{}", host, s.actualPort());
          String exposed = exposureWarning(http.loopbackOnly(), security.auth().enabled(), host, s.actualPort());
          if (exposed != null) {
            log.warn(exposed);
          }
        }
      });
  }

  /**
   * A connection just accepted: closed at once past {@code http.maxConnections}, else counted until
   * its channel closes (a WebSocket's too: Vert.x hands an upgraded channel to another connection
   * object, whose close the first one never hears of) and timed by {@code http.requestTimeoutMs}.
   */
  private void accepted(HttpConnection connection) {
    String peer = connection.remoteAddress() == null ? "unknown" : connection.remoteAddress().hostAddress();
    if (!security.connections().tryOpen(peer)) {
      if (connection instanceof ConnectionBase base) {
        base.channel().close();
      } else {
        connection.close();
      }
      return;
    }
    if (connection instanceof ConnectionBase base) {
      base.channel().closeFuture().addListener(f -> security.connections().closed());
    } else {
      connection.closeHandler(v -> security.connections().closed());
    }
    RequestDeadline.watch(connection, http.requestTimeoutMs());
  }

  /** The start warning for a server open to the network without auth, naming what anyone may do; null when there is none to give. */
  static String exposureWarning(boolean loopbackOnly, boolean authOn, String host, int port) {
    if (loopbackOnly || authOn) {
      return null;
    }
    return "http.host is " + host + " and auth is off: anyone who can reach this machine on port " + port
      + " can start and cancel jobs (/api/jobs), chat under any name and read every bridge feed (/eventbus), and read /metrics;"
      + " set auth.tokens or auth.jwt (see \"Running it on a network\" in the README), or bind 127.0.0.1";
  }

  private void route(Router router, HttpServerRequest request) {
    if (!security.auth().enabled() && HostCheck.checked(request.path()) && !hosts.permits(request.getHeader(HttpHeaders.HOST))) {
      refuseHost(request);
      return;
    }
    if (!validPercentEncoding(request.path())) {
      // The router would throw decoding it; it is the client's error, so a 400 as every other.
      request.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(new JsonObject().put("error", "the path is not valid (bad percent-encoding)").encode());
      return;
    }
    // Every WebSocket transport of the bridge goes to the engine, taken before the router so
    // the engine owns the connection itself.
    if (!bridgeRoutes.upgrade(request)) {
      router.handle(request);
    }
  }

  /**
   * A {@code Host} a rebinding page could have sent: 403 before any route, bridge handshake or
   * SockJS session sees the request, and the connection goes with it.
   */
  private void refuseHost(HttpServerRequest request) {
    String host = RequestGuards.shorten(request.getHeader(HttpHeaders.HOST));
    security.refusals().refused("host", request.method() + " " + RequestGuards.shorten(request.path()) + " from "
      + request.remoteAddress() + " for Host " + host + ", which is not in http.allowedHosts (auth is off)");
    request.response().setStatusCode(403).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
      .putHeader(HttpHeaders.CONNECTION, "close")
      .end(new JsonObject().put("error", "host not allowed: " + host).encode())
      .onComplete(ar -> request.connection().close());
  }

  /**
   * Closes the bridge's WebSockets first: the server's shutdown leaves WebSockets open until its
   * grace period ends, while a close sent after what is queued for each lets each client go at once.
   */
  @Override
  public Future<?> stop() {
    bridgeRoutes.closeAll();
    return server.shutdown(CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
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
    vertx.eventBus().<JsonObject>request(Addresses.TASKS_LIST, null).onComplete(Responses.guarded(ctx, ar -> {
      if (ar.succeeded()) {
        Responses.json(ctx, 200, ar.result().body().getJsonArray("tasks"));
      } else {
        Responses.error(ctx, 503, "the task list is not available: " + ar.cause().getMessage());
      }
    }));
  }

  /** The declarations file, read from the jar once, on first use. */
  private static Supplier<Buffer> typesFile() {
    Buffer[] read = new Buffer[1];
    return () -> {
      synchronized (read) {
        if (read[0] == null) {
          try (InputStream in = HttpVerticle.class.getClassLoader().getResourceAsStream("webroot/" + TYPES_FILE)) {
            read[0] = Buffer.buffer(in == null ? new byte[0] : in.readAllBytes());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        return read[0];
      }
    };
  }

  /** Whether every {@code %} in a path starts two hex digits. */
  static boolean validPercentEncoding(String path) {
    if (path == null) {
      return false;
    }
    for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length() || Character.digit(path.charAt(i + 1), 16) < 0 || Character.digit(path.charAt(i + 2), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  private static Throwable listenFailure(String host, int port, Throwable cause) {
    String why = cause instanceof BindException || String.valueOf(cause.getMessage()).contains("in use")
      ? "address already in use"
      : String.valueOf(cause.getMessage());
    return new VertxException("cannot listen on " + host + ":" + port + ": " + why, true);
  }
}
