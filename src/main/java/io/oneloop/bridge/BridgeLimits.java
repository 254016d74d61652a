package io.oneloop.bridge;

/**
 * What one bridge client may do before it is refused or closed: the largest frame it may send, the
 * largest message oneloop publishes, frames per second and how long a flood is tolerated, the
 * connection caps, and how long a closing socket may linger.
 */
public record BridgeLimits(long maxMessageBytes, long maxOutboundBytes, int maxInboundPerSecond, long floodCloseMs,
                           int maxConnections, int maxConnectionsPerIp, long closeTimeoutMs) {

  public static final BridgeLimits DEFAULT = new BridgeLimits(64 * 1024, 1024 * 1024, 50, 5000, 10_000, 100, 5000);
}
