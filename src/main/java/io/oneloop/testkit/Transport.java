package io.oneloop.testkit;

/** The ways a client reaches the event-bus bridge, each with its path and its framing around the bridge's JSON frames. */
public enum Transport {

  /** A plain WebSocket on {@code /eventbus/websocket}: one bridge frame per WebSocket message. */
  RAW("raw WebSocket") {
    @Override
    public String path() {
      return "/eventbus/websocket";
    }

    @Override
    public String wrap(String frame) {
      return frame;
    }
  },

  /** SockJS's WebSocket transport, the one sockjs-client picks in every current browser. */
  SOCKJS("SockJS WebSocket") {
    @Override
    public String path() {
      return SockJsFrames.websocketPath("/eventbus");
    }

    @Override
    public String wrap(String frame) {
      return SockJsFrames.encode(frame);
    }
  };

  private final String label;

  Transport(String label) {
    this.label = label;
  }

  /** The path a new connection opens; for SockJS a fresh session each time. */
  public abstract String path();

  /** The WebSocket message that carries one bridge frame. */
  public abstract String wrap(String frame);

  @Override
  public String toString() {
    return label;
  }
}
