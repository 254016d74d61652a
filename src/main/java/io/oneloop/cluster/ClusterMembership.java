package io.oneloop.cluster;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Who is in the cluster as this node sees it: its own id, the members (oldest first) and news of
 * a node that left, read from Hazelcast's own membership events. A node that is not clustered is
 * a cluster of one under the id {@value #LOCAL_NODE_ID}. Listeners run on the context that
 * created it.
 */
public final class ClusterMembership {

  private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);
  /** The node id of a node that is not clustered, as the job records name it. */
  public static final String LOCAL_NODE_ID = NodeId.LOCAL;
  /**
   * With {@code minMembers} set, how long after Hazelcast removes a member its singletons wait to be
   * taken over: the departed side, seeing the same silence, stands its singletons down by then.
   */
  public static final long TAKE_OVER_DELAY_MS = 2000;

  private final String nodeId;
  private final boolean clustered;
  private final Context context;
  private final List<Consumer<String>> leftListeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> mergedListeners = new CopyOnWriteArrayList<>();
  private volatile List<String> members;
  /** Whether this node has had peers and lost them all (said once in the log until a peer is back). */
  private boolean alone;

  private final BooleanSupplier joined;
  /** {@code cluster.minMembers}, or 0 when not set. */
  private volatile int minMembers;
  /** {@link System#nanoTime()} when a member last left, as this node saw it; 0 before any did. */
  private volatile long lastLeftNanos;
  /** Notices a pause of this process longer than the heartbeat timeout; null when not clustered. */
  private PauseWatch pauses;

  private ClusterMembership(String nodeId, boolean clustered, Context context, List<String> members, BooleanSupplier joined) {
    this.joined = joined;
    this.nodeId = nodeId;
    this.clustered = clustered;
    this.context = context;
    this.members = List.copyOf(members);
  }

  /**
   * The membership of the node {@code vertx} is: Hazelcast's when clustered (Hazelcast's classes
   * are loaded only then), else a cluster of one. Call on the context the listeners are to run on.
   */
  public static ClusterMembership of(Vertx vertx) {
    Context context = vertx.getOrCreateContext();
    if (!vertx.isClustered()) {
      return new ClusterMembership(LOCAL_NODE_ID, false, context, List.of(LOCAL_NODE_ID), () -> true);
    }
    HazelcastMembers members = new HazelcastMembers(vertx);
    ClusterMembership membership = new ClusterMembership(members.localId(), true, context, members.current(), members::active);
    long timeoutMs = TimeUnit.SECONDS.toMillis(HazelcastSetup.MAX_NO_HEARTBEAT_SECONDS);
    membership.pauses = new PauseWatch(timeoutMs, timeoutMs);
    members.listen(membership::changed, membership::merged);
    return membership;
  }

  /** Sets {@code cluster.minMembers} (null: none, any side runs its singletons). */
  public ClusterMembership minMembers(Integer min) {
    this.minMembers = min == null ? 0 : min;
    return this;
  }

  /** {@code cluster.minMembers}, or null when not set. */
  public Integer minMembers() {
    return minMembers == 0 ? null : minMembers;
  }

  /** Whether this node's side of the cluster has fewer members than {@code cluster.minMembers}. */
  public boolean belowMinMembers() {
    return minMembers > 0 && members.size() < minMembers;
  }

  /**
   * How long a singleton lock this node just got must wait before its task runs here: with
   * {@code minMembers}, until {@link #TAKE_OVER_DELAY_MS} after the last member left (a lock
   * released by a graceful stop comes with no departure, and is taken at once); else 0.
   */
  public long takeOverDelayMs() {
    long left = lastLeftNanos;
    if (minMembers == 0 || left == 0) {
      return 0;
    }
    long since = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - left);
    return Math.max(0, TAKE_OVER_DELAY_MS - since);
  }

  /**
   * Whether this node's singletons may publish now: not below {@code cluster.minMembers}, and not
   * within a heartbeat timeout after a pause of this process longer than the heartbeat timeout
   * (its peers may have handed its singletons on meanwhile). Any thread.
   */
  public boolean singletonsMayPublish() {
    return !belowMinMembers() && (pauses == null || !pauses.suspended());
  }

  /** Stops watching for pauses. */
  public void close() {
    if (pauses != null) {
      pauses.close();
    }
  }

  public String nodeId() {
    return nodeId;
  }

  public boolean clustered() {
    return clustered;
  }

  /** Whether this node is in its cluster (always, for a cluster of one). */
  public boolean joined() {
    return joined.getAsBoolean();
  }

  /** The node ids of the members, oldest first; this node's among them. */
  public List<String> members() {
    return members;
  }

  /** {@code listener} gets the id of each node that leaves the cluster (stopped, killed or cut off). */
  public void onNodeLeft(Consumer<String> listener) {
    leftListeners.add(listener);
  }

  /** {@code listener} runs after each change of the members. */
  public void onChange(Runnable listener) {
    changeListeners.add(listener);
  }

  /**
   * {@code listener} runs when a network split healed and this node's side merged into the other:
   * the locks this node held on its side are gone, the other side's holders keep theirs.
   */
  public void onMerged(Runnable listener) {
    mergedListeners.add(listener);
  }

  /** From Hazelcast's event thread: this node's side of a split merged into the other side. */
  void merged() {
    context.runOnContext(v -> {
      log.warn("This node's side of a network split merged back into the cluster ({} member(s)): "
        + "its singletons stand down to the other side's", members.size());
      mergedListeners.forEach(Runnable::run);
    });
  }

  /** From Hazelcast's event thread: the members now, and the one that left (or null when one joined). */
  void changed(List<String> now, String left) {
    if (left != null) {
      // Taken on Hazelcast's thread, at once: a lock freed by this departure may be granted before the context runs.
      lastLeftNanos = System.nanoTime();
    }
    context.runOnContext(v -> {
      List<String> before = members;
      members = List.copyOf(now);
      if (left != null) {
        log.info("Cluster node {} left; {} member(s) now", left, now.size());
        leftListeners.forEach(l -> l.accept(left));
      } else {
        now.stream().filter(id -> !before.contains(id)).forEach(id -> log.info("Cluster node {} joined; {} member(s) now", id, now.size()));
      }
      if (now.size() <= 1 && before.size() > 1 && !alone) {
        alone = true;
        log.warn("This node lost all its cluster peers: it goes on serving its own clients alone until a peer is back");
      } else if (now.size() > 1 && alone) {
        alone = false;
        log.info("This node has cluster peers again ({} member(s))", now.size());
      }
      if (minMembers > 0 && (before.size() < minMembers) != (now.size() < minMembers)) {
        if (now.size() < minMembers) {
          log.warn("This node's side of the cluster has {} member(s), fewer than cluster.minMembers {}: its singletons stand down",
            now.size(), minMembers);
        } else {
          log.info("This node's side of the cluster has {} member(s) again, at least cluster.minMembers {}", now.size(), minMembers);
        }
      }
      changeListeners.forEach(Runnable::run);
    });
  }
}
