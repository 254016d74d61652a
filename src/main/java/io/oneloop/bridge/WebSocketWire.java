package io.oneloop.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What the WebSocket transports share: pre-encoded frames written straight into the connection's
 * Netty channel, flushed once per event-loop turn, and the channel's own outbound buffer as the
 * client's queue.
 * <p>
 * Every frame a client sends is seen here, control frames included: messages are put together
 * from their fragments here (not by Vert.x's aggregator) within the wire's own size bound, so an
 * oversize message is always closed with 1009, and pings reach the engine, which charges them to
 * the client's budgets. A frame Netty's decoder refuses (over the frame size, invalid UTF-8, a bad
 * fragment sequence) closes the connection with the decoder's status.
 */
abstract class WebSocketWire implements Wire {

  private static final Logger log = LoggerFactory.getLogger(WebSocketWire.class);
  /** The name Vert.x gives the handler of its connections' idle timeout. */
  private static final String IDLE_HANDLER = "idle";
  private static final String PROTOCOL_ERRORS = "oneloop-ws-protocol-errors";
  /** A WebSocket frame's header, at most, for a pong of up to 125 bytes from the server. */
  private static final int PONG_HEADER_BYTES = 2;

  final ServerWebSocket ws;
  private final ChannelHandlerContext channel;
  private final Listener listener;
  private final long maxMessageBytes;
  private final long closeTimeoutMs;
  /** A fragmented message being put together; null between messages. */
  private Buffer partial;
  private boolean partialText;
  /** The rest of a message that went over the bound is dropped, up to its last fragment. */
  private boolean skipping;
  /**
   * Pongs Vert.x queued in its own outbound queue, which the channel's buffer does not show: while
   * the channel is not writable every ping's pong waits there.
   */
  private long heldPongBytes;

  /**
   * @param maxMessageBytes the largest message, in bytes on this wire, that is put together
   * @param closeTimeoutMs how long a close this side starts may take before the connection is reset
   */
  WebSocketWire(ServerWebSocket ws, Listener listener, long maxMessageBytes, long closeTimeoutMs) {
    this.ws = ws;
    this.listener = listener;
    this.maxMessageBytes = maxMessageBytes;
    this.closeTimeoutMs = closeTimeoutMs;
    this.channel = ((WebSocketInternal) ws).channelHandlerContext();
    // http.idleTimeoutMs's handler puts a listener on every write, a quarter of a fan-out's CPU
    // measured; the bridge's ping timeout already closes a WebSocket that goes quiet.
    if (channel.pipeline().get(IDLE_HANDLER) != null) {
      channel.pipeline().remove(IDLE_HANDLER);
    }
    if (channel.pipeline().get(PROTOCOL_ERRORS) == null) {
      channel.pipeline().addBefore(channel.name(), PROTOCOL_ERRORS, new ProtocolErrors());
    }
    ws.exceptionHandler(err -> log.debug("Bridge socket error: {}", err.toString()));
    ws.closeHandler(v -> listener.onClosed());
    ws.frameHandler(this::onWebSocketFrame);
  }

  /** A whole message from the client, text or binary. */
  abstract void onMessage(Buffer data, boolean text);

  private void onWebSocketFrame(WebSocketFrame frame) {
    try {
      switch (frame.type()) {
        case PING -> {
          // Vert.x has queued its pong already; while the channel is not writable it waits in Vert.x's queue.
          if (channel.channel().isWritable()) {
            heldPongBytes = 0;
          } else {
            heldPongBytes += frame.binaryData().length() + PONG_HEADER_BYTES;
          }
          listener.onControlFrame();
        }
        case PONG -> listener.onControlFrame();
        case TEXT, BINARY -> begin(frame);
        case CONTINUATION -> append(frame);
        default -> {
          // CLOSE: Vert.x answers it and ends the connection; closeHandler tells the engine.
        }
      }
    } catch (RuntimeException e) {
      listener.onFailure(e);
    }
  }

  private void begin(WebSocketFrame frame) {
    // Netty's decoder has checked the order of fragments: a data frame never comes inside a message.
    partial = null;
    skipping = false;
    Buffer data = frame.binaryData();
    boolean text = frame.type() == WebSocketFrameType.TEXT;
    if (data.length() > maxMessageBytes) {
      tooLarge(frame.isFinal());
    } else if (frame.isFinal()) {
      onMessage(data, text);
    } else {
      partial = Buffer.buffer(Math.min(data.length() * 2, 4096)).appendBuffer(data);
      partialText = text;
    }
  }

  private void append(WebSocketFrame frame) {
    if (skipping) {
      skipping = !frame.isFinal();
      return;
    }
    if (partial == null) {
      return;
    }
    Buffer data = frame.binaryData();
    if ((long) partial.length() + data.length() > maxMessageBytes) {
      partial = null;
      tooLarge(frame.isFinal());
      return;
    }
    partial.appendBuffer(data);
    if (frame.isFinal()) {
      Buffer whole = partial;
      partial = null;
      onMessage(whole, partialText);
    }
  }

  private void tooLarge(boolean lastFragment) {
    skipping = !lastFragment;
    listener.onTooLarge();
  }

  static String utf8(Buffer data) {
    return data.toString(StandardCharsets.UTF_8);
  }

  @Override
  public SocketAddress remoteAddress() {
    return ws.remoteAddress();
  }

  @Override
  public long queuedBytes() {
    if (heldPongBytes > 0 && channel.channel().isWritable()) {
      heldPongBytes = 0;
    }
    ChannelOutboundBuffer pending = channel.channel().unsafe().outboundBuffer();
    return (pending == null ? 0 : pending.totalPendingWriteBytes()) + heldPongBytes;
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
   * is queued: stop reading (so no more pongs are queued) and reset the connection, dropping what
   * waits for it here and in the kernel.
   */
  @Override
  public void abort() {
    channel.channel().config().setAutoRead(false);
    channel.channel().config().setOption(ChannelOption.SO_LINGER, 0);
    // This context's close starts below Vert.x's handler, whose close would wait for the queue.
    channel.close();
  }

  /**
   * Stops reading the connection at once: no further frame of it is handled and no pong is sent.
   * For a socket that is refused; what is written still goes out.
   */
  static void stopReading(ServerWebSocket ws) {
    ((WebSocketInternal) ws).channelHandlerContext().channel().config().setAutoRead(false);
  }

  /**
   * Writes {@code frame} (if any) and a close frame, then ends the connection once they left;
   * resets it if they have not left within {@code timeoutMs} (a peer that does not read).
   */
  static void sendAndEnd(ServerWebSocket ws, ByteBuf frame, int code, String reason, long timeoutMs) {
    ChannelHandlerContext ctx = ((WebSocketInternal) ws).channelHandlerContext();
    stopReading(ws);
    endWith(ctx, frame, code, reason, timeoutMs);
  }

  /** Closes from {@code ctx} down: a close from the channel's top would go through Vert.x's handler, which waits for the queue. */
  private static void endWith(ChannelHandlerContext ctx, ByteBuf frame, int code, String reason, long timeoutMs) {
    ScheduledFuture<?> reset = ctx.executor().schedule(() -> {
      ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
      ctx.close();
    }, timeoutMs, TimeUnit.MILLISECONDS);
    ctx.channel().closeFuture().addListener(f -> reset.cancel(false));
    if (frame != null) {
      ctx.write(frame);
    }
    ctx.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(f -> ctx.close());
  }

  /**
   * Below Vert.x's handler: a frame the decoder refused ends the connection with the decoder's
   * close status (1009 for a frame over the size, 1007 for invalid UTF-8, 1002 otherwise) rather
   * than a bare reset, and never reaches Vert.x's or oneloop's error log.
   */
  private final class ProtocolErrors extends ChannelInboundHandlerAdapter {

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
      if (!(cause instanceof CorruptedWebSocketFrameException corrupted)) {
        super.exceptionCaught(ctx, cause);
        return;
      }
      int code = corrupted.closeStatus() == null ? 1002 : corrupted.closeStatus().code();
      listener.onProtocolError(code);
      ctx.channel().config().setAutoRead(false);
      endWith(ctx, null, code, code == 1009 ? "message too large" : "protocol error", closeTimeoutMs);
    }
  }
}
