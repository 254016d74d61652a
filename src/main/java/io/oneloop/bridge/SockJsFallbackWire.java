package io.oneloop.bridge;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * SockJS's HTTP transports (xhr-streaming, xhr-polling, eventsource, htmlfile, jsonp): Vert.x's
 * {@code SockJSHandler} does their HTTP framing and hands over a {@link SockJSSocket}. Its queue is
 * what was written and not yet confirmed written to a connection: messages waiting for the next
 * poll as well as bytes a streaming response could not send yet.
 * <p>
 * Vert.x keeps these sessions in a map shared by every HTTP server instance, so a session's next
 * request may arrive on another instance's event loop; every callback is brought back to the
 * engine's event loop before it touches the engine.
 */
final class SockJsFallbackWire implements Wire {

  private static final Logger log = LoggerFactory.getLogger(SockJsFallbackWire.class);

  private final SockJSSocket socket;
  private final Context context;
  private final EventLoop loop;
  private long queuedBytes;

  SockJsFallbackWire(SockJSSocket socket, Context context, Listener listener) {
    this.socket = socket;
    this.context = context;
    this.loop = ((ContextInternal) context).nettyEventLoop();
    socket.handler(data -> onEngine(() -> listener.onFrame(data.toString(StandardCharsets.UTF_8))));
    socket.exceptionHandler(err -> log.debug("Bridge session error: {}", err.toString()));
    socket.closeHandler(v -> onEngine(listener::onClosed));
  }

  private void onEngine(Runnable action) {
    if (loop.inEventLoop()) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  @Override
  public BridgeTransport transport() {
    return BridgeTransport.SOCKJS_FALLBACK;
  }

  @Override
  public SocketAddress remoteAddress() {
    return socket.remoteAddress();
  }

  @Override
  public long queuedBytes() {
    return queuedBytes;
  }

  @Override
  public int write(Outgoing frame, Runnable written) {
    int size = frame.size();
    queuedBytes += size;
    // The session completes the write on this (the caller's) context once its connection took it.
    socket.write(frame.text()).onComplete(ar -> {
      queuedBytes -= size;
      if (ar.succeeded() && written != null) {
        onEngine(written);
      }
    });
    return size;
  }

  @Override
  public void flush() {
    // Each write goes straight to the session, which frames and sends it.
  }

  @Override
  public void close() {
    socket.close();
  }

  /**
   * A SockJS session can only close with {@code c[3000,"Go away!"]}: for the closes a client must
   * act on (an expired token, an administrator's disconnect) the code and reason go first, as the
   * err frame {@code {"type":"err","body":"closed","failureCode":code,"message":reason}}, and the
   * session closes once a request of the client took it (or at bridge.closeTimeoutMs, as any close).
   */
  @Override
  public void close(int code, String reason) {
    if (code != FanoutBridge.TOKEN_EXPIRED && code != FanoutBridge.DISCONNECTED) {
      socket.close();
      return;
    }
    String announced = new JsonObject().put("type", "err").put("body", "closed").put("failureCode", code)
      .put("message", reason).encode();
    socket.write(announced).onComplete(ar -> socket.close());
  }

  @Override
  public void closeGoingAway() {
    socket.close();
  }

  @Override
  public void abort() {
    // The session's close ends its current HTTP response and that connection with it.
    socket.close();
  }
}
