package io.oneloop.config;

import io.oneloop.config.RestartPolicy;
import io.oneloop.bridge.BridgePermissions;
import io.oneloop.bridge.HistorySpec;
import io.oneloop.testtasks.SelfEndingTask;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigTest {

  private static AppConfig check(String json) {
    return AppConfig.validate(ConfigLoader.resolve(new JsonObject(json), true, Map.of()), "conf/bad.json");
  }

  private static String error(String json) {
    return assertThrows(ConfigException.class, () -> check(json)).getMessage();
  }

  @Test
  @DisplayName("the shipped config is valid and runs the ticker")
  void shippedConfigIsValid() {
    AppConfig config = AppConfig.validate(ConfigLoader.builtInDefaults(), "conf/config.json");
    assertEquals(8080, config.http().port());
    assertEquals("127.0.0.1", config.http().host());
    assertEquals(10000, config.shutdownTimeoutMs());
    assertEquals("ticker", config.tasks().get(0).kind());
  }

  @Test
  @DisplayName("http.maxConnections is 12000 by default, and may not be below bridge.maxConnections")
  void httpMaxConnections() {
    assertEquals(12000, check("{}").http().maxConnections());
    assertEquals(50, check("{\"http\":{\"maxConnections\":50},\"bridge\":{\"maxConnections\":50}}").http().maxConnections());
    assertEquals("conf/bad.json: http.maxConnections must be at least bridge.maxConnections (10000), got 500",
      error("{\"http\":{\"maxConnections\":500}}"));
    assertEquals("conf/bad.json: http.maxConnections must be at least bridge.maxConnections (20000), got 12000",
      error("{\"bridge\":{\"maxConnections\":20000}}"));
    assertEquals("conf/bad.json: http.maxConnections must be an integer 1-10000000, got 0", error("{\"http\":{\"maxConnections\":0}}"));
  }

  @Test
  @DisplayName("http.allowedHosts: host names, none by default; a scheme, a port or a pattern is named with its index")
  void allowedHosts() {
    assertEquals(List.of(), check("{}").http().allowedHosts());
    assertEquals(List.of("app.example.com", "ops.internal."),
      check("{\"http\":{\"allowedHosts\":[\"app.example.com\",\"ops.internal.\"]}}").http().allowedHosts());
    assertEquals("conf/bad.json: http.allowedHosts[1] must be a host name such as \"app.example.com\" (no scheme, no port), got \"http://x.example\"",
      error("{\"http\":{\"allowedHosts\":[\"a.example\",\"http://x.example\"]}}"));
    assertEquals("conf/bad.json: http.allowedHosts[0] must be a host name such as \"app.example.com\" (no scheme, no port), got \"x.example:8080\"",
      error("{\"http\":{\"allowedHosts\":[\"x.example:8080\"]}}"));
    assertEquals("conf/bad.json: http.allowedHosts[0] must be a host name such as \"app.example.com\" (no scheme, no port), got \"*.example\"",
      error("{\"http\":{\"allowedHosts\":[\"*.example\"]}}"));
  }

  @Test
  @DisplayName("a port that is not a number is named with its key path and value")
  void badPort() {
    assertEquals("conf/bad.json: http.port must be an integer 0-65535, got \"abc\"", error("{\"http\":{\"port\":\"abc\"}}"));
    assertEquals("conf/bad.json: http.port must be an integer 0-65535, got 70000", error("{\"http\":{\"port\":70000}}"));
    assertEquals("conf/bad.json: cluster.minMembers must be an integer 1-1000, got 0", error("{\"cluster\":{\"minMembers\":0}}"));
    assertEquals("conf/bad.json: cluster.minMembers must be an integer 1-1000, got \"2\"", error("{\"cluster\":{\"minMembers\":\"2\"}}"));
  }

  @Test
  @DisplayName("http.instances defaults to the number of cores and bridge.maxQueuedBytes to 1 MiB; bad values are named")
  void instancesAndQueueBound() {
    AppConfig defaults = check("{}");
    assertEquals(Runtime.getRuntime().availableProcessors(), defaults.http().instances());
    assertEquals(1024 * 1024, defaults.bridge().maxQueuedBytes());
    AppConfig given = check("{\"http\":{\"instances\":3},\"bridge\":{\"maxQueuedBytes\":65536}}");
    assertEquals(3, given.http().instances());
    assertEquals(65536, given.bridge().maxQueuedBytes());
    assertEquals("conf/bad.json: http.instances must be an integer 1-256, got 0", error("{\"http\":{\"instances\":0}}"));
    assertEquals("conf/bad.json: bridge.maxQueuedBytes must be an integer 1024-2147483647, got \"1M\"",
      error("{\"bridge\":{\"maxQueuedBytes\":\"1M\"}}"));
  }

  @Test
  @DisplayName("bridge.maxQueuedBytesTotal defaults to a quarter of the heap, takes sizes past 2 GiB, and a bad value is named")
  void queueBoundForAllClients() {
    assertEquals(Runtime.getRuntime().maxMemory() / 4, check("{}").bridge().limits().maxQueuedBytesTotal());
    assertEquals(8L << 30, check("{\"bridge\":{\"maxQueuedBytesTotal\":8589934592}}").bridge().limits().maxQueuedBytesTotal());
    assertEquals("conf/bad.json: bridge.maxQueuedBytesTotal must be an integer 1024-9223372036854775807, got 1000",
      error("{\"bridge\":{\"maxQueuedBytesTotal\":1000}}"));
  }

  @Test
  @DisplayName("bridge.history defaults to the ticker, tasks, jobs and chat with 100 messages, 5 minutes and 1 MiB each; bad entries are named")
  void history() {
    AppConfig defaults = check("{}");
    assertEquals(HistorySpec.DEFAULT_ADDRESSES, defaults.bridge().history().stream().map(HistorySpec::address).toList());
    for (HistorySpec spec : defaults.bridge().history()) {
      assertEquals(100, spec.size());
      assertEquals(300_000, spec.ttlMs());
      assertEquals(1024 * 1024, spec.maxBytes());
    }
    assertEquals(1000, defaults.bridge().maxHistoryAddresses());
    AppConfig given = check("{\"bridge\":{\"history\":[{\"addressRegex\":\"room\\\\..+\",\"size\":5}],\"maxHistoryAddresses\":7}}");
    HistorySpec room = given.bridge().history().get(0);
    assertTrue(room.matches("room.1") && !room.matches("hall.1"));
    assertEquals(5, room.size());
    assertEquals(7, given.bridge().maxHistoryAddresses());
    assertEquals("conf/bad.json: bridge.history[0].size must be an integer 1-100000, got 0",
      error("{\"bridge\":{\"history\":[{\"address\":\"a\",\"size\":0}]}}"));
    assertEquals("conf/bad.json: bridge.history[1] must have exactly one of \"address\" or \"addressRegex\"",
      error("{\"bridge\":{\"history\":[{\"address\":\"a\"},{\"size\":3}]}}"));
    assertEquals("conf/bad.json: bridge.history names 2 addresses, more than bridge.maxHistoryAddresses 1",
      error("{\"bridge\":{\"maxHistoryAddresses\":1,\"history\":[{\"address\":\"a\"},{\"address\":\"b\"}]}}"));
  }

  @Test
  @DisplayName("bridge.maxHistoryBytes defaults to 64 MiB and bridge.maxHistoryAddressesPerClient to 16; bad values are named")
  void historyBudgets() {
    AppConfig defaults = check("{}");
    assertEquals(64 * 1024 * 1024, defaults.bridge().maxHistoryBytes());
    assertEquals(16, defaults.bridge().maxHistoryAddressesPerClient());
    AppConfig given = check("{\"bridge\":{\"maxHistoryBytes\":1048576,\"maxHistoryAddressesPerClient\":0}}");
    assertEquals(1024 * 1024, given.bridge().maxHistoryBytes());
    assertEquals(0, given.bridge().maxHistoryAddressesPerClient());
    assertEquals("conf/bad.json: bridge.maxHistoryBytes must be an integer 1048576-2147483647, got 1048575",
      error("{\"bridge\":{\"maxHistoryBytes\":1048575}}"));
    assertEquals("conf/bad.json: bridge.maxHistoryBytes must be an integer 1048576-2147483647, got \"64M\"",
      error("{\"bridge\":{\"maxHistoryBytes\":\"64M\"}}"));
    assertEquals("conf/bad.json: bridge.maxHistoryAddressesPerClient must be an integer 0-1000000, got -1",
      error("{\"bridge\":{\"maxHistoryAddressesPerClient\":-1}}"));
  }

  @Test
  @DisplayName("a file given with -conf takes missing keys from the defaults and has no tasks unless it lists some")
  void explicitFileMergesDefaults() {
    AppConfig config = check("{\"http\":{\"port\":9999}}");
    assertEquals(9999, config.http().port());
    assertEquals("127.0.0.1", config.http().host());
    assertEquals(10000, config.shutdownTimeoutMs());
    assertTrue(config.tasks().isEmpty());
    BridgePermissions permissions = config.bridge().permissions();
    JsonObject defaults = ConfigLoader.builtInDefaults().getJsonObject("bridge");
    defaults.getJsonArray("outbound").forEach(entry -> assertTrue(permissions.mayReceive(((JsonObject) entry).getString("address"))));
    defaults.getJsonArray("inbound").forEach(entry -> assertTrue(permissions.maySend(((JsonObject) entry).getString("address"))));
    assertFalse(permissions.maySend("oneloop.ticker"), "outbound addresses are not inbound ones");
    assertFalse(permissions.mayReceive("oneloop.chat.send"), "inbound addresses are not outbound ones");
  }

  @Test
  @DisplayName("a permission list given replaces the default list")
  void listsReplace() {
    BridgePermissions permissions = check("{\"bridge\":{\"outbound\":[{\"addressRegex\":\"feed\\\\..+\"}]}}").bridge().permissions();
    assertTrue(permissions.mayReceive("feed.prices"));
    assertFalse(permissions.mayReceive("oneloop.ticker"), "the default outbound list is replaced");
    assertFalse(permissions.mayReceive("feed."), "the pattern matches the whole address");
  }

  @Test
  @DisplayName("the environment overrides http.port and http.host, and a bad value is named")
  void environmentOverrides() {
    JsonObject resolved = ConfigLoader.resolve(new JsonObject(), true, Map.of("ONELOOP_HTTP_PORT", "9123", "ONELOOP_HTTP_HOST", "127.0.0.1"));
    assertEquals(9123, resolved.getJsonObject("http").getInteger("port"));
    assertEquals("127.0.0.1", resolved.getJsonObject("http").getString("host"));
    ConfigException e = assertThrows(ConfigException.class,
      () -> ConfigLoader.resolve(new JsonObject(), true, Map.of("ONELOOP_HTTP_PORT", "http")));
    assertEquals("ONELOOP_HTTP_PORT must be an integer 0-65535, got \"http\"", e.getMessage());
  }

  @Test
  @DisplayName("task entries are checked: name, exactly one of type or class, known type, loadable class, threading")
  void taskErrors() {
    assertEquals("conf/bad.json: tasks[0].name must be a non-empty string, got nothing",
      error("{\"tasks\":[{\"type\":\"ticker\"}]}"));
    assertTrue(error("{\"tasks\":[{\"name\":\"a\"}]}").startsWith("conf/bad.json: tasks[0] must have exactly one of \"type\""));
    assertTrue(error("{\"tasks\":[{\"name\":\"a\",\"type\":\"clock\"}]}")
      .startsWith("conf/bad.json: tasks[0].type must be a built-in task type (metrics, ticker), got \"clock\""));
    assertEquals("conf/bad.json: tasks[0].class: no class com.acme.Missing on the class path",
      error("{\"tasks\":[{\"name\":\"a\",\"class\":\"com.acme.Missing\"}]}"));
    assertEquals("conf/bad.json: tasks[0].class: java.lang.String is not a Vert.x verticle (io.vertx.core.Deployable)",
      error("{\"tasks\":[{\"name\":\"a\",\"class\":\"java.lang.String\"}]}"));
    assertEquals("conf/bad.json: tasks[1].name must be unique, got \"a\" a second time",
      error("{\"tasks\":[{\"name\":\"a\",\"type\":\"ticker\"},{\"name\":\"a\",\"type\":\"ticker\"}]}"));
    assertEquals("conf/bad.json: tasks[0].threading must be \"worker\" or \"event-loop\", got \"fast\"",
      error("{\"tasks\":[{\"name\":\"a\",\"type\":\"ticker\",\"threading\":\"fast\"}]}"));
    assertEquals("conf/bad.json: tasks[0].config must be an object, got 5",
      error("{\"tasks\":[{\"name\":\"a\",\"type\":\"ticker\",\"config\":5}]}"));
    check("{\"tasks\":[{\"name\":\"a\",\"class\":\"" + SelfEndingTask.class.getName() + "\",\"threading\":\"event-loop\"}]}");
    assertEquals("conf/bad.json: tasks[0].restart.policy must be \"never\", \"on-failure\" or \"always\", got \"sometimes\"",
      error("{\"tasks\":[{\"name\":\"a\",\"type\":\"ticker\",\"restart\":{\"policy\":\"sometimes\"}}]}"));
    assertEquals("conf/bad.json: tasks[0].critical must be true or false, got \"yes\"",
      error("{\"tasks\":[{\"name\":\"a\",\"type\":\"ticker\",\"critical\":\"yes\"}]}"));
    TaskSpec spec = check("{\"tasks\":[{\"name\":\"a\",\"type\":\"ticker\",\"restart\":{\"policy\":\"on-failure\",\"backoffMs\":500}}]}").tasks().get(0);
    assertEquals(new RestartPolicy(RestartPolicy.Kind.ON_FAILURE, 3, 60000, 500, 30000), spec.restart());
    assertTrue(spec.critical());
  }

  @Test
  @DisplayName("misspelt keys and bad permissions are refused with their path")
  void unknownKeysAndPermissions() {
    assertTrue(error("{\"shutdownTimeout\":5}").startsWith("conf/bad.json: shutdownTimeout is not a known key"));
    assertTrue(error("{\"http\":{\"prot\":1}}").startsWith("conf/bad.json: http.prot is not a known key"));
    assertEquals("conf/bad.json: bridge.inbound[0] must have exactly one of \"address\" or \"addressRegex\"",
      error("{\"bridge\":{\"inbound\":[{}]}}"));
    assertTrue(error("{\"bridge\":{\"inbound\":[{\"addressRegex\":\"(\"}]}}")
      .startsWith("conf/bad.json: bridge.inbound[0].addressRegex must be a valid regular expression, got \"(\""));
    assertEquals("conf/bad.json: shutdownTimeoutMs must be an integer 1-2147483647, got 0", error("{\"shutdownTimeoutMs\":0}"));
  }

  @Test
  @DisplayName("an unreadable or malformed config file is named in the error")
  void unreadableFiles(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("missing.json");
    assertEquals(missing + ": cannot read the config file (no such file)",
      assertThrows(ConfigException.class, () -> ConfigLoader.loadArgument(missing.toString())).getMessage());
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"http\": ");
    assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.loadArgument(broken.toString()))
      .getMessage().startsWith(broken + ": not valid JSON"));
    Path list = Files.writeString(dir.resolve("list.json"), "[1]");
    assertEquals(list + ": the config must be a JSON object",
      assertThrows(ConfigException.class, () -> ConfigLoader.loadArgument(list.toString())).getMessage());
  }
}
