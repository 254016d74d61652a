package io.oneloop.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.oneloop.config.ClusterConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Hazelcast config a node runs with, as docs/cluster.md describes it. */
class HazelcastSetupTest {

  @Test
  @DisplayName("TCP-IP join to the listed members only, exactly cluster.port, on cluster.host, with a 1 s heartbeat and 5 s to be taken for dead")
  void tcpIpJoin() {
    Config config = HazelcastSetup.config(new ClusterConfig(true, "127.0.0.1", 5801, List.of("127.0.0.1:5801", "127.0.0.1:5802"), null));
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertFalse(join.getMulticastConfig().isEnabled());
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(List.of("127.0.0.1:5801", "127.0.0.1:5802"), join.getTcpIpConfig().getMembers());
    assertFalse(join.getKubernetesConfig().isEnabled());
    assertEquals(5801, config.getNetworkConfig().getPort());
    assertFalse(config.getNetworkConfig().isPortAutoIncrement());
    assertEquals(List.of("127.0.0.1"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
    assertEquals("1", config.getProperty("hazelcast.heartbeat.interval.seconds"));
    assertEquals("5", config.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals("slf4j", config.getProperty("hazelcast.logging.type"));
  }

  @Test
  @DisplayName("with cluster.kubernetesService the members come from Kubernetes discovery by DNS, not from a list")
  void kubernetesDiscovery() {
    Config config = HazelcastSetup.config(new ClusterConfig(true, "10.1.2.3", 5701, List.of(), "oneloop-hz.default.svc.cluster.local"));
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertFalse(join.getTcpIpConfig().isEnabled());
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertEquals("oneloop-hz.default.svc.cluster.local", join.getKubernetesConfig().getProperty("service-dns"));
    assertEquals("5701", join.getKubernetesConfig().getProperty("service-port"));
  }
}
