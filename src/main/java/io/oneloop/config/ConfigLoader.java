package io.oneloop.config;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds, reads and completes the app's config: {@code -conf <file>}, else {@code conf/config.json}
 * in the working directory, else the copy of it built into the jar; then the environment overrides;
 * then {@link AppConfig#validate} checks it, once.
 */
public final class ConfigLoader {

  private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);

  /** Where the shipped {@code conf/config.json} sits inside the jar. */
  static final String BUILT_IN = "io/oneloop/config.json";
  static final Path LOCAL = Path.of("conf", "config.json");
  public static final String ENV_PORT = "ONELOOP_HTTP_PORT";
  public static final String ENV_HOST = "ONELOOP_HTTP_HOST";
  /** Static tokens as {@code name:role:token,...}; they replace {@code auth.tokens}. */
  public static final String ENV_AUTH_TOKENS = EnvOverrides.AUTH_TOKENS;

  /** A config as read, with the name of where it came from (for error messages). */
  public record Source(JsonObject json, String name) {
  }

  private ConfigLoader() {
  }

  /** The config as the process reads it: {@code conf} is the value of {@code -conf}, or null when none was given. */
  public static AppConfig load(String conf, Map<String, String> env) {
    Source source = conf == null ? loadDefault() : loadArgument(conf);
    return warned(AppConfig.validate(resolve(source.json(), conf != null, env), source.name()), source.name());
  }

  /** The config a launcher deployed the main verticle with (see {@link #resolveDeployed}), checked. */
  public static AppConfig loadDeployed(JsonObject deployed, Map<String, String> env) {
    return warned(AppConfig.validate(resolveDeployed(deployed, env), "config"), "config");
  }

  /** A start logs each dangerous setting once, so a deployment that never runs --check-config hears of it. */
  private static AppConfig warned(AppConfig config, String source) {
    ConfigWarnings.of(config.json(), source).forEach(warning -> log.warn("{}", warning));
    return config;
  }

  /** The config built into the jar: the shipped {@code conf/config.json}. */
  public static JsonObject builtInDefaults() {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
      if (in == null) {
        throw new IllegalStateException("the built-in default config " + BUILT_IN + " is missing from the class path");
      }
      return new JsonObject(Buffer.buffer(in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** No {@code -conf}: {@code conf/config.json} when run from the repository root, else the built-in copy. */
  public static Source loadDefault() {
    if (Files.isRegularFile(LOCAL)) {
      return readFile(LOCAL.toString());
    }
    return new Source(builtInDefaults(), "built-in config");
  }

  /** The value of {@code -conf}: a file, or (as Vert.x's launchers also accept) a JSON object string. */
  public static Source loadArgument(String value) {
    if (!Files.exists(Path.of(value)) && value.trim().startsWith("{")) {
      try {
        return new Source(new JsonObject(value), "-conf");
      } catch (DecodeException e) {
        throw new ConfigException("-conf: not a JSON object: " + e.getMessage());
      }
    }
    return readFile(value);
  }

  private static Source readFile(String file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(Path.of(file));
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read the config file (" + describe(e) + ")");
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(Buffer.buffer(bytes));
    } catch (DecodeException e) {
      throw new ConfigException(file + ": not valid JSON: " + e.getMessage());
    }
    if (!(parsed instanceof JsonObject json)) {
      throw new ConfigException(file + ": the config must be a JSON object");
    }
    return new Source(json, file);
  }

  /**
   * Completes a config. Not {@code explicit} (no {@code -conf}): {@code given} is the default config.
   * Explicit: each key it leaves out comes from the built-in defaults, except {@code tasks}, which is
   * then empty; lists given replace the default lists. Then the environment overrides apply.
   * Resolving a resolved config changes nothing.
   */
  public static JsonObject resolve(JsonObject given, boolean explicit, Map<String, String> env) {
    JsonObject resolved = withDefaults(given, explicit);
    applyEnvironment(resolved, env);
    return resolved;
  }

  private static JsonObject withDefaults(JsonObject given, boolean explicit) {
    JsonObject resolved = builtInDefaults().mergeIn(given.copy(), true);
    if (explicit && !given.containsKey("tasks")) {
      resolved.put("tasks", new JsonArray());
    }
    return resolved;
  }

  /**
   * What {@code --check-config} found: every problem (each stops a start) and every warning (none
   * does): environment variables naming no key, then the config's dangerous settings ({@link ConfigWarnings}).
   */
  public record Check(String source, List<String> problems, List<String> warnings) {
  }

  /** Reads, completes and checks the config as a start would, collecting every problem instead of stopping at one. */
  public static Check check(String conf, Map<String, String> env) {
    Source source;
    try {
      source = conf == null ? loadDefault() : loadArgument(conf);
    } catch (ConfigException e) {
      return new Check(conf, e.problems(), List.of());
    }
    JsonObject resolved = withDefaults(source.json(), conf != null);
    EnvOverrides.Result overrides = EnvOverrides.apply(resolved, env);
    List<String> problems = new ArrayList<>(overrides.errors());
    try {
      AppConfig.validate(resolved, source.name());
    } catch (ConfigException e) {
      problems.addAll(e.problems());
    }
    String webroot = WorkingDirectory.webrootProblem();
    if (webroot != null) {
      problems.add(webroot);
    }
    List<String> warnings = new ArrayList<>(overrides.unknown());
    warnings.addAll(ConfigWarnings.of(resolved, source.name()));
    return new Check(source.name(), problems, warnings);
  }

  /** As deployed by a launcher: an empty config means none was given, so the default config applies. */
  public static JsonObject resolveDeployed(JsonObject deployed, Map<String, String> env) {
    boolean explicit = deployed != null && !deployed.isEmpty();
    return resolve(explicit ? deployed : loadDefault().json(), explicit, env);
  }

  /** Every {@code ONELOOP_<PATH>} variable sets its key; one naming no key is logged, once per load, and ignored. */
  private static void applyEnvironment(JsonObject config, Map<String, String> env) {
    applyTokens(config, env.get(ENV_AUTH_TOKENS));
    EnvOverrides.Result result = EnvOverrides.apply(config, env);
    result.unknown().forEach(warning -> log.warn("{}", warning));
    if (!result.errors().isEmpty()) {
      throw new ConfigException(result.errors());
    }
  }

  /** {@code name:role:token,...}; a token may itself hold colons. Errors never show a token. */
  private static void applyTokens(JsonObject config, String value) {
    if (value == null) {
      return;
    }
    JsonArray tokens = new JsonArray();
    String[] entries = value.split(",");
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      if (entry.isEmpty()) {
        continue;
      }
      String[] parts = entry.split(":", 3);
      if (parts.length < 3) {
        throw new ConfigException(ENV_AUTH_TOKENS + " entry " + (i + 1) + " must be name:role:token");
      }
      tokens.add(new JsonObject().put("name", parts[0]).put("role", parts[1]).put("token", parts[2]));
    }
    Object auth = config.getValue("auth");
    if (auth == null) {
      config.put("auth", new JsonObject().put("tokens", tokens));
    } else if (auth instanceof JsonObject authConfig) {
      authConfig.put("tokens", tokens);
    }
  }

  private static String describe(IOException e) {
    String kind = e.getClass().getSimpleName();
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? kind : kind + ": " + e.getMessage();
  }
}
