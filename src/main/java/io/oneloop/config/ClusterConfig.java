package io.oneloop.config;

import java.util.List;

/**
 * {@code cluster}: whether this node joins a Hazelcast cluster of oneloop nodes, the address it
 * listens on for its peers ({@code host}, {@code port}, exactly that port) and the members it
 * looks for at start ({@code "host:port"}, TCP-IP join, no multicast), or, on Kubernetes, the
 * headless service whose DNS names the members ({@code kubernetesService}, else null), and the
 * time over which a stopping node's bridge clients spread their reconnects ({@code reconnectSpreadMs}),
 * and the fewest members a side of the cluster needs to run singletons ({@code minMembers}, null: any).
 */
public record ClusterConfig(boolean enabled, String host, int port, List<String> members, String kubernetesService,
                            long reconnectSpreadMs, Integer minMembers) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 5701;
  /** The default of {@code cluster.reconnectSpreadMs}. */
  public static final long DEFAULT_RECONNECT_SPREAD_MS = 5000;
  /** The most {@code cluster.reconnectSpreadMs} may be: ten minutes. */
  public static final long MAX_RECONNECT_SPREAD_MS = 600_000;
  /** The most {@code cluster.minMembers} may be. */
  public static final int MAX_MIN_MEMBERS = 1000;
  public static final ClusterConfig OFF = new ClusterConfig(false, DEFAULT_HOST, DEFAULT_PORT, List.of(), null);

  /** With the default {@code reconnectSpreadMs}. */
  public ClusterConfig(boolean enabled, String host, int port, List<String> members, String kubernetesService) {
    this(enabled, host, port, members, kubernetesService, DEFAULT_RECONNECT_SPREAD_MS, null);
  }

  /** With no {@code minMembers}. */
  public ClusterConfig(boolean enabled, String host, int port, List<String> members, String kubernetesService,
                       long reconnectSpreadMs) {
    this(enabled, host, port, members, kubernetesService, reconnectSpreadMs, null);
  }

  public ClusterConfig {
    members = List.copyOf(members);
  }

  /** {@code host:port} of this node's cluster listener. */
  public String address() {
    return host + ":" + port;
  }
}
