package io.oneloop.bridge;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;


/**
 * The raw WebSocket transport on {@code /eventbus/websocket}: each bridge frame is one WebSocket
 * frame, binary from the server as Vert.x's bridge sends it, text or binary from the client.
 */
final class RawWebSocketWire extends WebSocketWire {

  private static final short GOING_AWAY = 1001;

  private final Listener listener;

  /** A message is a bridge frame as it is: its bound is {@code maxMessageBytes} itself. */
  RawWebSocketWire(ServerWebSocket ws, Listener listener, long maxMessageBytes, long closeTimeoutMs) {
    super(ws, listener, maxMessageBytes, closeTimeoutMs);
    this.listener = listener;
  }

  @Override
  void onMessage(Buffer data, boolean text) {
    listener.onFrame(utf8(data));
  }

  @Override
  public BridgeTransport transport() {
    return BridgeTransport.RAW;
  }

  @Override
  public int write(Outgoing frame, Runnable written) {
    return writeShared(frame.binaryFrame(), written);
  }

  @Override
  public void close() {
    ws.close();
  }

  @Override
  public void close(int code, String reason) {
    ws.close((short) code, reason);
  }

  @Override
  public void closeGoingAway() {
    ws.close(GOING_AWAY, "server shutting down");
  }
}
