package io.oneloop.config;

import java.util.List;

/**
 * {@code cluster}: whether this node joins a Hazelcast cluster of oneloop nodes, the address it
 * listens on for its peers ({@code host}, {@code port}, exactly that port) and the members it
 * looks for at start ({@code "host:port"}, TCP-IP join, no multicast), or, on Kubernetes, the
 * headless service whose DNS names the members ({@code kubernetesService}, else null).
 */
public record ClusterConfig(boolean enabled, String host, int port, List<String> members, String kubernetesService) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 5701;
  public static final ClusterConfig OFF = new ClusterConfig(false, DEFAULT_HOST, DEFAULT_PORT, List.of(), null);

  public ClusterConfig {
    members = List.copyOf(members);
  }

  /** {@code host:port} of this node's cluster listener. */
  public String address() {
    return host + ":" + port;
  }
}
