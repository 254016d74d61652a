package io.oneloop.bridge;

import io.vertx.core.MultiMap;

/**
 * What an {@link Authorizer} is asked: the {@code action}, the socket's authenticated {@code user}
 * (a static token's name or a JWT's {@code sub}; null when anonymous), the {@code address} (null on
 * {@link Action#CONNECT}), the {@code transport}, and the {@code headers}: the handshake's HTTP
 * headers on connect, else the frame's headers as the bridge will pass them on (with
 * {@code oneloop.user} or {@code oneloop.client} set by the bridge, never by the client).
 */
public record AuthRequest(Action action, String user, String address, BridgeTransport transport, MultiMap headers) {

  /** What a socket asks to do. */
  public enum Action {
    /** Open the socket, at the handshake. */
    CONNECT,
    /** Receive what is published or sent to an address. */
    REGISTER,
    /** Send a message to one consumer of an address. */
    SEND,
    /** Publish a message to every consumer of an address. */
    PUBLISH;

    /** {@code connect}, {@code register}, {@code send} or {@code publish}. */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
