package io.oneloop.cluster;

import io.oneloop.bridge.LocalPresenceStore;
import io.oneloop.bridge.PresenceStore;
import io.vertx.core.Vertx;

/** The presence store of a node: the cluster's when clustered (Hazelcast's classes are loaded only then), else this process's. */
public final class PresenceStores {

  private PresenceStores() {
  }

  /** Call on the context the membership's listeners run on. */
  public static PresenceStore of(Vertx vertx, ClusterMembership membership) {
    return membership.clustered() ? new HazelcastPresence(vertx, membership) : new LocalPresenceStore();
  }
}
