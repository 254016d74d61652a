package io.oneloop.bridge;

import io.vertx.core.http.ServerWebSocket;

import java.nio.charset.StandardCharsets;

/**
 * The raw WebSocket transport on {@code /eventbus/websocket}: each bridge frame is one WebSocket
 * frame, binary from the server as Vert.x's bridge sends it, text or binary from the client.
 */
final class RawWebSocketWire extends WebSocketWire {

  private static final short GOING_AWAY = 1001;

  RawWebSocketWire(ServerWebSocket ws, Listener listener) {
    super(ws, listener);
    ws.textMessageHandler(listener::onFrame);
    ws.binaryMessageHandler(data -> listener.onFrame(data.toString(StandardCharsets.UTF_8)));
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
