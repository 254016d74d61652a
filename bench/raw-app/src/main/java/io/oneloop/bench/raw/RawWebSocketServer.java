package io.oneloop.bench.raw;

import io.oneloop.bench.Control;
import io.oneloop.bench.Pacer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The naive baseline: a raw Vert.x WebSocket server that writes the same frame the event-bus
 * bridge would send ({@code {"type":"rec","address":"bench.ticks","body":{"seq":n,"t":micros}}})
 * to every open socket, one {@code writeBinaryMessage} per socket. Text frames from clients
 * (the bridge's register/ping) are read and ignored. Config: {@code {"port":P}}.
 */
public class RawWebSocketServer extends VerticleBase {

  private final Set<ServerWebSocket> sockets = new LinkedHashSet<>();
  private Pacer pacer;

  @Override
  public Future<?> start() {
    int port = config().getInteger("port", 8080);
    String host = config().getString("host", "127.0.0.1");
    pacer = new Pacer(vertx, this::broadcast);
    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
        .requestHandler(req -> {
          if ("/eventbus/websocket".equals(req.path())) {
            req.toWebSocket().onSuccess(this::add);
          } else if (!Control.handle(req, pacer)) {
            req.response().setStatusCode(404).end();
          }
        })
        .listen();
  }

  private void add(ServerWebSocket ws) {
    sockets.add(ws);
    ws.handler(buf -> { });
    ws.closeHandler(v -> sockets.remove(ws));
    ws.exceptionHandler(err -> sockets.remove(ws));
  }

  private void broadcast(long seq) {
    Buffer frame = Buffer.buffer("{\"type\":\"rec\",\"address\":\"bench.ticks\",\"body\":"
        + pacer.message(seq).encode() + "}");
    for (ServerWebSocket ws : sockets) {
      ws.writeBinaryMessage(frame);
    }
  }

  @Override
  public Future<?> stop() {
    pacer.stop();
    return Future.succeededFuture();
  }
}
