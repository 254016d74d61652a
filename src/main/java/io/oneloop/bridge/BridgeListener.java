package io.oneloop.bridge;

/**
 * What the engine reports as it works, for whoever counts it (the app's metrics): every method is
 * called on an engine's event loop and must be cheap, and {@link #NOOP} ignores them all.
 */
public interface BridgeListener {

  /** A listener that counts nothing: an engine without metrics. */
  BridgeListener NOOP = new BridgeListener() {
  };

  /** A socket opened (+1) or closed (-1) on {@code transport}. */
  default void sockets(BridgeTransport transport, int delta) {
  }

  /** A client sent or published a message. */
  default void received() {
  }

  /** {@code count} messages went out to clients (one publish to n sockets is n). */
  default void delivered(int count) {
  }

  /** A client's frame or connection was refused with this error string. */
  default void refused(String reason) {
  }

  /** {@code count} sockets were closed by an administrator's disconnect. */
  default void disconnected(int count) {
  }

  /** A client was closed for reading too slowly. */
  default void slowClosed() {
  }

  /** The authorizer answered, or was given up on, after {@code nanos}. */
  default void authorizerAnswered(long nanos) {
  }

  /** The authorizer denied: {@code denied} (it said no), {@code failed} (it threw or failed), {@code timeout} (no answer in time). */
  default void authorizerDenied(String reason) {
  }
}
