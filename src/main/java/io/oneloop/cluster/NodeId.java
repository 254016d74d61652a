package io.oneloop.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;

/** The id job records name their node by: the cluster manager's node id, or {@value #LOCAL} when not clustered. */
public final class NodeId {

  /** The node id of a Vert.x that is not clustered. */
  public static final String LOCAL = "local";

  private NodeId() {
  }

  /** Through the cluster-manager interface, so a Vert.x that is not clustered loads no cluster class. */
  public static String of(Vertx vertx) {
    return vertx.isClustered() ? ((VertxInternal) vertx).clusterManager().getNodeId() : LOCAL;
  }
}
