package io.oneloop.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.oneloop.config.ClusterConfig;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The Hazelcast config every oneloop node runs with: TCP-IP join to {@code cluster.members} only
 * (no multicast), exactly {@code cluster.port} (no auto-increment), logging through SLF4J, and a
 * heartbeat of 1 s with a member taken for dead after 5 s without one, so the singletons of a
 * node that was killed move within seconds rather than Hazelcast's default minute.
 */
public final class HazelcastSetup {

  /** Hazelcast's own default is 5 s; a member heard from every second is missed soon enough. */
  public static final int HEARTBEAT_SECONDS = 1;
  /** How long a silent member stays in the cluster (Hazelcast's default: 60 s). */
  public static final int MAX_NO_HEARTBEAT_SECONDS = 5;
  private static final String CLUSTER_NAME = "oneloop";
  private static final Pattern IP_LITERAL = Pattern.compile("^[0-9.]+$|^\\[?[0-9A-Fa-f]*:[0-9A-Fa-f:.]*]?$");

  private HazelcastSetup() {
  }

  /** The config of one node. */
  public static Config config(ClusterConfig cluster) {
    Config config = new Config();
    config.setClusterName(CLUSTER_NAME);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(HEARTBEAT_SECONDS));
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(MAX_NO_HEARTBEAT_SECONDS));
    // Members listed are looked for at once; the default waits 5 s before the first join attempt.
    config.setProperty("hazelcast.wait.seconds.before.join", "1");

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false).setPortCount(1);
    String host = cluster.host();
    if (IP_LITERAL.matcher(host).matches()) {
      // Bind and announce exactly this address, not every interface of the machine.
      network.getInterfaces().setEnabled(true).addInterface(host.replace("[", "").replace("]", ""));
      config.setProperty("hazelcast.socket.bind.any", "false");
    } else {
      network.setPublicAddress(host + ":" + cluster.port());
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (cluster.kubernetesService() != null) {
      // DNS lookup mode: the headless service's records are the pods; no API access (RBAC) needed.
      join.getKubernetesConfig().setEnabled(true)
        .setProperty("service-dns", cluster.kubernetesService())
        .setProperty("service-port", Integer.toString(cluster.port()));
    } else {
      join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members().isEmpty()
        ? List.of(cluster.address()) : cluster.members());
    }

    // What vertx-hazelcast's own default config sets up for the event bus's registrations.
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
      .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    // oneloop's own maps (job records, chat): one backup, so they outlive any one node.
    config.addMapConfig(new MapConfig("oneloop.*").setBackupCount(1));
    return config;
  }

  /** A cluster manager for {@code Vertx.builder().withClusterManager(...)}. */
  public static ClusterManager clusterManager(ClusterConfig cluster) {
    return new HazelcastClusterManager(config(cluster));
  }
}
