package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

import static io.oneloop.bench.harness.Bench.log;
import static io.oneloop.bench.harness.Rig.CLK_TCK;
import static io.oneloop.bench.harness.Rig.sleep;

/**
 * Three oneloop nodes clustered over Hazelcast on this machine, the clients spread over them and
 * one publisher (the bench task of the first node): each message crosses the clustered event
 * bus to the other two nodes. The same steps as a single node's S1 and fixed rates, with the CPU
 * and memory of all three processes together, so the per-delivery CPU is the cluster's. On a
 * two-core machine the three nodes share both cores with the load generator: the figures say
 * what clustering costs per delivery, not what three machines would deliver.
 */
final class ClusterFanout implements Scenario {

  static final int NODES = 3;
  static final String LABEL = "three nodes share 2 cores";
  /** The record kind of the run with history on the bench address. */
  static final String HISTORY_KIND = "clusterhistory";

  private final Rig rig;
  private final Settings s;
  /**
   * History on the bench address on every node (the same {@code bridge.history} as
   * {@code oneloop-history}, so one Hazelcast ring shared by the nodes), and first, in the same
   * run, one node alone with the same history to compare with.
   */
  private final boolean history;

  ClusterFanout(Rig rig) {
    this(rig, false);
  }

  ClusterFanout(Rig rig, boolean history) {
    this.rig = rig;
    this.s = rig.s;
    this.history = history;
  }

  @Override
  public JsonObject run(Peer peer, int round) throws Exception {
    JsonObject r = new JsonObject().put("round", round).put("peer", peer.id)
        .put("kind", history ? HISTORY_KIND : "cluster").put("nodes", NODES).put("label", LABEL);
    Peer p = peer;
    if (history) {
      p = peer.with(Peer.historyKeys());
      r.put("history", Peer.historyKeys().get(Peer.HISTORY_KEY));
      JsonObject single = ClusterHistory.singleNode(rig, p, round);
      r.put("single", single);
      if (single.getString("error") != null) {
        return r.put("error", single.getString("error"));
      }
    }
    log("round %d %s: %d clustered nodes (%s)%s, %d clients spread over them, one publisher", round,
        p.id, NODES, LABEL, history ? ", history on " + Peer.ADDRESS : "", s.clients);
    List<Integer> clusterPorts = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      clusterPorts.add(Ports.free());
    }
    List<Server> nodes = new ArrayList<>();
    try {
      // All at once: each node's Hazelcast join takes seconds, and they overlap.
      for (int i = 0; i < NODES; i++) {
        Peer node = p.clusterNode(clusterPorts, i);
        nodes.add(i == 0 ? rig.start(node, round, "cluster") : rig.startAlongside(node, round, "cluster"));
      }
      // Each node's start on a record of its own: a cluster node's start is not a sample of S3.
      JsonArray starts = new JsonArray();
      for (Server node : nodes) {
        JsonObject started = new JsonObject().put("round", round).put("kind", "cluster");
        JsonObject notStarted = rig.awaitStart(started, node.peer, node);
        if (notStarted != null) {
          return r.put("error", notStarted.getString("error"));
        }
        starts.add(started.getValue("s3StartMs"));
      }
      r.put("startMs", starts);
      Server first = nodes.get(0);
      first.alongside.addAll(nodes.subList(1, NODES));
      int connected = 0;
      for (int i = 0; i < NODES; i++) {
        int share = s.clients / NODES + (i < s.clients % NODES ? 1 : 0);
        connected += rig.gen.connect(p.protocol, nodes.get(i).port, p.wsPath, Peer.ADDRESS, share,
            s.connectTimeoutMs);
      }
      r.put("connected", connected);
      log("  %d/%d clients connected over %d nodes", connected, s.clients, NODES);
      if (connected < s.clients) {
        return rig.fail(r, p, first, "only " + connected + " of " + s.clients + " clients connected");
      }
      // The other nodes' subscriptions reach the publisher's node through Hazelcast: let them settle.
      sleep(Math.max(s.settleMs, 1000));
      r.put("rssMiB", Json.round(first.rssKiB() / 1024.0, 1));
      JsonArray steps = new JsonArray();
      steps.add(step(first, s.s1Rate, s.s1Seconds));
      for (int i = 0; i < s.highRates.length && first.alive(); i++) {
        steps.add(step(first, s.highRates[i], s.highSeconds[i]));
      }
      r.put("steps", steps);
      if (!first.alive()) {
        return rig.fail(r, p, first, "a node died during the run");
      }
      if (history) {
        ClusterHistory.checkShared(r, nodes);
      }
    } finally {
      rig.gen.expectClose();
      for (Server node : nodes) {
        node.stopQuietly(10_000);
      }
      rig.gen.disconnectAll();
    }
    return r;
  }

  JsonObject step(Server first, double rate, double seconds) throws Exception {
    StepStats st = rig.steps.run(first, rate, seconds);
    log("  %s: %.0f/s for %.0f s: %.2f%% delivered (%,.0f/s), %d gaps, %d duplicates, p99 %.2f ms, "
            + "cluster %.2f us/delivery (CPU %.0f%% of a core), RSS %.0f MiB in all",
        LABEL, rate, seconds, st.deliveriesPct(), st.deliveriesPerSec(), st.gaps, st.duplicates,
        st.ms(99), st.serverCpuUsPerDelivery(CLK_TCK), 100 * st.serverCpuShare(CLK_TCK),
        st.serverRssKiB / 1024.0);
    return st.toJson(CLK_TCK);
  }
}
