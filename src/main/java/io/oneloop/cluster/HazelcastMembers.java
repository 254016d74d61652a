package io.oneloop.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Hazelcast's side of the cluster membership: a membership listener of its own on the
 * Hazelcast instance (the cluster manager's node listener is Vert.x's, and holds only one), each
 * member named by the Vert.x node id it carries.
 */
final class HazelcastMembers {

  /** The member attribute vertx-hazelcast stores each member's Vert.x node id in. */
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private final HazelcastClusterManager manager;
  private final HazelcastInstance hazelcast;

  HazelcastMembers(Vertx vertx) {
    this.manager = (HazelcastClusterManager) ((VertxInternal) vertx).clusterManager();
    this.hazelcast = manager.getHazelcastInstance();
  }

  boolean active() {
    return manager.isActive() && hazelcast.getLifecycleService().isRunning();
  }

  String localId() {
    return manager.getNodeId();
  }

  /** The Vert.x node ids of the members, oldest first. */
  List<String> current() {
    return ids(hazelcast.getCluster().getMembers());
  }

  private static List<String> ids(Iterable<Member> members) {
    List<String> ids = new ArrayList<>();
    for (Member member : members) {
      String id = member.getAttribute(NODE_ID_ATTRIBUTE);
      if (id != null) {
        ids.add(id);
      }
    }
    return ids;
  }

  /**
   * From Hazelcast's event threads: {@code changed} gets the members after each change and the one
   * that left (null when one joined); {@code merged} runs when this node's side of a split merged
   * into the other.
   */
  void listen(BiConsumer<List<String>, String> changed, Runnable merged) {
    // Only the members of the side that gave way see MERGED: their data was dropped for the other side's.
    hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
        merged.run();
      }
    });
    hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        changed.accept(ids(event.getMembers()), null);
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        changed.accept(ids(event.getMembers()), event.getMember().getAttribute(NODE_ID_ATTRIBUTE));
      }
    });
  }
}
