package io.oneloop.config;

/**
 * Whether the cluster's library is on the class path. oneloop as a library declares
 * {@code io.vertx:vertx-hazelcast} optional (the fat jar carries it), so an app built on it may lack
 * it: a node with {@code cluster.enabled} must then stop at the config, naming what to add, not
 * fail later with a bare {@code NoClassDefFoundError}.
 */
public final class ClusterLibrary {

  /** The Maven coordinates to add; a message names them. */
  public static final String DEPENDENCY = "io.vertx:vertx-hazelcast";

  // Looked up as resources: loading the classes would load Hazelcast itself, which a node with
  // cluster.enabled false must never do.
  private static final String[] RESOURCES = {
    "io/vertx/spi/cluster/hazelcast/HazelcastClusterManager.class",
    "com/hazelcast/core/Hazelcast.class"
  };

  private ClusterLibrary() {
  }

  /** True when the class loader that loads oneloop's cluster code can see both vertx-hazelcast and Hazelcast. */
  public static boolean present() {
    ClassLoader loader = ClusterLibrary.class.getClassLoader();
    for (String resource : RESOURCES) {
      if (loader.getResource(resource) == null) {
        return false;
      }
    }
    return true;
  }
}
