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
   * address is known; null when not clustered. Fails when this node's {@code bridge.history}
   * differs from the cluster's (the node must not start). Call on the context its readers are to run on.
   */
  public static Future<ClusterHistory> start(Vertx vertx, List<HistorySpec> specs, int maxAddresses, long maxTotalBytes) {
    if (!vertx.isClustered()) {
      return Future.succeededFuture(null);
    }
    return HistoryAgreement.check(vertx, specs).compose(v -> {
      if (specs.isEmpty()) {
        return Future.succeededFuture(null);
      }
      RingHistory rings = new RingHistory(vertx, specs, maxAddresses, maxTotalBytes);
      return rings.prepare().map(ready -> new ClusterHistory(rings));
    });
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
