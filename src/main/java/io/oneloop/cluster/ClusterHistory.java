package io.oneloop.cluster;

import io.oneloop.bridge.HistoryFeed;
import io.oneloop.bridge.HistorySpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The history feed of a clustered node (the rings every node shares), or none for a node that is
 * not clustered: Hazelcast's classes are loaded only in the first case.
 */
public final class ClusterHistory {

  private final RingHistory rings;

  private ClusterHistory(RingHistory rings) {
    this.rings = rings;
  }

  /**
   * The cluster's history for the node {@code vertx} is, ready once the epoch of every exact
   * address is known; null when not clustered. Call on the context its readers are to run on.
   */
  public static Future<ClusterHistory> start(Vertx vertx, List<HistorySpec> specs, int maxAddresses) {
    if (!vertx.isClustered() || specs.isEmpty()) {
      return Future.succeededFuture(null);
    }
    RingHistory rings = new RingHistory(vertx, specs, maxAddresses);
    return rings.prepare().map(v -> new ClusterHistory(rings));
  }

  public HistoryFeed feed() {
    return rings;
  }

  /** Gets how long each append to a ring took, in nanoseconds. */
  public void onAppend(LongConsumer nanos) {
    rings.onAppend(nanos);
  }

  /** The messages this node's readers are behind their rings, the most over them. */
  public LongSupplier readLag() {
    return rings::readLag;
  }
}
