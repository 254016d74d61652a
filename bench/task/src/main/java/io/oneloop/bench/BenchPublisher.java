package io.oneloop.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;

/**
 * The bench task run inside oneloop: publishes {@code {"seq":n,"t":micros}} on the event bus
 * address {@code address} (default {@code bench.ticks}), which oneloop's bridge forwards to its
 * clients. A task cannot add routes to the application's HTTP server, so the control endpoint
 * ({@code /control}, {@code /health}, see {@link Control}) listens on {@code controlPort}.
 */
public class BenchPublisher extends VerticleBase {

  private Pacer pacer;

  public BenchPublisher() {
  }

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    String address = conf.getString("address", "bench.ticks");
    int controlPort = conf.getInteger("controlPort");
    String host = conf.getString("controlHost", "127.0.0.1");
    pacer = new Pacer(vertx, seq -> vertx.eventBus().publish(address, pacer.message(seq)));
    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(controlPort))
        .requestHandler(req -> {
          if (!Control.handle(req, pacer)) {
            req.response().setStatusCode(404).end();
          }
        })
        .listen();
  }

  @Override
  public Future<?> stop() {
    if (pacer != null) {
      pacer.stop();
    }
    return Future.succeededFuture();
  }
}
