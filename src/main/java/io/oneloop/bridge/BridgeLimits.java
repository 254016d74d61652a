package io.oneloop.bridge;

/**
 * What one bridge client may do before it is refused or closed: the largest frame it may send, the
 * largest message oneloop publishes, frames per second and how long a flood is tolerated, the
 * connection caps, how long a closing socket may linger, and what may wait for all clients together.
 */
public record BridgeLimits(long maxMessageBytes, long maxOutboundBytes, int maxInboundPerSecond, long floodCloseMs,
                           int maxConnections, int maxConnectionsPerIp, long closeTimeoutMs, long maxQueuedBytesTotal) {

  /** The default of {@code bridge.maxQueuedBytesTotal}: a quarter of the heap this JVM may grow to. */
  public static final long DEFAULT_MAX_QUEUED_BYTES_TOTAL = Runtime.getRuntime().maxMemory() / 4;

  public static final BridgeLimits DEFAULT = new BridgeLimits(64 * 1024, 1024 * 1024, 50, 5000, 10_000, 100, 5000,
    DEFAULT_MAX_QUEUED_BYTES_TOTAL);
}
