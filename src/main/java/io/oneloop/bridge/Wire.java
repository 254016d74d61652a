package io.oneloop.bridge;

import io.vertx.core.net.SocketAddress;

/**
 * One client's connection as the bridge engine sees it: the transport's framing and its queue.
 * Every method runs on the engine's event loop.
 */
interface Wire {

  /** What the wire tells the engine: a bridge frame arrived, or the connection is gone. */
  interface Listener {
    void onFrame(String text);

    /** A WebSocket ping or pong arrived (Vert.x has already queued the pong for a ping). */
    default void onControlFrame() {
    }

    /** A message over the wire's size bound began; the rest of it is dropped. */
    default void onTooLarge() {
    }

    /** A frame broke the protocol (status {@code code}): the wire is closing the connection. */
    default void onProtocolError(int code) {
    }

    /** Handling something from this client threw: a bug, confined to this client. */
    default void onFailure(RuntimeException failure) {
    }

    void onClosed();
  }

  BridgeTransport transport();

  SocketAddress remoteAddress();

  /** Bytes accepted for this client and not yet handed to its network connection. */
  long queuedBytes();

  /** Queues a frame; it goes out at the next {@link #flush()} at the latest. Returns the bytes it queued. */
  default int write(Outgoing frame) {
    return write(frame, null);
  }

  /**
   * Queues a frame and, unless {@code written} is null, runs it on the engine's event loop once the
   * frame (and so everything queued before it) has been handed to the network; never if the
   * connection ends first. Returns the bytes it queued.
   */
  int write(Outgoing frame, Runnable written);

  /** Sends what was queued since the last flush. */
  void flush();

  /** Keeps an idle session alive where the transport asks for it (SockJS's "h"). */
  default void heartbeat() {
  }

  /** Closes the way the transport closes on the server's initiative, after what is queued. */
  void close();

  /** Closes with this code and reason (SockJS: its close frame), after what is queued. */
  void close(int code, String reason);

  /** Closes for a server shutdown, after what is queued. */
  void closeGoingAway();

  /**
   * Ends the connection at once, dropping what is queued: for a client that does not read, or
   * one whose close did not complete within {@code bridge.closeTimeoutMs}.
   */
  void abort();
}
