package io.oneloop.config;

import io.oneloop.bridge.HistorySpec;
import io.oneloop.bridge.PresenceOptions;
import io.oneloop.bridge.PresenceSpec;
import io.oneloop.bridge.BridgeLimits;
import io.oneloop.bridge.BridgeOptions;
import io.oneloop.base.Checks;
import io.oneloop.bridge.AllowedOrigins;
import io.oneloop.bridge.BridgePermissions;
import io.oneloop.jobs.JobTypes;
import io.oneloop.jobs.JobsSettings;
import io.oneloop.shape.ConfigShape;
import io.oneloop.tasks.TaskTypes;
import io.oneloop.text.DisplayText;
import io.vertx.core.ThreadingModel;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks a resolved config key by key and builds the {@link AppConfig}: every error names the
 * source, the key path and what was expected, and every problem is collected, so one does not hide
 * the next and a config can be fixed in one go. A part that is wrong counts as its default while
 * the rest is checked.
 * <p>
 * It is the one main file over 500 lines, on purpose: one method per config section, each reading
 * as the README's table for that section, and split files would only send a reader between them.
 * A new section that brings many checks of its own goes to a file beside this one.
 */
final class ConfigChecker {

  private static final Set<String> ROOT_KEYS = Set.of("http", "shutdownTimeoutMs", "bridge", "tasks", "jobs", "hooks", "health", "metrics", "log",
    "auth", "chat", "cluster");
  private static final Set<String> CLUSTER_KEYS = Set.of("enabled", "host", "port", "members", "kubernetesService",
    "reconnectSpreadMs", "minMembers");
  /** {@code host:port}, the host without white space or a colon (an IPv6 address goes in brackets). */
  private static final Pattern MEMBER = Pattern.compile("^(\\[[0-9A-Fa-f:.]+\\]|[^\\s:\\[\\]]+):(\\d{1,5})$");
  private static final Set<String> JOBS_KEYS = Set.of("maxConcurrent", "maxQueued", "retain", "types");
  private static final Set<String> HOOKS_KEYS = Set.of("startup", "shutdown");
  private static final Set<String> HOOK_KEYS = Set.of("type", "params", "timeoutMs");
  /** A hook without its own time-out gets this long. */
  private static final long DEFAULT_HOOK_TIMEOUT_MS = 30_000;
  private static final int MAX_HTTP_INSTANCES = 256;
  /** Less than this would close clients for one ordinary message. */
  private static final long MIN_QUEUED_BYTES = 1024;
  private static final Set<String> HTTP_KEYS = Set.of("host", "port", "instances", "accessLog", "requestTimeoutMs", "idleTimeoutMs", "maxBodyBytes",
    "trustedProxies", "maxConnections", "allowedHosts", "maxPublishPerSecond");
  private static final Set<String> BRIDGE_KEYS = Set.of("inbound", "outbound", "maxQueuedBytes", "allowedOrigins", "maxMessageBytes",
    "maxOutboundBytes", "maxInboundPerSecond", "floodCloseMs", "maxConnections", "maxConnectionsPerIp", "closeTimeoutMs", "history",
    "maxHistoryAddresses", "maxHistoryBytes", "maxHistoryAddressesPerClient", "authorizer", "authorizerTimeoutMs", "presence",
    "maxPresenceEntries", "maxPresencePerAddress", "maxQueuedBytesTotal");
  private static final Set<String> AUTH_KEYS = Set.of("tokens", "jwt");
  private static final Set<String> TOKEN_KEYS = Set.of("name", "role", "token");
  private static final Set<String> JWT_KEYS = Set.of("algorithm", "secret", "publicKey", "issuer", "audience", "leewaySeconds",
    "requireExp");
  private static final Set<String> JWT_ALGORITHMS = Set.of("HS256", "RS256", "ES256");
  private static final Set<String> CHAT_KEYS = Set.of("maxPerMinute");
  private static final long MAX_MS = Integer.MAX_VALUE;
  private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]{0,251}[A-Za-z0-9_.])?");
  private static final Set<String> PRESENCE_KEYS = Set.of("address", "addressRegex", "joinLeave");
  /** A presence name shown to others: as long as a chat sender's name. */
  private static final int MAX_PRESENCE_NAME = 32;
  private static final Set<String> HISTORY_KEYS = Set.of("address", "addressRegex", "size", "ttlMs", "maxBytes");
  private static final Set<String> TASK_KEYS = Set.of("name", "type", "class", "config", "threading", "restart", "critical",
    "singleton");
  private static final Set<String> RESTART_KEYS = Set.of("policy", "maxRestarts", "withinMs", "backoffMs", "maxBackoffMs");

  private final String source;
  private final List<String> problems = new ArrayList<>();

  ConfigChecker(String source) {
    this.source = source;
  }

  /** The value {@code check} gives, or {@code fallback} after recording why it could not give one. */
  private <T> T attempt(Supplier<T> check, T fallback) {
    try {
      return check.get();
    } catch (ConfigException e) {
      problems.addAll(e.problems());
      return fallback;
    }
  }

  private void attempt(Runnable check) {
    attempt(() -> {
      check.run();
      return null;
    }, null);
  }

  AppConfig check(JsonObject root) {
    attempt(() -> onlyKnownKeys(root, "", ROOT_KEYS));
    JsonObject http = attempt(() -> object(root, "http", "http"), new JsonObject());
    attempt(() -> onlyKnownKeys(http, "http.", HTTP_KEYS));
    HttpConfig httpConfig = http(http);
    long shutdown = attempt(() -> integer(root.getValue("shutdownTimeoutMs"), "shutdownTimeoutMs", 1, Integer.MAX_VALUE), 1L);
    JsonObject bridge = attempt(() -> object(root, "bridge", "bridge"), new JsonObject());
    attempt(() -> onlyKnownKeys(bridge, "bridge.", BRIDGE_KEYS));
    BridgePermissions permissions = BridgePermissions.fromJson(new JsonObject()
      .put("inbound", attempt(() -> permissions(bridge.getValue("inbound"), "bridge.inbound"), new JsonArray()))
      .put("outbound", attempt(() -> permissions(bridge.getValue("outbound"), "bridge.outbound"), new JsonArray())));
    long maxQueuedBytes = attempt(() -> integer(bridge.getValue("maxQueuedBytes", BridgeOptions.DEFAULT_MAX_QUEUED_BYTES),
      "bridge.maxQueuedBytes", MIN_QUEUED_BYTES, Integer.MAX_VALUE), BridgeOptions.DEFAULT_MAX_QUEUED_BYTES);
    int maxHistoryAddresses = attempt(() -> (int) integer(bridge.getValue("maxHistoryAddresses", HistorySpec.DEFAULT_MAX_ADDRESSES),
      "bridge.maxHistoryAddresses", 0, 1_000_000), HistorySpec.DEFAULT_MAX_ADDRESSES);
    long maxHistoryBytes = attempt(() -> integer(bridge.getValue("maxHistoryBytes", HistorySpec.DEFAULT_MAX_TOTAL_BYTES),
      "bridge.maxHistoryBytes", HistorySpec.MIN_TOTAL_BYTES, Integer.MAX_VALUE), HistorySpec.DEFAULT_MAX_TOTAL_BYTES);
    int maxHistoryAddressesPerClient = attempt(() -> (int) integer(bridge.getValue("maxHistoryAddressesPerClient",
      HistorySpec.DEFAULT_MAX_ADDRESSES_PER_CLIENT), "bridge.maxHistoryAddressesPerClient", 0, 1_000_000),
      HistorySpec.DEFAULT_MAX_ADDRESSES_PER_CLIENT);
    List<HistorySpec> history = attempt(() -> history(bridge.getValue("history"), maxHistoryAddresses), List.of());
    BridgeOptions bridgeConfig = new BridgeOptions(permissions, maxQueuedBytes, history, maxHistoryAddresses,
      maxHistoryBytes, maxHistoryAddressesPerClient,
      attempt(() -> origins(bridge.getValue("allowedOrigins")), AllowedOrigins.DEFAULT), limits(bridge), presence(bridge), null,
      limit(bridge, "authorizerTimeoutMs", BridgeOptions.DEFAULT_AUTHORIZER_TIMEOUT_MS, 1, 60_000));
    String authorizer = bridge.getValue("authorizer") == null ? null : attempt(() -> {
      String c = nonEmptyString(bridge.getValue("authorizer"), "bridge.authorizer");
      try {
        AuthorizerClass.check(c);
      } catch (IllegalArgumentException e) {
        throw error("bridge.authorizer: " + e.getMessage());
      }
      return c;
    }, null);
    if (httpConfig.maxConnections() < bridgeConfig.limits().maxConnections()) {
      // Every bridge socket is also an HTTP connection: a bridge cap above it could never be reached.
      attempt(() -> {
        throw error("http.maxConnections must be at least bridge.maxConnections (" + bridgeConfig.limits().maxConnections()
          + "), got " + httpConfig.maxConnections());
      });
    }
    AuthConfig auth = attempt(() -> auth(root.getValue("auth", new JsonObject())), AuthConfig.OFF);
    ChatConfig chat = attempt(() -> chat(root.getValue("chat", new JsonObject())), ChatConfig.DEFAULT);
    List<TaskSpec> tasks = attempt(() -> tasks(root.getValue("tasks")), List.of());
    JobsSettings jobs = attempt(() -> jobs(root.getValue("jobs")), JobsSettings.DEFAULT);
    JobTypes jobTypes = new JobTypes(jobs.types(), permissions::mayReceive, bridgeConfig.limits().maxOutboundBytes());
    JsonObject hooks = attempt(() -> object(root, "hooks", "hooks"), new JsonObject());
    attempt(() -> onlyKnownKeys(hooks, "hooks.", HOOKS_KEYS));
    List<HookSpec> startup = attempt(() -> hooks(hooks.getValue("startup", new JsonArray()), "hooks.startup", jobTypes), List.of());
    List<HookSpec> shutdownHooks = attempt(() -> hooks(hooks.getValue("shutdown", new JsonArray()), "hooks.shutdown", jobTypes),
      List.of());
    OpsConfig ops = ops(root, http);
    ClusterConfig cluster = cluster(root);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new AppConfig(httpConfig, shutdown, bridgeConfig, tasks, jobs, jobTypes,
      startup, shutdownHooks, ops, root.copy(), auth, chat, cluster, authorizer);
  }

  private ClusterConfig cluster(JsonObject root) {
    ClusterConfig d = ClusterConfig.OFF;
    if (!root.containsKey("cluster")) {
      return d;
    }
    JsonObject cluster = attempt(() -> object(root, "cluster", "cluster"), new JsonObject());
    attempt(() -> onlyKnownKeys(cluster, "cluster.", CLUSTER_KEYS));
    boolean enabled = attempt(() -> bool(cluster.getValue("enabled", d.enabled()), "cluster.enabled"), d.enabled());
    if (enabled && !ClusterLibrary.present()) {
      attempt(() -> {
        throw error("cluster.enabled is true, but Hazelcast is not on the class path: add the dependency "
          + ClusterLibrary.DEPENDENCY + " (the fat jar target/oneloop.jar carries it)");
      });
    }
    String host = attempt(() -> nonEmptyString(cluster.getValue("host", d.host()), "cluster.host"), d.host());
    int port = attempt(() -> (int) integer(cluster.getValue("port", d.port()), "cluster.port", 1, 65535), d.port());
    List<String> members = attempt(() -> {
      List<String> listed = strings(cluster.getValue("members", new JsonArray()), "cluster.members");
      for (int i = 0; i < listed.size(); i++) {
        Matcher m = MEMBER.matcher(listed.get(i));
        if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
          throw error("cluster.members[" + i + "] must be \"host:port\" with a port 1-65535, got " + show(listed.get(i)));
        }
      }
      return listed;
    }, List.of());
    Object service = cluster.getValue("kubernetesService");
    String kubernetesService = service == null ? null
      : attempt(() -> nonEmptyString(service, "cluster.kubernetesService"), null);
    long spread = attempt(() -> integer(cluster.getValue("reconnectSpreadMs", d.reconnectSpreadMs()), "cluster.reconnectSpreadMs", 0,
      ClusterConfig.MAX_RECONNECT_SPREAD_MS), d.reconnectSpreadMs());
    Object min = cluster.getValue("minMembers");
    Integer minMembers = min == null ? null
      : attempt(() -> (int) integer(min, "cluster.minMembers", 1, ClusterConfig.MAX_MIN_MEMBERS), null);
    return new ClusterConfig(enabled, host, port, members, kubernetesService, spread, minMembers);
  }

  private OpsConfig ops(JsonObject root, JsonObject http) {
    OpsConfig d = OpsConfig.DEFAULT;
    boolean accessLog = attempt(() -> bool(http.getValue("accessLog", d.accessLog()), "http.accessLog"), d.accessLog());
    JsonObject log = attempt(() -> object(root, "log", "log"), new JsonObject());
    attempt(() -> onlyKnownKeys(log, "log.", Set.of("format")));
    String format = attempt(() -> {
      Object value = log.getValue("format", d.logFormat());
      if (!OpsConfig.TEXT.equals(value) && !OpsConfig.JSON.equals(value)) {
        throw error("log.format must be \"text\" or \"json\", got " + show(value));
      }
      return (String) value;
    }, d.logFormat());
    JsonObject metrics = attempt(() -> object(root, "metrics", "metrics"), new JsonObject());
    attempt(() -> onlyKnownKeys(metrics, "metrics.", Set.of("enabled")));
    boolean metricsEnabled = attempt(() -> bool(metrics.getValue("enabled", d.metricsEnabled()), "metrics.enabled"), d.metricsEnabled());
    JsonObject health = attempt(() -> object(root, "health", "health"), new JsonObject());
    attempt(() -> onlyKnownKeys(health, "health.", Set.of("maxEventLoopDelayMs")));
    long maxDelay = attempt(() -> integer(health.getValue("maxEventLoopDelayMs", d.maxEventLoopDelayMs()),
      "health.maxEventLoopDelayMs", 10, 3_600_000), d.maxEventLoopDelayMs());
    return new OpsConfig(accessLog, format, metricsEnabled, maxDelay);
  }

  private boolean bool(Object value, String path) {
    if (!(value instanceof Boolean b)) {
      throw error(path + " must be true or false, got " + show(value));
    }
    return b;
  }

  private HttpConfig http(JsonObject http) {
    String host = attempt(() -> nonEmptyString(http.getValue("host", HttpConfig.DEFAULT_HOST), "http.host"), "");
    int port = attempt(() -> (int) integer(http.getValue("port"), "http.port", 0, 65535), 0);
    int instances = attempt(() -> (int) integer(http.getValue("instances", Runtime.getRuntime().availableProcessors()),
      "http.instances", 1, MAX_HTTP_INSTANCES), 1);
    long requestTimeout = attempt(() -> integer(http.getValue("requestTimeoutMs", HttpConfig.DEFAULT_REQUEST_TIMEOUT_MS),
      "http.requestTimeoutMs", 1, MAX_MS), HttpConfig.DEFAULT_REQUEST_TIMEOUT_MS);
    long idleTimeout = attempt(() -> integer(http.getValue("idleTimeoutMs", HttpConfig.DEFAULT_IDLE_TIMEOUT_MS),
      "http.idleTimeoutMs", 1, MAX_MS), HttpConfig.DEFAULT_IDLE_TIMEOUT_MS);
    long maxBody = attempt(() -> integer(http.getValue("maxBodyBytes", HttpConfig.DEFAULT_MAX_BODY_BYTES),
      "http.maxBodyBytes", 1, MAX_MS), HttpConfig.DEFAULT_MAX_BODY_BYTES);
    List<String> proxies = attempt(() -> strings(http.getValue("trustedProxies", new JsonArray()), "http.trustedProxies"), List.of());
    int maxConnections = attempt(() -> (int) integer(http.getValue("maxConnections", HttpConfig.DEFAULT_MAX_CONNECTIONS),
      "http.maxConnections", 1, 10_000_000), HttpConfig.DEFAULT_MAX_CONNECTIONS);
    List<String> allowedHosts = attempt(() -> hostNames(http.getValue("allowedHosts", new JsonArray()), "http.allowedHosts"), List.of());
    int maxPublish = attempt(() -> (int) integer(http.getValue("maxPublishPerSecond", HttpConfig.DEFAULT_MAX_PUBLISH_PER_SECOND),
      "http.maxPublishPerSecond", 1, 10_000_000), HttpConfig.DEFAULT_MAX_PUBLISH_PER_SECOND);
    return new HttpConfig(host, port, instances, requestTimeout, idleTimeout, maxBody, proxies, maxConnections, allowedHosts,
      maxPublish);
  }

  /** Host names as a {@code Host} header carries them, without port or scheme; a DNS name's trailing dot is allowed. */
  private List<String> hostNames(Object value, String path) {
    List<String> names = strings(value, path);
    for (int i = 0; i < names.size(); i++) {
      if (!HOST_NAME.matcher(names.get(i)).matches()) {
        throw error(path + "[" + i + "] must be a host name such as \"app.example.com\" (no scheme, no port), got " + show(names.get(i)));
      }
    }
    return names;
  }

  private AllowedOrigins origins(Object value) {
    if (value == null) {
      return AllowedOrigins.DEFAULT;
    }
    List<String> patterns = strings(value, "bridge.allowedOrigins");
    for (int i = 0; i < patterns.size(); i++) {
      String problem = AllowedOrigins.problem(patterns.get(i));
      if (problem != null) {
        throw error("bridge.allowedOrigins[" + i + "] " + problem + ", got " + show(patterns.get(i)));
      }
    }
    return new AllowedOrigins(patterns);
  }

  private BridgeLimits limits(JsonObject bridge) {
    BridgeLimits d = BridgeLimits.DEFAULT;
    return new BridgeLimits(
      limit(bridge, "maxMessageBytes", d.maxMessageBytes(), 64, MAX_MS),
      limit(bridge, "maxOutboundBytes", d.maxOutboundBytes(), 64, MAX_MS),
      (int) limit(bridge, "maxInboundPerSecond", d.maxInboundPerSecond(), 1, 1_000_000),
      limit(bridge, "floodCloseMs", d.floodCloseMs(), 0, MAX_MS),
      (int) limit(bridge, "maxConnections", d.maxConnections(), 1, 10_000_000),
      (int) limit(bridge, "maxConnectionsPerIp", d.maxConnectionsPerIp(), 1, 10_000_000),
      limit(bridge, "closeTimeoutMs", d.closeTimeoutMs(), 1, MAX_MS),
      limit(bridge, "maxQueuedBytesTotal", d.maxQueuedBytesTotal(), MIN_QUEUED_BYTES, Long.MAX_VALUE));
  }

  /** {@code bridge.<key>}, its default when left out; a bad value is recorded and the default used. */
  private long limit(JsonObject bridge, String key, long fallback, long min, long max) {
    return attempt(() -> integer(bridge.getValue(key, fallback), "bridge." + key, min, max), fallback);
  }

  private AuthConfig auth(Object value) {
    if (!(value instanceof JsonObject auth)) {
      throw error("auth must be an object, got " + show(value));
    }
    onlyKnownKeys(auth, "auth.", AUTH_KEYS);
    JsonArray list = array(auth.getValue("tokens", new JsonArray()), "auth.tokens");
    List<AuthConfig.StaticToken> tokens = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "auth.tokens[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject entry)) {
        throw error(at + " must be an object {\"name\", \"role\", \"token\"}, got a " + kind(list.getValue(i)));
      }
      onlyKnownKeys(entry, at + ".", TOKEN_KEYS);
      String name = nonEmptyString(entry.getValue("name"), at + ".name");
      // The name is what chat shows for this token's holder: it must look like what it is.
      String nameProblem = DisplayText.nameProblem(name, at + ".name");
      if (nameProblem != null || !name.strip().equals(name)) {
        throw error(nameProblem != null ? nameProblem : at + ".name must not start or end with white space, got " + show(name));
      }
      if (!names.add(name)) {
        throw error(at + ".name must be unique, got " + show(name) + " a second time");
      }
      AuthConfig.Role role = AuthConfig.Role.named(entry.getValue("role"));
      if (role == null) {
        throw error(at + ".role must be " + AuthConfig.Role.NAMES + ", got " + show(entry.getValue("role")));
      }
      // The token itself is never shown, not even in an error.
      if (!(entry.getValue("token") instanceof String token) || token.length() < 16 || !token.strip().equals(token)) {
        throw error(at + ".token must be a string of at least 16 characters without surrounding white space");
      }
      tokens.add(new AuthConfig.StaticToken(name, role, token));
    }
    Object jwt = auth.getValue("jwt");
    return new AuthConfig(tokens, jwt == null ? null : jwt(jwt));
  }

  private AuthConfig.JwtSettings jwt(Object value) {
    if (!(value instanceof JsonObject jwt)) {
      throw error("auth.jwt must be an object, got a " + kind(value));
    }
    onlyKnownKeys(jwt, "auth.jwt.", JWT_KEYS);
    Object algorithm = jwt.getValue("algorithm");
    if (!JWT_ALGORITHMS.contains(algorithm)) {
      throw error("auth.jwt.algorithm must be \"HS256\", \"RS256\" or \"ES256\", got " + show(algorithm));
    }
    boolean symmetric = "HS256".equals(algorithm);
    String keyName = symmetric ? "secret" : "publicKey";
    String otherName = symmetric ? "publicKey" : "secret";
    if (jwt.containsKey(otherName)) {
      throw error("auth.jwt." + otherName + " does not go with " + algorithm + " (it takes \"" + keyName + "\")");
    }
    if (!(jwt.getValue(keyName) instanceof String key) || key.isBlank()) {
      throw error("auth.jwt." + keyName + " must be a non-empty string for " + algorithm);
    }
    if (symmetric && key.length() < 32) {
      throw error("auth.jwt.secret must have at least 32 characters");
    }
    if (!symmetric && !key.contains("-----BEGIN PUBLIC KEY-----")) {
      throw error("auth.jwt.publicKey must be a PEM public key (\"-----BEGIN PUBLIC KEY-----...\")");
    }
    Object issuerValue = jwt.getValue("issuer");
    String issuer = issuerValue == null ? null : nonEmptyString(issuerValue, "auth.jwt.issuer");
    Object audienceValue = jwt.getValue("audience", new JsonArray());
    List<String> audience = audienceValue instanceof String one
      ? List.of(nonEmptyString(one, "auth.jwt.audience"))
      : strings(audienceValue, "auth.jwt.audience");
    int leeway = (int) integer(jwt.getValue("leewaySeconds", 0), "auth.jwt.leewaySeconds", 0, 3600);
    boolean requireExp = bool(jwt.getValue("requireExp", Boolean.TRUE), "auth.jwt.requireExp");
    return new AuthConfig.JwtSettings((String) algorithm, key, issuer, audience, leeway, requireExp);
  }

  private ChatConfig chat(Object value) {
    if (!(value instanceof JsonObject chat)) {
      throw error("chat must be an object, got " + show(value));
    }
    onlyKnownKeys(chat, "chat.", CHAT_KEYS);
    return new ChatConfig((int) integer(chat.getValue("maxPerMinute", ChatConfig.DEFAULT.maxPerMinute()),
      "chat.maxPerMinute", 1, 100_000));
  }

  private List<String> strings(Object value, String path) {
    JsonArray list = array(value, path);
    List<String> strings = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      strings.add(nonEmptyString(list.getValue(i), path + "[" + i + "]"));
    }
    return strings;
  }

  private static String kind(Object value) {
    return value instanceof JsonArray ? "list" : value instanceof String ? "string" : value == null ? "nothing"
      : value instanceof JsonObject ? "object" : value.getClass().getSimpleName().toLowerCase(Locale.ROOT);
  }

  private JobsSettings jobs(Object value) {
    if (!(value instanceof JsonObject jobs)) {
      throw error("jobs must be an object, got " + show(value));
    }
    onlyKnownKeys(jobs, "jobs.", JOBS_KEYS);
    JobsSettings d = JobsSettings.DEFAULT;
    int maxConcurrent = (int) integer(jobs.getValue("maxConcurrent", d.maxConcurrent()), "jobs.maxConcurrent", 1, 1000);
    int maxQueued = (int) integer(jobs.getValue("maxQueued", d.maxQueued()), "jobs.maxQueued", 0, 1_000_000);
    int retain = (int) integer(jobs.getValue("retain", d.retain()), "jobs.retain", 0, 1_000_000);
    Object typesValue = jobs.getValue("types", new JsonObject());
    if (!(typesValue instanceof JsonObject types)) {
      throw error("jobs.types must be an object {\"name\": \"class name\"}, got " + show(typesValue));
    }
    Map<String, String> classes = new TreeMap<>();
    for (String name : types.fieldNames()) {
      String at = "jobs.types." + name;
      if (JobTypes.BUILT_IN.contains(name)) {
        throw error(at + ": " + name + " is a built-in job type and cannot be replaced");
      }
      String className = nonEmptyString(types.getValue(name), at);
      try {
        JobTypes.check(className);
      } catch (IllegalArgumentException e) {
        throw error(at + ": " + e.getMessage());
      }
      classes.put(name, className);
    }
    return new JobsSettings(maxConcurrent, maxQueued, retain, classes);
  }

  private List<HookSpec> hooks(Object value, String path, JobTypes jobTypes) {
    JsonArray list = array(value, path);
    List<HookSpec> specs = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String at = path + "[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject entry)) {
        throw error(at + " must be an object {\"type\", \"params\", \"timeoutMs\"}, got " + show(list.getValue(i)));
      }
      onlyKnownKeys(entry, at + ".", HOOK_KEYS);
      String type = nonEmptyString(entry.getValue("type"), at + ".type");
      if (!jobTypes.names().contains(type)) {
        throw error(at + ".type must be a job type (" + String.join(", ", jobTypes.names()) + "), got " + show(type));
      }
      Object params = entry.getValue("params", new JsonObject());
      if (!(params instanceof JsonObject paramsObject)) {
        throw error(at + ".params must be an object, got " + show(params));
      }
      List<String> shapeProblems = shaped(() -> jobTypes.shape(type), paramsObject, at + ".params", at + ".type");
      if (!shapeProblems.isEmpty()) {
        throw new ConfigException(shapeProblems);
      }
      try {
        jobTypes.create(type).validate(paramsObject);
      } catch (IllegalArgumentException e) {
        throw error(at + "." + e.getMessage());
      } catch (RuntimeException e) {
        throw error(at + ".type: job type " + type + " cannot be created: " + e.getMessage());
      }
      long timeoutMs = integer(entry.getValue("timeoutMs", DEFAULT_HOOK_TIMEOUT_MS), at + ".timeoutMs", 1, Integer.MAX_VALUE);
      specs.add(new HookSpec(type, paramsObject, timeoutMs));
    }
    return specs;
  }

  private JsonArray permissions(Object value, String path) {
    JsonArray list = array(value, path);
    for (int i = 0; i < list.size(); i++) {
      String at = path + "[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject entry)) {
        throw error(at + " must be an object {\"address\": ...} or {\"addressRegex\": ...}, got " + show(list.getValue(i)));
      }
      onlyKnownKeys(entry, at + ".", Set.of("address", "addressRegex"));
      boolean hasAddress = entry.containsKey("address");
      boolean hasRegex = entry.containsKey("addressRegex");
      if (hasAddress == hasRegex) {
        throw error(at + " must have exactly one of \"address\" or \"addressRegex\"");
      }
      if (hasAddress) {
        nonEmptyString(entry.getValue("address"), at + ".address");
      } else {
        // Compiled as it will be for a socket: with a user in place of {user}.
        String regex = nonEmptyString(entry.getValue("addressRegex"), at + ".addressRegex");
        pattern(BridgePermissions.withSampleUser(regex), at + ".addressRegex");
      }
    }
    return list;
  }

  private Pattern pattern(String regex, String path) {
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw error(path + " must be a valid regular expression, got " + show(regex) + " (" + e.getDescription() + ")");
    }
  }

  private PresenceOptions presence(JsonObject bridge) {
    List<PresenceSpec> tracked = attempt(() -> presenceSpecs(bridge.getValue("presence", new JsonArray())), List.of());
    int maxEntries = (int) limit(bridge, "maxPresenceEntries", PresenceOptions.DEFAULT_MAX_ENTRIES, 0, 10_000_000);
    int maxPerAddress = (int) limit(bridge, "maxPresencePerAddress", PresenceOptions.DEFAULT_MAX_PER_ADDRESS, 0, 10_000_000);
    return new PresenceOptions(tracked, maxEntries, maxPerAddress, PresenceOptions.LOCAL_NODE, ConfigChecker::presenceName);
  }

  /** A register's {@code oneloop.name} as shown: passing the chat's name rules, 1-32 characters; null otherwise. */
  static String presenceName(String name) {
    String trimmed = DisplayText.trimSpaces(name);
    int length = trimmed.codePointCount(0, trimmed.length());
    return length >= 1 && length <= MAX_PRESENCE_NAME && DisplayText.nameProblem(trimmed, "name") == null ? trimmed : null;
  }

  private List<PresenceSpec> presenceSpecs(Object value) {
    JsonArray list = array(value, "bridge.presence");
    List<PresenceSpec> specs = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "bridge.presence[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject entry)) {
        throw error(at + " must be an object {\"address\" or \"addressRegex\", \"joinLeave\"}, got " + show(list.getValue(i)));
      }
      onlyKnownKeys(entry, at + ".", PRESENCE_KEYS);
      if (entry.containsKey("address") == entry.containsKey("addressRegex")) {
        throw error(at + " must have exactly one of \"address\" or \"addressRegex\"");
      }
      String address = entry.containsKey("address") ? nonEmptyString(entry.getValue("address"), at + ".address") : null;
      Pattern regex = address == null ? pattern(nonEmptyString(entry.getValue("addressRegex"), at + ".addressRegex"), at + ".addressRegex") : null;
      specs.add(new PresenceSpec(address, regex, bool(entry.getValue("joinLeave", false), at + ".joinLeave")));
    }
    return specs;
  }

  /** Without the key: the default addresses, each with the default bounds. */
  private List<HistorySpec> history(Object value, int maxAddresses) {
    if (value == null) {
      return HistorySpec.DEFAULT_ADDRESSES.stream().map(HistorySpec::of).toList();
    }
    JsonArray list = array(value, "bridge.history");
    List<HistorySpec> specs = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "bridge.history[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject entry)) {
        throw error(at + " must be an object {\"address\" or \"addressRegex\", \"size\", \"ttlMs\", \"maxBytes\"}, got " + show(list.getValue(i)));
      }
      onlyKnownKeys(entry, at + ".", HISTORY_KEYS);
      if (entry.containsKey("address") == entry.containsKey("addressRegex")) {
        throw error(at + " must have exactly one of \"address\" or \"addressRegex\"");
      }
      String address = entry.containsKey("address") ? nonEmptyString(entry.getValue("address"), at + ".address") : null;
      Pattern regex = address == null ? pattern(nonEmptyString(entry.getValue("addressRegex"), at + ".addressRegex"), at + ".addressRegex") : null;
      int size = (int) integer(entry.getValue("size", HistorySpec.DEFAULT_SIZE), at + ".size", 1, 100_000);
      long ttlMs = integer(entry.getValue("ttlMs", HistorySpec.DEFAULT_TTL_MS), at + ".ttlMs", 1, Integer.MAX_VALUE);
      long maxBytes = integer(entry.getValue("maxBytes", HistorySpec.DEFAULT_MAX_BYTES), at + ".maxBytes", 1024, Integer.MAX_VALUE);
      specs.add(new HistorySpec(address, regex, size, ttlMs, maxBytes));
    }
    long exact = specs.stream().filter(spec -> spec.address() != null).map(HistorySpec::address).distinct().count();
    if (exact > maxAddresses) {
      throw error("bridge.history names " + exact + " addresses, more than bridge.maxHistoryAddresses " + maxAddresses);
    }
    return specs;
  }

  private List<TaskSpec> tasks(Object value) {
    JsonArray list = array(value, "tasks");
    List<TaskSpec> specs = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "tasks[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject entry)) {
        problems.add(error(at + " must be an object, got " + show(list.getValue(i))).getMessage());
        continue;
      }
      attempt(() -> onlyKnownKeys(entry, at + ".", TASK_KEYS));
      String name = attempt(() -> {
        String n = nonEmptyString(entry.getValue("name"), at + ".name");
        if (!names.add(n)) {
          throw error(at + ".name must be unique, got " + show(n) + " a second time");
        }
        return n;
      }, at);
      boolean hasType = entry.containsKey("type");
      boolean hasClass = entry.containsKey("class");
      String type = null;
      String className = null;
      if (hasType == hasClass) {
        problems.add(error(at + " must have exactly one of \"type\" (a built-in: " + String.join(", ", TaskTypes.BUILT_IN)
          + ") or \"class\" (a verticle class name)").getMessage());
      } else if (hasType) {
        type = attempt(() -> {
          String t = nonEmptyString(entry.getValue("type"), at + ".type");
          if (!TaskTypes.BUILT_IN.contains(t)) {
            throw error(at + ".type must be a built-in task type (" + String.join(", ", TaskTypes.BUILT_IN)
              + "), got " + show(t));
          }
          return t;
        }, null);
      } else {
        className = attempt(() -> {
          String c = nonEmptyString(entry.getValue("class"), at + ".class");
          checkTaskClass(c, at + ".class");
          return c;
        }, null);
      }
      Object taskConfig = entry.getValue("config");
      if (taskConfig != null && !(taskConfig instanceof JsonObject)) {
        problems.add(error(at + ".config must be an object, got " + show(taskConfig)).getMessage());
      } else if (type != null || className != null) {
        String t = type;
        String c = className;
        problems.addAll(shaped(() -> TaskTypes.shape(t, c), taskConfig == null ? new JsonObject() : (JsonObject) taskConfig,
          at + ".config", at + (t != null ? ".type" : ".class")));
      }
      ThreadingModel threading = attempt(() -> threading(entry.getValue("threading"), at + ".threading"), ThreadingModel.WORKER);
      RestartPolicy restart = attempt(() -> restart(entry.getValue("restart"), at + ".restart"), RestartPolicy.DEFAULT);
      Object critical = entry.getValue("critical", Boolean.TRUE);
      if (!(critical instanceof Boolean)) {
        problems.add(error(at + ".critical must be true or false, got " + show(critical)).getMessage());
      }
      Object singleton = entry.getValue("singleton", Boolean.FALSE);
      if (!(singleton instanceof Boolean)) {
        problems.add(error(at + ".singleton must be true or false, got " + show(singleton)).getMessage());
      }
      specs.add(new TaskSpec(name, type, className, taskConfig instanceof JsonObject c ? c : new JsonObject(), threading,
        restart, Boolean.TRUE.equals(critical), Boolean.TRUE.equals(singleton)));
    }
    return specs;
  }

  /** What is wrong with {@code values} by the shape {@code declared} gives (nothing without one), each under {@code path}. */
  private List<String> shaped(Supplier<ConfigShape> declared, JsonObject values, String path, String declarerPath) {
    try {
      ConfigShape shape = declared.get();
      return shape == null ? List.of() : shape.check(values, path).stream().map(p -> error(p).getMessage()).toList();
    } catch (IllegalArgumentException e) {
      return List.of(error(declarerPath + ": " + e.getMessage()).getMessage());
    }
  }

  private RestartPolicy restart(Object value, String path) {
    if (value == null) {
      return RestartPolicy.DEFAULT;
    }
    if (!(value instanceof JsonObject restart)) {
      throw error(path + " must be an object, got " + show(value));
    }
    onlyKnownKeys(restart, path + ".", RESTART_KEYS);
    RestartPolicy d = RestartPolicy.DEFAULT;
    Object policy = restart.getValue("policy", d.kind().configName);
    RestartPolicy.Kind kind = null;
    for (RestartPolicy.Kind k : RestartPolicy.Kind.values()) {
      if (k.configName.equals(policy)) {
        kind = k;
      }
    }
    if (kind == null) {
      throw error(path + ".policy must be \"never\", \"on-failure\" or \"always\", got " + show(policy));
    }
    int maxRestarts = (int) integer(restart.getValue("maxRestarts", d.maxRestarts()), path + ".maxRestarts", 0, 1_000_000);
    long withinMs = integer(restart.getValue("withinMs", d.withinMs()), path + ".withinMs", 1, Integer.MAX_VALUE);
    long backoffMs = integer(restart.getValue("backoffMs", d.backoffMs()), path + ".backoffMs", 0, Integer.MAX_VALUE);
    long maxBackoffMs = integer(restart.getValue("maxBackoffMs", Math.max(d.maxBackoffMs(), backoffMs)),
      path + ".maxBackoffMs", backoffMs, Integer.MAX_VALUE);
    return new RestartPolicy(kind, maxRestarts, withinMs, backoffMs, maxBackoffMs);
  }

  private ThreadingModel threading(Object value, String path) {
    if (value == null || "worker".equals(value)) {
      return ThreadingModel.WORKER;
    }
    if ("event-loop".equals(value)) {
      return ThreadingModel.EVENT_LOOP;
    }
    throw error(path + " must be \"worker\" or \"event-loop\", got " + show(value));
  }

  private void checkTaskClass(String className, String path) {
    try {
      TaskTypes.check(className);
    } catch (IllegalArgumentException e) {
      throw error(path + ": " + e.getMessage());
    }
  }

  private void onlyKnownKeys(JsonObject object, String prefix, Set<String> known) {
    for (String key : object.fieldNames()) {
      // "$schema" at the top only tells editors where conf/config.schema.json is.
      if (!known.contains(key) && !(prefix.isEmpty() && "$schema".equals(key))) {
        problems.add(error(prefix + key + " is not a known key (expected one of "
          + String.join(", ", known.stream().sorted().toList()) + ")").getMessage());
      }
    }
  }

  private JsonObject object(JsonObject parent, String key, String path) {
    Object value = parent.getValue(key);
    if (!(value instanceof JsonObject object)) {
      throw error(path + " must be an object, got " + show(value));
    }
    return object;
  }

  private JsonArray array(Object value, String path) {
    if (!(value instanceof JsonArray array)) {
      throw error(path + " must be a list, got " + show(value));
    }
    return array;
  }

  private String nonEmptyString(Object value, String path) {
    try {
      return Checks.nonEmptyString(value, path, ConfigChecker::show);
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage());
    }
  }

  private long integer(Object value, String path, long min, long max) {
    try {
      return Checks.integer(value, path, min, max, ConfigChecker::show);
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage());
    }
  }

  private ConfigException error(String message) {
    return new ConfigException(source + ": " + message);
  }

  private static String show(Object value) {
    return value == null ? "nothing" : Json.encode(value);
  }
}
