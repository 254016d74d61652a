package io.oneloop.bench.bridge;

import io.oneloop.bench.Control;
import io.oneloop.bench.Pacer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;

/**
 * Minimal app with the stock Vert.x SockJS event-bus bridge at {@code /eventbus/*}: a timer
 * publishes {@code {"seq":n,"t":micros}} on {@code bench.ticks}, which is outbound-permitted.
 * {@code /health} and {@code /control} on the same port. Config: {@code {"port":P}}. The same
 * app serves both stock-bridge peers: SockJS's raw WebSocket ({@code /eventbus/websocket}) and
 * SockJS's WebSocket transport ({@code /eventbus/{server}/{session}/websocket}).
 */
public class BridgeServer extends VerticleBase {

  private Pacer pacer;

  @Override
  public Future<?> start() {
    int port = config().getInteger("port", 8080);
    String host = config().getString("host", "127.0.0.1");
    pacer = new Pacer(vertx, seq -> vertx.eventBus().publish("bench.ticks", pacer.message(seq)));
    Router router = Router.router(vertx);
    router.route("/health").handler(ctx -> Control.handle(ctx.request(), pacer));
    router.route("/control").handler(ctx -> Control.handle(ctx.request(), pacer));
    SockJSBridgeOptions bridge = new SockJSBridgeOptions()
        .addOutboundPermitted(new PermittedOptions().setAddress("bench.ticks"));
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx).bridge(bridge));
    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
        .requestHandler(router)
        .listen();
  }

  @Override
  public Future<?> stop() {
    pacer.stop();
    return Future.succeededFuture();
  }
}
