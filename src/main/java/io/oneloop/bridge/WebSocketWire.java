package io.oneloop.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the WebSocket transports share: pre-encoded frames written straight into the connection's
 * Netty channel, flushed once per event-loop turn, and the channel's own outbound buffer as the
 * client's queue.
 */
abstract class WebSocketWire implements Wire {

  private static final Logger log = LoggerFactory.getLogger(WebSocketWire.class);
  /** The name Vert.x gives the handler of its connections' idle timeout. */
  private static final String IDLE_HANDLER = "idle";

  final ServerWebSocket ws;
  private final ChannelHandlerContext channel;

  WebSocketWire(ServerWebSocket ws, Listener listener) {
    this.ws = ws;
    this.channel = ((WebSocketInternal) ws).channelHandlerContext();
    // http.idleTimeoutMs's handler puts a listener on every write, a quarter of a fan-out's CPU
    // measured; the bridge's ping timeout already closes a WebSocket that goes quiet.
    if (channel.pipeline().get(IDLE_HANDLER) != null) {
      channel.pipeline().remove(IDLE_HANDLER);
    }
    ws.exceptionHandler(err -> log.debug("Bridge socket error: {}", err.toString()));
    ws.closeHandler(v -> listener.onClosed());
    // Vert.x answers each ping with a pong, read or not: the engine checks the queue bound on each.
    ws.frameHandler(frame -> {
      if (frame.type() == WebSocketFrameType.PING || frame.type() == WebSocketFrameType.PONG) {
        listener.onControlFrame();
      }
    });
  }

  @Override
  public SocketAddress remoteAddress() {
    return ws.remoteAddress();
  }

  @Override
  public long queuedBytes() {
    ChannelOutboundBuffer pending = channel.channel().unsafe().outboundBuffer();
    return pending == null ? 0 : pending.totalPendingWriteBytes();
  }

  /** Queues a frame shared with other clients: this connection takes its own reference. */
  final int writeShared(ByteBuf frame) {
    return writeShared(frame, null);
  }

  /** The same, running {@code written} once the frame has gone to the network. */
  final int writeShared(ByteBuf frame, Runnable written) {
    if (written == null) {
      channel.write(frame.retainedDuplicate(), channel.voidPromise());
    } else {
      channel.write(frame.retainedDuplicate(), channel.newPromise().addListener(done -> {
        // Not from inside the flush that completed it: the engine may be flushing its clients right now.
        if (done.isSuccess()) {
          channel.executor().execute(written);
        }
      }));
    }
    return frame.readableBytes();
  }

  /** Queues a frame made for this connection alone; the channel releases it once written. */
  final void writeOwned(ByteBuf frame) {
    channel.write(frame, channel.voidPromise());
  }

  @Override
  public void flush() {
    channel.flush();
  }

  /**
   * A close frame cannot reach a client that does not read, and Vert.x's own close waits for what
   * is queued: reset the connection instead, dropping what waits for it here and in the kernel.
   */
  @Override
  public void abort() {
    channel.channel().config().setOption(ChannelOption.SO_LINGER, 0);
    // This context's close starts below Vert.x's handler, whose close would wait for the queue.
    channel.close();
  }
}
