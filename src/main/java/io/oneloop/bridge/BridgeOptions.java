package io.oneloop.bridge;

import java.util.List;

/**
 * The engine's own options, as vertx-bridge-common's {@code BridgeOptions} are the bridge's: which
 * addresses bridge clients may send to and receive from, how many bytes a client may let wait
 * before it is closed as too slow, which addresses keep a history clients can resume from
 * ({@code history}, at most {@code maxHistoryAddresses} addresses and {@code maxHistoryBytes}
 * bytes together, at most {@code maxHistoryAddressesPerClient} regex addresses started by one
 * socket), which origins may open a bridge socket, the limits each socket is held to, which
 * addresses keep a presence ({@code presence}, with the node id its entries name), and the
 * {@link Authorizer} asked after the static lists (null: none) with how long it may take to answer.
 * The app's {@code bridge} config section is read into one of these.
 */
public record BridgeOptions(BridgePermissions permissions, long maxQueuedBytes, List<HistorySpec> history, int maxHistoryAddresses,
                            long maxHistoryBytes, int maxHistoryAddressesPerClient, AllowedOrigins allowedOrigins, BridgeLimits limits,
                            PresenceOptions presence, Authorizer authorizer, long authorizerTimeoutMs) {

  /** The default of {@code bridge.maxQueuedBytes}: 1 MiB. */
  public static final long DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024;
  /** The default of {@code bridge.authorizerTimeoutMs}. */
  public static final long DEFAULT_AUTHORIZER_TIMEOUT_MS = 2000;

  public BridgeOptions {
    history = List.copyOf(history);
  }

  /** Without an authorizer. */
  public BridgeOptions(BridgePermissions permissions, long maxQueuedBytes, List<HistorySpec> history, int maxHistoryAddresses,
                       long maxHistoryBytes, int maxHistoryAddressesPerClient, AllowedOrigins allowedOrigins, BridgeLimits limits,
                       PresenceOptions presence) {
    this(permissions, maxQueuedBytes, history, maxHistoryAddresses, maxHistoryBytes, maxHistoryAddressesPerClient, allowedOrigins,
      limits, presence, null, DEFAULT_AUTHORIZER_TIMEOUT_MS);
  }

  /** Without presence or an authorizer. */
  public BridgeOptions(BridgePermissions permissions, long maxQueuedBytes, List<HistorySpec> history, int maxHistoryAddresses,
                       long maxHistoryBytes, int maxHistoryAddressesPerClient, AllowedOrigins allowedOrigins, BridgeLimits limits) {
    this(permissions, maxQueuedBytes, history, maxHistoryAddresses, maxHistoryBytes, maxHistoryAddressesPerClient, allowedOrigins,
      limits, PresenceOptions.NONE);
  }

  /** These options with {@code authorizer} asked (null: none), given {@code timeoutMs} to answer. */
  public BridgeOptions withAuthorizer(Authorizer authorizer, long timeoutMs) {
    return new BridgeOptions(permissions, maxQueuedBytes, history, maxHistoryAddresses, maxHistoryBytes, maxHistoryAddressesPerClient,
      allowedOrigins, limits, presence, authorizer, timeoutMs);
  }

  /** Permissions and a queue bound, no history, the default origins and limits. */
  public BridgeOptions(BridgePermissions permissions, long maxQueuedBytes) {
    this(permissions, maxQueuedBytes, List.of(), HistorySpec.DEFAULT_MAX_ADDRESSES, HistorySpec.DEFAULT_MAX_TOTAL_BYTES,
      HistorySpec.DEFAULT_MAX_ADDRESSES_PER_CLIENT, AllowedOrigins.DEFAULT, BridgeLimits.DEFAULT, PresenceOptions.NONE);
  }

  /** The same options on the node {@code nodeId}, which presence entries name. */
  public BridgeOptions onNode(String nodeId) {
    return new BridgeOptions(permissions, maxQueuedBytes, history, maxHistoryAddresses, maxHistoryBytes, maxHistoryAddressesPerClient,
      allowedOrigins, limits, presence.withNodeId(nodeId), authorizer, authorizerTimeoutMs);
  }
}
