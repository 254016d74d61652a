package io.oneloop.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.impl.ConnectionBase;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * {@code http.requestTimeoutMs} on one HTTP/1 connection: from the first byte of a request, its
 * headers and body must all arrive within the bound, else it is answered 408 and the connection
 * closed; a connection that sends nothing at all within the bound is closed without an answer.
 * Responses are not limited (streaming transports and WebSockets are long-lived), and a
 * connection that became a WebSocket is left alone: one whose {@code 101 Switching Protocols}
 * has been written, not one that merely asked for an upgrade (any request may carry the header).
 */
final class RequestDeadline {

  private static final byte[] TIMEOUT_BODY = new JsonObject()
    .put("error", "the request did not arrive in time (http.requestTimeoutMs)").encode().getBytes(StandardCharsets.UTF_8);
  private static final byte[] TIMEOUT_RESPONSE = ("HTTP/1.1 408 Request Timeout\r\n"
    + "content-type: application/json\r\ncache-control: no-store\r\nconnection: close\r\ncontent-length: "
    + TIMEOUT_BODY.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

  private final long timeoutMs;
  private ChannelHandlerContext arrival;
  private ScheduledFuture<?> deadline;
  /** Bytes of a request have come and it is not complete yet. */
  private boolean receiving;
  /** The response to the request being received has begun: a 408 can no longer be written. */
  private boolean answering;
  /** The server has switched this connection to another protocol: its bytes are no longer HTTP requests. */
  private boolean upgraded;

  private RequestDeadline(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  /** Watches a connection just accepted; HTTP/2 connections (no HTTP/1 decoder) are not watched. */
  static void watch(HttpConnection connection, long timeoutMs) {
    if (!(connection instanceof ConnectionBase base)) {
      return;
    }
    ChannelPipeline pipeline = base.channel().pipeline();
    if (pipeline.get("httpDecoder") == null || pipeline.get("handler") == null) {
      return;
    }
    RequestDeadline watch = new RequestDeadline(timeoutMs);
    pipeline.addBefore("httpDecoder", "oneloop-request-arrival", watch.new Arrival());
    pipeline.addBefore("handler", "oneloop-request-progress", watch.new Progress());
  }

  private void arm(boolean answer) {
    cancel();
    deadline = arrival.executor().schedule(() -> expire(answer), timeoutMs, TimeUnit.MILLISECONDS);
  }

  private void cancel() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  private void expire(boolean answer) {
    deadline = null;
    if (upgraded || !arrival.channel().isActive()) {
      return;
    }
    if (answer && !answering) {
      // Written below the HTTP encoder: the request is half parsed, so Vert.x has nothing to answer with.
      ByteBuf response = Unpooled.buffer(TIMEOUT_RESPONSE.length + TIMEOUT_BODY.length)
        .writeBytes(TIMEOUT_RESPONSE).writeBytes(TIMEOUT_BODY);
      arrival.writeAndFlush(response).addListener(f -> arrival.channel().close());
    } else {
      arrival.channel().close();
    }
  }

  /** Before the decoder: sees the raw bytes, so it knows when a request has begun. */
  private final class Arrival extends ChannelInboundHandlerAdapter {

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      arrival = ctx;
      if (ctx.channel().isActive()) {
        arm(false);
      }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      arm(false);
      super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (!upgraded && !receiving && msg instanceof ByteBuf bytes && bytes.isReadable()) {
        receiving = true;
        answering = false;
        arm(true);
      }
      super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      cancel();
      super.channelInactive(ctx);
    }
  }

  /** After the codec: sees each request's head and end, and the start of each response. */
  private final class Progress extends ChannelDuplexHandler {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof LastHttpContent) {
        receiving = false;
        cancel();
      }
      super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
      if (msg instanceof HttpResponse response) {
        answering = true;
        if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
          upgraded = true;
          cancel();
        }
      }
      super.write(ctx, msg, promise);
    }
  }
}
