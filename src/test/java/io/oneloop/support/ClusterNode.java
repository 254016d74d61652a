package io.oneloop.support;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import io.oneloop.supervision.AppState;
import io.oneloop.bridge.History;
import io.oneloop.chat.ChatVerticle;
import io.oneloop.cluster.ClusterMembership;
import io.oneloop.cluster.ClusterNodes;
import io.oneloop.config.AppConfig;
import io.oneloop.config.ConfigLoader;
import io.oneloop.http.HttpInstances;
import io.oneloop.http.HttpVerticle;
import io.oneloop.http.OpsRoutes;
import io.oneloop.http.Security;
import io.oneloop.jobs.JobManager;
import io.oneloop.cluster.NodeId;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One oneloop node in the test's JVM: a clustered Vert.x on Hazelcast over 127.0.0.1 (TCP-IP join,
 * no multicast, exact ports, heartbeat 1 s, a member gone after 5 s) with the job records, the
 * HTTP server and its bridge, and the chat, wired as the app wires them.
 */
public final class ClusterNode {

  public final Vertx vertx;
  public final HazelcastClusterManager clusterManager;
  public final JobManager jobs;
  private final AppState state;

  private ClusterNode(Vertx vertx, HazelcastClusterManager clusterManager, JobManager jobs, AppState state) {
    this.vertx = vertx;
    this.clusterManager = clusterManager;
    this.jobs = jobs;
    this.state = state;
  }

  /**
   * Hazelcast for one test node: Vert.x's own map settings, then the network narrowed to loopback
   * and the given members, and oneloop's maps with one backup.
   */
  public static Config hazelcast(String clusterName, int port, List<Integer> memberPorts) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // The join waits 5 s by default for more members to show up: tests start them one by one.
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    NetworkConfig network = config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(memberPorts.stream().map(p -> "127.0.0.1:" + p).toList());
    config.addMapConfig(new MapConfig("oneloop.*").setBackupCount(1));
    return config;
  }

  /** Starts a node that joins the members on {@code memberPorts}, on a free cluster port {@code port}. */
  public static ClusterNode start(String clusterName, int port, List<Integer> memberPorts, JsonObject appConfig)
    throws Exception {
    HazelcastClusterManager clusterManager = new HazelcastClusterManager(hazelcast(clusterName, port, memberPorts));
    Vertx vertx = Vertx.builder()
      .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0)))
      .withClusterManager(clusterManager)
      .buildClustered()
      .await(60, TimeUnit.SECONDS);
    AppConfig config = AppConfig.validate(ConfigLoader.resolve(appConfig, true, Map.of()), "test config");
    JobManager jobs = new JobManager(vertx, NodeId.of(vertx), config.jobs(), config.jobTypes());
    AppState state = new AppState();
    Security security = Security.create(vertx, config);
    ClusterMembership membership = ClusterMembership.of(vertx);
    OpsRoutes ops = new OpsRoutes(state, config.ops(), List.of(), null, config.json(), membership,
      new ClusterNodes(vertx, membership, JsonObject::new));
    HttpInstances http = new HttpInstances(config.http().port(),
      new History(vertx, config.bridge().history(), config.bridge().maxHistoryAddresses()));
    vertx.deployVerticle(() -> new HttpVerticle(config.http(), config.bridge(), state, jobs, ops, http, security),
      new DeploymentOptions()).await(20, TimeUnit.SECONDS);
    vertx.deployVerticle(new ChatVerticle(config.chat())).await(20, TimeUnit.SECONDS);
    return new ClusterNode(vertx, clusterManager, jobs, state);
  }

  public String id() {
    return clusterManager.getNodeId();
  }

  public int httpPort() {
    return state.httpPort();
  }

  /** Ends this member at once, as a crash would: no goodbye to the others, no hand-over of its data. */
  public void crash() {
    clusterManager.getHazelcastInstance().getLifecycleService().terminate();
  }

  /** Closes the node, within a bound; a node that crashed may fail to close cleanly, which is fine here. */
  public void close() {
    try {
      // The work of the jobs still running ends (its waits wake) before the worker threads go.
      jobs.drain().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // a crashed member cannot record its jobs' ends; they are cancelled all the same
    }
    try {
      jobs.close();
      vertx.close().await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      // a crashed member's Vert.x cannot leave a cluster it is no longer in
    }
  }
}
