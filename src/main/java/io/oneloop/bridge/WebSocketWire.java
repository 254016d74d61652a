package io.oneloop.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.vertx.core.http.ServerWebSocket;
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

  final ServerWebSocket ws;
  private final ChannelHandlerContext channel;

  WebSocketWire(ServerWebSocket ws, Listener listener) {
    this.ws = ws;
    this.channel = ((WebSocketInternal) ws).channelHandlerContext();
    ws.exceptionHandler(err -> log.debug("Bridge socket error: {}", err.toString()));
    ws.closeHandler(v -> listener.onClosed());
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

  @Override
  public void abort() {
    // A close frame could not reach a client that does not read: end the connection itself.
    channel.channel().close();
  }
}
