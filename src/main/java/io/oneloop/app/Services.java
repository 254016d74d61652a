package io.oneloop.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.oneloop.bridge.BridgeOptions;
import io.oneloop.bridge.BridgeSockets;
import io.oneloop.bridge.History;
import io.oneloop.bridge.Presence;
import io.oneloop.bridge.PresenceStore;
import io.oneloop.chat.ChatVerticle;
import io.oneloop.cluster.ClusterHistory;
import io.oneloop.cluster.ClusterMembership;
import io.oneloop.cluster.ClusterNodes;
import io.oneloop.cluster.NodeId;
import io.oneloop.cluster.PresenceStores;
import io.oneloop.config.AppConfig;
import io.oneloop.config.AuthorizerClass;
import io.oneloop.config.TaskSpec;
import io.oneloop.http.HttpInstances;
import io.oneloop.http.HttpVerticle;
import io.oneloop.http.OpsRoutes;
import io.oneloop.http.Security;
import io.oneloop.jobs.JobManager;
import io.oneloop.metrics.AppMetrics;
import io.oneloop.supervision.AppState;
import io.oneloop.supervision.Outcome;
import io.oneloop.supervision.Supervisor;
import io.oneloop.tasks.Task;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * What runs on this node and how its parts meet: builds the job manager, the cluster membership
 * and its callbacks, the supervisor, metrics, and the HTTP and chat services with what they share.
 * {@link AppLifecycle} decides when each runs; this class only builds and connects.
 */
final class Services {

  private final Vertx vertx;
  private final Context context;
  private final AppConfig config;
  private final AppState state;
  /** Vert.x's own metrics registry when the process started Vert.x with metrics, else null. */
  private final PrometheusMeterRegistry vertxRegistry;
  /** Completes when the app has stopped: what lives as long as the app closes then. */
  private final Future<Outcome> terminated;
  private final JobManager jobs;
  private final Instant startedAt = Instant.now();
  /** The cluster as this node sees it (a cluster of one when not clustered). */
  private ClusterMembership membership;
  private Supervisor supervisor;
  private ClusterNodes nodes;
  /** oneloop's metrics, or null with {@code metrics.enabled} false. */
  private AppMetrics metrics;
  /** The bridge sockets of this node's HTTP server, for {@code GET /api/cluster}. */
  private BridgeSockets bridgeSockets;

  /** {@code config} is checked already. */
  Services(Vertx vertx, Context context, AppConfig config, AppState state, PrometheusMeterRegistry vertxRegistry,
           Future<Outcome> terminated) {
    this.vertx = vertx;
    this.context = context;
    this.config = config;
    this.state = state;
    this.vertxRegistry = vertxRegistry;
    this.terminated = terminated;
    this.jobs = new JobManager(vertx, NodeId.of(vertx), config.jobs(), config.jobTypes());
  }

  JobManager jobs() {
    return jobs;
  }

  Supervisor supervisor() {
    return supervisor;
  }

  ClusterMembership membership() {
    return membership;
  }

  /** Builds the membership, the supervisor, the cluster view and metrics, and connects them. */
  void connect() {
    membership = ClusterMembership.of(vertx).minMembers(config.cluster().minMembers());
    // Each survivor marks a departed node's unfinished jobs failed (the first to get there wins); a side
    // below cluster.minMembers does not: the node it lost may well be running them on the other side.
    membership.onNodeLeft(left -> {
      if (!membership.belowMinMembers()) {
        jobs.nodeLeft(left);
      }
    });
    supervisor = new Supervisor(vertx, context, membership.nodeId());
    supervisor.quorum(membership::belowMinMembers, membership::takeOverDelayMs, membership::singletonsMayPublish);
    terminated.onComplete(ar -> membership.close());
    membership.onChange(supervisor::membersChanged);
    // After a split heals, a singleton runs on the side that kept its lock, never on both.
    membership.onMerged(supervisor::standDownSingletons);
    nodes = new ClusterNodes(vertx, membership, this::describeNode);
    terminated.onComplete(ar -> nodes.close());
    if (config.ops().metricsEnabled()) {
      metrics = AppMetrics.start(vertx, vertxRegistry, config.tasks().stream().map(TaskSpec::name).toList(),
        Supervisor.TASK_STATE_NAMES);
      jobs.meters(metrics.registry());
      metrics.bindJobs(JobManager.STATE_NAMES, jobs::count, jobs::queued);
      metrics.bindCluster(() -> membership.members().size(), membership::belowMinMembers, config.tasks().stream().filter(TaskSpec::singleton).map(TaskSpec::name).toList(),
        supervisor::heldSingletons);
      terminated.onComplete(ar -> metrics.close());
    }
  }

  /** The HTTP server, then the chat service; the end of either ends the app. */
  Future<Void> deploy() {
    Security security = Security.create(vertx, config);
    vertx.sharedData().getLocalMap(Task.LIMITS_MAP).put(Task.MAX_OUTBOUND_BYTES, config.bridge().limits().maxOutboundBytes());
    OpsRoutes ops = new OpsRoutes(state, config.ops(),
      config.tasks().stream().filter(TaskSpec::critical).map(TaskSpec::name).toList(), metrics, config.json(), membership, nodes);
    // One history per process, shared by every instance; it goes with the app. In a cluster its seqs come from the rings every node shares.
    return ClusterHistory.start(vertx, config.bridge().history(), config.bridge().maxHistoryAddresses(),
        config.bridge().maxHistoryBytes())
      .compose(rings -> deploy(ops, security, rings));
  }

  private Future<Void> deploy(OpsRoutes ops, Security security, ClusterHistory rings) {
    History history = new History(vertx, config.bridge().history(), config.bridge().maxHistoryAddresses(),
      config.bridge().maxHistoryBytes(), config.bridge().maxHistoryAddressesPerClient(), rings == null ? null : rings.feed());
    if (metrics != null) {
      metrics.bridge().historyBytes(history::bytes);
      if (rings != null) {
        metrics.bridge().historyRings(rings::onAppend, rings.readLag());
      }
    }
    terminated.onComplete(ar -> history.close());
    // One presence per process too, in the cluster's store when clustered; its entries name this node.
    BridgeOptions onNode = config.bridge().onNode(membership.nodeId());
    PresenceStore store = PresenceStores.of(vertx, membership);
    Presence presence = new Presence(vertx, onNode.presence(), store);
    if (metrics != null) {
      metrics.bridge().presenceEntries(presence::entries);
      metrics.bridge().presenceUntracked(presence::untracked);
    }
    terminated.onComplete(ar -> store.close());
    // One deployment of http.instances instances: one child for the supervisor, one port, one count.
    HttpInstances http = new HttpInstances(config.http().port(), history, presence, membership.nodeId(), membership::members);
    bridgeSockets = http.bridgeSockets();
    if (metrics != null) {
      metrics.bridge().queuedBytes(bridgeSockets::queuedBytes);
    }
    BridgeOptions bridge;
    try {
      // One authorizer for every engine, made once: its class was checked with the config.
      bridge = config.bridgeAuthorizer() == null ? onNode
        : onNode.withAuthorizer(AuthorizerClass.create(config.bridgeAuthorizer()), onNode.authorizerTimeoutMs());
    } catch (IllegalStateException e) {
      return Future.failedFuture(e);
    }
    return supervisor.deployService("HTTP", "server",
        () -> new HttpVerticle(config.http(), bridge, state, jobs, ops, http, security),
        new DeploymentOptions().setInstances(config.http().instances()))
      .compose(v -> supervisor.deployService("chat", "service", () -> new ChatVerticle(config.chat()), new DeploymentOptions()));
  }

  /** After a failed start: the supervisor gives up and what was built closes. */
  void abandon() {
    supervisor.abandon();
    nodes.close();
    jobs.close();
    if (metrics != null) {
      metrics.close();
    }
  }

  /** This node for {@code GET /api/cluster}: its addresses, start, the singletons it runs, its bridge sockets and task records. */
  private JsonObject describeNode() {
    return new JsonObject()
      .put("http", config.http().host() + ":" + state.httpPort())
      .put("cluster", membership.clustered() ? config.cluster().address() : null)
      .put("startedAt", startedAt.toString())
      .put("singletons", new JsonArray(supervisor.heldSingletons()))
      .put("bridgeSockets", bridgeSockets == null ? 0 : bridgeSockets.total())
      .put("tasks", supervisor.taskRecords());
  }
}
