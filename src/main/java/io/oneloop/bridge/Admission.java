package io.oneloop.bridge;

/**
 * Who a socket is for the engine, as whoever admitted it says: the {@code user} its sends are
 * marked with (null: anonymous), else the {@code client} address they are marked with (null: the
 * socket's own), the {@code permissions} it has (narrowed for it, or the engine's), and when it
 * must be closed ({@code expiresAtMs}, epoch milliseconds; 0: never).
 */
public record Admission(String user, String client, BridgePermissions permissions, long expiresAtMs) {

  /** An anonymous socket from {@code client} (null: the socket's own address) with the engine's permissions. */
  public static Admission anonymous(String client) {
    return new Admission(null, client, null, 0);
  }
}
