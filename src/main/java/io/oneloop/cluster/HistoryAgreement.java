package io.oneloop.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.oneloop.bridge.HistorySpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Every node of a cluster has the same {@code bridge.history}: the rings, their sizes and bounds
 * are the cluster's, so a node with other entries would number, bound or expire them otherwise. The
 * first node to join writes its entries into the map {@value #MAP}; a later one compares and does
 * not start when they differ. The entry lives as long as the cluster does: changing
 * {@code bridge.history} takes a full restart of the cluster.
 */
final class HistoryAgreement {

  static final String MAP = "oneloop.cluster.settings";
  static final String KEY = "bridge.history";
  private static final int SHOWN = 300;

  private HistoryAgreement() {
  }

  static Future<Void> check(Vertx vertx, List<HistorySpec> specs) {
    HazelcastInstance hazelcast = ((HazelcastClusterManager) ((VertxInternal) vertx).clusterManager()).getHazelcastInstance();
    String mine = canonical(specs);
    return vertx.executeBlocking(() -> hazelcast.<String, String>getMap(MAP).putIfAbsent(KEY, mine), false).compose(theirs -> {
      if (theirs == null || theirs.equals(mine)) {
        return Future.succeededFuture();
      }
      return Future.failedFuture(new IllegalStateException(KEY + " differs from the cluster's: this node has " + shorten(mine)
        + ", the cluster has " + shorten(theirs) + "; every node needs the same " + KEY + " (changing it takes a full restart of the cluster)"));
    });
  }

  /** The entries in a form that compares equal when they mean the same: in order, every bound spelled out. */
  static String canonical(List<HistorySpec> specs) {
    return specs.stream().map(s -> (s.address() != null ? "address=" + s.address() : "addressRegex=" + s.regex().pattern())
      + ",size=" + s.size() + ",ttlMs=" + s.ttlMs() + ",maxBytes=" + s.maxBytes()).collect(Collectors.joining("; ", "[", "]"));
  }

  private static String shorten(String text) {
    return text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "...";
  }
}
