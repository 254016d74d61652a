package io.oneloop.bridge;

/** How a client reaches the bridge; {@link #wireName()} is how counts and logs name it. */
public enum BridgeTransport {
  /** A plain WebSocket on {@code /eventbus/websocket}: one bridge frame per WebSocket frame. */
  RAW("raw"),
  /** SockJS's WebSocket transport, {@code /eventbus/{server}/{session}/websocket}: what browsers use. */
  SOCKJS_WEBSOCKET("sockjs-websocket"),
  /** SockJS's HTTP transports (xhr-streaming, xhr-polling, eventsource, htmlfile, jsonp). */
  SOCKJS_FALLBACK("sockjs-fallback");

  private final String wireName;

  BridgeTransport(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
