package io.oneloop.config;

import io.oneloop.bridge.AllowedOrigins;
import io.oneloop.bridge.BridgePermissions;

import java.util.List;

/**
 * The {@code bridge} config: which addresses bridge clients may send to and receive from, how
 * many bytes a client may let wait before it is closed as too slow, which addresses keep a
 * history clients can resume from ({@code history}, at most {@code maxHistoryAddresses} addresses
 * and {@code maxHistoryBytes} bytes together, at most {@code maxHistoryAddressesPerClient} regex
 * addresses started by one socket),
 * which origins may open a bridge socket, and the limits each socket is held to.
 */
public record BridgeConfig(BridgePermissions permissions, long maxQueuedBytes, List<HistorySpec> history, int maxHistoryAddresses,
                           long maxHistoryBytes, int maxHistoryAddressesPerClient, AllowedOrigins allowedOrigins, BridgeLimits limits) {

  /** The default of {@code bridge.maxQueuedBytes}: 1 MiB. */
  public static final long DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024;

  public BridgeConfig {
    history = List.copyOf(history);
  }

  /** Permissions and a queue bound, no history, the default origins and limits. */
  public BridgeConfig(BridgePermissions permissions, long maxQueuedBytes) {
    this(permissions, maxQueuedBytes, List.of(), HistorySpec.DEFAULT_MAX_ADDRESSES, HistorySpec.DEFAULT_MAX_TOTAL_BYTES,
      HistorySpec.DEFAULT_MAX_ADDRESSES_PER_CLIENT, AllowedOrigins.DEFAULT, BridgeLimits.DEFAULT);
  }
}
