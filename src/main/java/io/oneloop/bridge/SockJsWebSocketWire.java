package io.oneloop.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;

/**
 * SockJS's WebSocket transport, {@code /eventbus/{server}/{session}/websocket}, as sockjs-client
 * speaks it and Vert.x's SockJS server frames it: {@code o} when opened, {@code h} heartbeats,
 * messages as {@code a["<escaped json>",...]} text frames and {@code c[3000,"Go away!"]} before
 * the server closes. A client frame is a JSON array of strings or one JSON string, each string a
 * bridge frame; empty frames are ignored and anything else ends the connection.
 */
final class SockJsWebSocketWire extends WebSocketWire {

  private static final ByteBuf GO_AWAY = Unpooled.unreleasableBuffer(Frames.sockJsClose(3000, "Go away!"));

  private final Listener listener;

  /**
   * A message holds escaped bridge frames, which may take several times their own bytes: its
   * bound is a multiple of {@code maxMessageBytes}; the engine checks each frame in it.
   */
  SockJsWebSocketWire(ServerWebSocket ws, Listener listener, long maxMessageBytes, long closeTimeoutMs) {
    super(ws, listener, wireBound(maxMessageBytes), closeTimeoutMs);
    this.listener = listener;
    writeShared(Frames.SOCKJS_OPEN);
    flush();
  }

  static long wireBound(long maxMessageBytes) {
    return Math.min(Integer.MAX_VALUE / 2, maxMessageBytes * 4 + 4096);
  }

  @Override
  void onMessage(Buffer data, boolean text) {
    if (text) {
      onText(utf8(data));
    } else {
      // SockJS speaks text only.
      ws.close();
    }
  }

  @Override
  public BridgeTransport transport() {
    return BridgeTransport.SOCKJS_WEBSOCKET;
  }

  private void onText(String text) {
    if (text.isEmpty() || "[]".equals(text)) {
      return;
    }
    Object decoded;
    try {
      decoded = Json.decodeValue(text);
    } catch (DecodeException e) {
      decoded = null;
    }
    if (decoded instanceof String frame) {
      listener.onFrame(frame);
    } else if (decoded instanceof JsonArray frames && frames.stream().allMatch(String.class::isInstance)) {
      for (Object frame : frames) {
        listener.onFrame((String) frame);
      }
    } else {
      // Not SockJS framing: the protocol ends such a connection at once.
      ws.close();
    }
  }

  /**
   * Each message is its own {@code a["..."]} frame, encoded once and shared by every subscriber.
   * Joining one client's messages of a turn into one {@code a[...]} frame would copy them per
   * client; measured, it saved about 2 % of the bytes and no server CPU.
   */
  @Override
  public int write(Outgoing frame, Runnable written) {
    return writeShared(frame.sockJsFrame(), written);
  }

  @Override
  public void heartbeat() {
    writeShared(Frames.SOCKJS_HEARTBEAT);
    flush();
  }

  @Override
  public void close() {
    writeShared(GO_AWAY);
    flush();
    ws.close();
  }

  @Override
  public void close(int code, String reason) {
    writeOwned(Frames.sockJsClose(code, reason));
    flush();
    ws.close();
  }

  @Override
  public void closeGoingAway() {
    close();
  }
}
