package io.oneloop.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ONELOOP_<PATH> sets any key, parsed as the key's type; a variable naming no key is reported, never fatal. */
class EnvOverridesTest {

  private static AppConfig resolved(Map<String, String> env) {
    return AppConfig.validate(ConfigLoader.resolve(new JsonObject(), true, env), "config");
  }

  @Test
  @DisplayName("a nested key is set by its path joined with _, matched case-insensitively")
  void nestedKey() {
    assertEquals(4, resolved(Map.of("ONELOOP_JOBS_MAXCONCURRENT", "4")).jobs().maxConcurrent());
    assertEquals(5, resolved(Map.of("oneloop_jobs_maxConcurrent", "5")).jobs().maxConcurrent());
  }

  @Test
  @DisplayName("an integer, a boolean, a string and a JSON object or list are each parsed as their key's type")
  void eachType() {
    AppConfig config = resolved(Map.of(
      "ONELOOP_SHUTDOWNTIMEOUTMS", "2500",
      "ONELOOP_METRICS_ENABLED", "false",
      "ONELOOP_HTTP_ACCESSLOG", "true",
      "ONELOOP_LOG_FORMAT", "json",
      "ONELOOP_HTTP_HOST", " 127.0.0.1 ",
      "ONELOOP_BRIDGE_OUTBOUND", "[{\"address\": \"acme.status\"}]",
      "ONELOOP_HEALTH", "{\"maxEventLoopDelayMs\": 500}"));
    assertEquals(2500, config.shutdownTimeoutMs());
    assertFalse(config.ops().metricsEnabled());
    assertTrue(config.ops().accessLog());
    assertEquals("json", config.ops().logFormat());
    assertEquals("127.0.0.1", config.http().host());
    assertTrue(config.bridge().permissions().mayReceive("acme.status"));
    assertFalse(config.bridge().permissions().mayReceive("oneloop.ticker"), "the list given replaces the default list");
    assertEquals(500, config.ops().maxEventLoopDelayMs());
  }

  @Test
  @DisplayName("a list of strings is comma-separated")
  void listOfStrings() {
    JsonObject schema = new JsonObject().put("type", "array").put("items", new JsonObject().put("type", "string"));
    assertEquals(new JsonArray().add("10.0.0.1:5701").add("10.0.0.2:5701"),
      EnvOverrides.parse("ONELOOP_CLUSTER_MEMBERS", "10.0.0.1:5701, 10.0.0.2:5701", schema));
  }

  @Test
  @DisplayName("a value that is not of its key's type stops the start with the variable's name, as the config's own errors do")
  void wrongType() {
    ConfigException e = assertThrows(ConfigException.class, () -> resolved(Map.of("ONELOOP_METRICS_ENABLED", "yes")));
    assertEquals("ONELOOP_METRICS_ENABLED must be true or false, got \"yes\"", e.getMessage());
    ConfigException port = assertThrows(ConfigException.class, () -> resolved(Map.of("ONELOOP_HTTP_PORT", "70000")));
    assertEquals("ONELOOP_HTTP_PORT must be an integer 0-65535, got \"70000\"", port.getMessage());
  }

  @Test
  @DisplayName("a variable that names no key is reported with the nearest known key and changes nothing")
  void unknown() {
    JsonObject config = ConfigLoader.resolve(new JsonObject(), true, Map.of());
    EnvOverrides.Result result = EnvOverrides.apply(config, Map.of("ONELOOP_JOBS_MAXCONCURENT", "4", "OTHER_TOOL_VAR", "x"));
    assertEquals(List.of("ONELOOP_JOBS_MAXCONCURENT names no config key (nearest: ONELOOP_JOBS_MAXCONCURRENT, jobs.maxConcurrent)"),
      result.unknown());
    assertTrue(result.errors().isEmpty());
    assertEquals(2, config.getJsonObject("jobs").getInteger("maxConcurrent"));
    // ... and the start goes on.
    assertEquals(2, resolved(Map.of("ONELOOP_JOBS_MAXCONCURENT", "4")).jobs().maxConcurrent());
  }

  @Test
  @DisplayName("the cluster keys come from ONELOOP_CLUSTER_*, the members as a comma-separated list")
  void clusterKeys() {
    ClusterConfig cluster = resolved(Map.of(
      "ONELOOP_CLUSTER_ENABLED", "true",
      "ONELOOP_CLUSTER_HOST", "10.0.0.1",
      "ONELOOP_CLUSTER_PORT", "5801",
      "ONELOOP_CLUSTER_MEMBERS", "10.0.0.1:5801, 10.0.0.2:5801,10.0.0.3:5801")).cluster();
    assertEquals(new ClusterConfig(true, "10.0.0.1", 5801, List.of("10.0.0.1:5801", "10.0.0.2:5801", "10.0.0.3:5801"), null), cluster);
    ConfigException bad = assertThrows(ConfigException.class, () -> resolved(Map.of("ONELOOP_CLUSTER_MEMBERS", "10.0.0.1")));
    assertEquals(List.of("config: cluster.members[0] must be \"host:port\" with a port 1-65535, got \"10.0.0.1\""), bad.problems());
  }

  @Test
  @DisplayName("every key of the shipped config can be set from the environment")
  void everyKeyIsSettable() {
    Map<String, String> variables = EnvOverrides.variables();
    JsonObject shipped = ConfigLoader.builtInDefaults();
    for (String root : shipped.fieldNames()) {
      if (root.startsWith("$")) {
        continue;
      }
      assertTrue(variables.containsValue(root), root);
      if (shipped.getValue(root) instanceof JsonObject section && !"types".equals(root)) {
        for (String key : section.fieldNames()) {
          assertTrue(variables.containsValue(root + "." + key), root + "." + key);
        }
      }
    }
  }
}
