package io.oneloop.config;

import io.oneloop.support.LogCapture;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dangerous settings --check-config warns of (and a start logs), each with its line; none stops a start. */
class ConfigWarningsTest {

  @TempDir
  Path dir;

  /** The warnings --check-config gives for {@code json} written to a file; it must have no problem. */
  private List<String> warnings(String json) throws Exception {
    Path file = dir.resolve("warn.json");
    Files.writeString(file, json);
    ConfigLoader.Check check = ConfigLoader.check(file.toString(), Map.of());
    assertEquals(List.of(), check.problems(), "warnings are never problems");
    return check.warnings();
  }

  private String file() {
    return dir.resolve("warn.json").toString();
  }

  @Test
  @DisplayName("the shipped conf/config.json and conf/cluster.json, and an explicit config of defaults, give no warning")
  void shippedConfigIsQuiet() throws Exception {
    ConfigLoader.Check shipped = ConfigLoader.check(null, Map.of());
    assertEquals(List.of(), shipped.problems());
    assertEquals(List.of(), shipped.warnings());
    assertEquals(List.of(), ConfigWarnings.of(ConfigLoader.builtInDefaults(), "conf/config.json"));
    assertEquals(List.of(), warnings("{\"http\": {\"port\": 0}}"));
    ConfigLoader.Check cluster = ConfigLoader.check("conf/cluster.json", Map.of());
    assertEquals(List.of(), cluster.problems());
    assertEquals(List.of(), cluster.warnings(), "the shipped cluster example is quiet too");
  }

  @Test
  @DisplayName("an inbound or outbound addressRegex that matches every address is named with what it opens")
  void matchEverything() throws Exception {
    assertEquals(List.of(
        file() + ": bridge.inbound[1].addressRegex \".*\" matches every address: any client may send to any address in the process,"
          + " internal and reply addresses included",
        file() + ": bridge.outbound[0].addressRegex \".+\" matches every address: every client receives what is sent or published on"
          + " any address, internal and reply addresses included",
        file() + ": bridge.outbound[2].addressRegex \"(?s)(.*)\" matches every address: every client receives what is sent or published"
          + " on any address, internal and reply addresses included"),
      warnings("""
        {"bridge": {
          "inbound": [{"address": "oneloop.chat.send"}, {"addressRegex": ".*"}],
          "outbound": [{"addressRegex": ".+"}, {"addressRegex": "oneloop\\\\..*"}, {"addressRegex": "(?s)(.*)"},
                       {"addressRegex": "[a-z.]+"}, {"address": ".*"}]
        }}"""));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {".*", ".+", "(.*)", "(?:.+)", "[^\\n]*", "\\S+|.*", "(?s).*", ".*.*", "(.|\\n)+"})
  @DisplayName("a regex matching every probe address counts as matching every address")
  void everythingRegexes(String regex) {
    assertTrue(ConfigWarnings.matchesEverything(regex), regex);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"oneloop\\..*", "[a-z.]+", "x", ".", ".{1,8}", "__vertx\\..*", "(?!__vertx).*", "[^_]+", "oneloop.jobs"})
  @DisplayName("a regex that leaves out some probe address does not")
  void narrowerRegexes(String regex) {
    assertFalse(ConfigWarnings.matchesEverything(regex), regex);
  }

  @Test
  @DisplayName("a catastrophic regex in bridge.inbound, bridge.outbound or bridge.history is named")
  void catastrophicRegexes() throws Exception {
    String slow = " can match the same text in more than one way (a repeated group around a repetition, or with two identical"
      + " alternatives; a heuristic check): matching an address against it can take exponential time and stall an event loop";
    assertEquals(List.of(
        file() + ": bridge.inbound[0].addressRegex \"(a+)+\"" + slow,
        file() + ": bridge.outbound[0].addressRegex \"(.*)*\"" + slow,
        file() + ": bridge.history[0].addressRegex \"(a+)+$\"" + slow,
        file() + ": bridge.history[1].addressRegex \"oneloop\\\\.(a|a)*\"" + slow),
      warnings("""
        {"bridge": {
          "inbound": [{"addressRegex": "(a+)+"}],
          "outbound": [{"addressRegex": "(.*)*"}],
          "history": [{"addressRegex": "(a+)+$"}, {"addressRegex": "oneloop\\\\.(a|a)*"}, {"addressRegex": "oneloop(\\\\.[a-z]+)*"}]
        }}"""));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"(a+)+", "(a*)*", "(a|a)*", "(.*)*", "(a+)+$", "^(\\w+\\s?)*$", "([a-z]+\\.?)+", "(x+x+)+y", "(a+|b)*",
    "((a+))+", "((a+)?)+", "(?:a*)+", "(?<n>a+){2,}", "(?i:[a-z]+)*", "(a+)*?", "(\\d+)*\\.", "(a|b|a)+"})
  @DisplayName("nested quantifiers and identical alternatives under a repetition are flagged")
  void flagged(String regex) {
    assertTrue(ConfigWarnings.mayBacktrackExponentially(regex), regex);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {".*", "oneloop\\..+", "oneloop(\\.[a-z]+)*", "(a|b)*", "(a+b)+", "(a+)", "(a+)?", "(a++)+", "(a+)++",
    "(?>a+)+", "[(a+)+]", "\\(a+\\)+", "\\Q(a+)+\\E", "(ab){1}", "oneloop\\.(chat|tasks)\\..+", "(?i)(x)+", "[\\]a+]+(b)*"})
  @DisplayName("a repetition with a fixed part, possessive or atomic repetitions, and quoted or class characters are not")
  void notFlagged(String regex) {
    assertFalse(ConfigWarnings.mayBacktrackExponentially(regex), regex);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"[a-z&&[^b]]+", "\\p{L}+", "\\x{41}+", "(?<n>a)\\k<n>+", "(?i)", "a{2}", "\\Q(\\E+", "[]a]+",
    "[^]a]*", "\\b(a)\\b+", "(?=a).+", "(?<=a)b+", "((((((a))))))", "a|", "|", "()", "(|)*", "\\", "("})
  @DisplayName("unusual regexes, and ones that do not compile, are read without error and not flagged")
  void unusualRegexes(String regex) {
    assertFalse(ConfigWarnings.mayBacktrackExponentially(regex), regex);
  }

  @Test
  @DisplayName("sizes of 1 GiB or more are named; 1 GiB less one byte is not")
  void hugeSizes() throws Exception {
    String heap = ", and a few of them can use up the heap";
    assertEquals(List.of(
        file() + ": bridge.maxQueuedBytes is 2147483647, 1 GiB or more: each slow client may hold that much in memory" + heap,
        file() + ": bridge.maxMessageBytes is 1073741824, 1 GiB or more: each client may make the server hold a frame that large" + heap,
        file() + ": bridge.maxOutboundBytes is 2000000000, 1 GiB or more: a message that large is queued for each client it goes to" + heap,
        file() + ": bridge.history[1].maxBytes is 1073741824, 1 GiB or more: one address's history may hold that much in memory" + heap,
        file() + ": http.maxBodyBytes is 1073741824, 1 GiB or more: each request may make the server hold a body that large" + heap),
      warnings("""
        {"http": {"port": 0, "maxBodyBytes": 1073741824},
         "bridge": {"maxQueuedBytes": 2147483647, "maxMessageBytes": 1073741824, "maxOutboundBytes": 2000000000,
           "history": [{"address": "a", "maxBytes": 1073741823}, {"address": "b", "maxBytes": 1073741824}]}}"""));
  }

  @Test
  @DisplayName("a bound on all clients' queues together above half of the heap is named; half is not")
  void queuedTotalAboveHalfTheHeap() {
    List<String> warnings = new ArrayList<>();
    ConfigWarnings.queuedTotal(512L << 20, 1L << 30, warnings);
    assertEquals(List.of(), warnings, "half of the heap");
    ConfigWarnings.queuedTotal((512L << 20) + 1, 1L << 30, warnings);
    assertEquals(List.of("bridge.maxQueuedBytesTotal is 536870913, more than half of the heap (1073741824 bytes): clients falling"
      + " behind together may run the process out of memory before it is reached"), warnings);
  }

  @Test
  @DisplayName("floodCloseMs 0, allowedOrigins \"*\" and \"null\", a restart without back-off and a stop longer than the unit's are named")
  void otherSettings() throws Exception {
    assertEquals(List.of(
        file() + ": bridge.floodCloseMs is 0: a client is closed at its first frame over bridge.maxInboundPerSecond, so an ordinary"
          + " burst disconnects it",
        file() + ": bridge.allowedOrigins[1] is \"*\" (any origin): any web page a user visits may open a bridge socket and send POST,"
          + " PUT and DELETE to /api/* from that user's browser",
        file() + ": bridge.allowedOrigins[2] is \"null\": any web page can give itself that origin (in a sandboxed iframe), so any page"
          + " may open a bridge socket and send POST, PUT and DELETE to /api/* from its visitors' browsers",
        file() + ": tasks[1].restart.backoffMs is 0: a failing task is restarted at once, again and again (a hot loop)",
        file() + ": shutdownTimeoutMs is 600000, above the 15 s the shipped conf/oneloop.service gives the stop (TimeoutStopSec):"
          + " systemd kills the process before a slow shutdown ends; raise TimeoutStopSec with it"),
      warnings("""
        {"shutdownTimeoutMs": 600000,
         "bridge": {"floodCloseMs": 0, "allowedOrigins": ["https://app.example.com", "*", "null"]},
         "tasks": [
           {"name": "a", "type": "ticker", "restart": {"policy": "never", "backoffMs": 0}},
           {"name": "b", "type": "ticker", "restart": {"policy": "on-failure", "backoffMs": 0, "withinMs": 1}},
           {"name": "c", "type": "ticker", "restart": {"policy": "always", "backoffMs": 1}}
         ]}"""));
    assertEquals(List.of(), warnings("{\"shutdownTimeoutMs\": 15000, \"bridge\": {\"floodCloseMs\": 1}}"), "15 s is not above 15 s");
  }

  @Test
  @DisplayName("the stop timeout the warning compares with is the shipped unit's TimeoutStopSec")
  void shippedUnitTimeout() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("conf", "oneloop.service"));
    assertTrue(lines.contains("TimeoutStopSec=" + ConfigWarnings.SHIPPED_STOP_TIMEOUT_MS / 1000), lines.toString());
  }

  @Test
  @DisplayName("warnings come with the problems of a config that has both; the problems still stop it")
  void warningsBesideProblems() throws Exception {
    Path file = dir.resolve("both.json");
    Files.writeString(file, "{\"shutdownTimeoutMs\": 600000, \"bridge\": {\"floodCloseMs\": 0, \"maxQueuedBytes\": \"lots\"}}");
    ConfigLoader.Check check = ConfigLoader.check(file.toString(), Map.of());
    assertEquals(List.of(file + ": bridge.maxQueuedBytes must be an integer 1024-2147483647, got \"lots\""), check.problems());
    assertEquals(2, check.warnings().size(), check.warnings().toString());
  }

  @Test
  @DisplayName("a start logs each warning once at WARN, so a deployment that never runs --check-config hears of it")
  void startLogsEachWarningOnce() throws Exception {
    Path file = dir.resolve("start.json");
    Files.writeString(file, new JsonObject().put("shutdownTimeoutMs", 600000)
      .put("bridge", new JsonObject().put("floodCloseMs", 0)).encode());
    try (LogCapture log = LogCapture.of(ConfigLoader.class)) {
      ConfigLoader.load(file.toString(), Map.of());
      assertEquals(1, log.containing(file + ": bridge.floodCloseMs is 0: ").size(), log.lines().toString());
      assertEquals(1, log.containing(file + ": shutdownTimeoutMs is 600000, above the 15 s").size(), log.lines().toString());
    }
    try (LogCapture log = LogCapture.of(ConfigLoader.class)) {
      ConfigLoader.loadDeployed(new JsonObject().put("bridge", new JsonObject().put("floodCloseMs", 0)), Map.of());
      assertEquals(List.of("config: bridge.floodCloseMs is 0: a client is closed at its first frame over bridge.maxInboundPerSecond,"
        + " so an ordinary burst disconnects it"), log.lines());
    }
  }

  @Test
  @DisplayName("cluster.minMembers above the listed members, or not more than half of them, is warned about; a majority is quiet")
  void minMembers() throws Exception {
    String three = "\"members\": [\"127.0.0.1:5701\", \"127.0.0.1:5702\", \"127.0.0.1:5703\"]";
    assertEquals(List.of(file() + ": cluster.minMembers is 4, more than the 3 member(s) in cluster.members: no side of the cluster is"
        + " ever large enough, so no node runs a singleton"),
      warnings("{\"cluster\": {" + three + ", \"minMembers\": 4}}"));
    assertEquals(List.of(file() + ": cluster.minMembers is 1, not more than half of the 3 member(s) in cluster.members: both sides of"
        + " a network split may be large enough, and each then runs the singletons"),
      warnings("{\"cluster\": {" + three + ", \"minMembers\": 1}}"));
    assertEquals(1, warnings("{\"cluster\": {\"members\": [\"127.0.0.1:5701\", \"127.0.0.1:5702\"], \"minMembers\": 1}}").size());
    assertEquals(List.of(), warnings("{\"cluster\": {" + three + ", \"minMembers\": 2}}"));
    assertEquals(List.of(), warnings("{\"cluster\": {" + three + "}}"));
  }
}
