package io.oneloop.config;

import io.oneloop.base.Checks;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Environment overrides for every key: {@code ONELOOP_<PATH>}, the path's segments joined by
 * {@code _} and matched case-insensitively to the keys {@code conf/config.schema.json} knows
 * ({@code ONELOOP_JOBS_MAXCONCURRENT=4} sets {@code jobs.maxConcurrent}). A value is parsed as its
 * key's type: a list of strings is comma-separated, any other list or object is JSON. A variable
 * that names no key is reported with the nearest known one; it never stops the start. One key of
 * one task's config has a form of its own, {@code ONELOOP_TASKS_<NAME>_CONFIG_<KEY>} ({@link TaskEnv}).
 */
public final class EnvOverrides {

  public static final String PREFIX = "ONELOOP_";
  /** Where the shipped {@code conf/config.schema.json} sits inside the jar. */
  static final String SCHEMA = "io/oneloop/config.schema.json";
  /** Static tokens as {@code name:role:token,...} (the loader reads them); they replace {@code auth.tokens}. */
  static final String AUTH_TOKENS = "ONELOOP_AUTH_TOKENS";
  /** Variables in a form of their own: not config keys, and not unknown. */
  static final List<String> OWN_FORM = List.of(AUTH_TOKENS);

  /** One settable key: its dotted path and its schema. */
  record Key(List<String> path, JsonObject schema) {
    String dotted() {
      return String.join(".", path);
    }
  }

  /** What the environment did: errors (a value that is not of its key's type) and unknown variables. */
  public record Result(List<String> errors, List<String> unknown) {
  }

  private static volatile Map<String, Key> keys;

  private EnvOverrides() {
  }

  /** Every variable name a key can be set with, upper case, to its key. */
  static Map<String, Key> keys() {
    Map<String, Key> known = keys;
    if (known == null) {
      known = new TreeMap<>();
      JsonObject schema = schema();
      collect(schema, schema, new ArrayList<>(), known);
      keys = known;
    }
    return known;
  }

  /** The shipped JSON Schema of the config. */
  public static JsonObject schema() {
    try (InputStream in = EnvOverrides.class.getClassLoader().getResourceAsStream(SCHEMA)) {
      if (in == null) {
        throw new IllegalStateException("the config schema " + SCHEMA + " is missing from the class path");
      }
      return new JsonObject(Buffer.buffer(in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void collect(JsonObject root, JsonObject node, List<String> path, Map<String, Key> into) {
    JsonObject properties = node.getJsonObject("properties");
    if (properties == null || !path.isEmpty() && !"object".equals(node.getString("type"))) {
      into.put(name(path), new Key(List.copyOf(path), node));
      return;
    }
    if (!path.isEmpty()) {
      // An object is settable as a whole too (as JSON), besides key by key.
      into.put(name(path), new Key(List.copyOf(path), node));
    }
    for (String key : properties.fieldNames()) {
      if (key.startsWith("$")) {
        continue;
      }
      List<String> child = new ArrayList<>(path);
      child.add(key);
      collect(root, resolve(root, properties.getJsonObject(key)), child, into);
    }
  }

  private static JsonObject resolve(JsonObject root, JsonObject node) {
    String ref = node.getString("$ref");
    if (ref == null || !ref.startsWith("#/")) {
      return node;
    }
    JsonObject target = root;
    for (String segment : ref.substring(2).split("/")) {
      target = target.getJsonObject(segment);
    }
    return target;
  }

  private static String name(List<String> path) {
    return PREFIX + String.join("_", path).toUpperCase(Locale.ROOT);
  }

  /** Sets each key an {@code ONELOOP_*} variable names, in place; reports what it could not use. */
  public static Result apply(JsonObject config, Map<String, String> env) {
    List<String> errors = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    Map<String, Key> known = keys();
    // Whole objects first, then their keys, so ONELOOP_HTTP and ONELOOP_HTTP_PORT combine in that order.
    Map<String, String> sorted = new TreeMap<>(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()));
    env.forEach((name, value) -> {
      if (name.toUpperCase(Locale.ROOT).startsWith(PREFIX)) {
        sorted.put(name, value);
      }
    });
    sorted.forEach((name, value) -> {
      if (OWN_FORM.contains(name.toUpperCase(Locale.ROOT)) || TaskEnv.handles(name)) {
        return;
      }
      Key key = known.get(name.toUpperCase(Locale.ROOT));
      if (key == null) {
        unknown.add(name + " names no config key (nearest: " + nearest(name.toUpperCase(Locale.ROOT), known) + ")");
        return;
      }
      try {
        set(config, key.path(), parse(name, value, key.schema()));
      } catch (ConfigException e) {
        errors.add(e.getMessage());
      }
    });
    // One key of one task, after ONELOOP_TASKS has set the list.
    errors.addAll(TaskEnv.apply(config, env));
    return new Result(errors, unknown);
  }

  static Object parse(String name, String raw, JsonObject schema) {
    String value = raw.trim();
    String type = schema.getString("type", "");
    switch (type) {
      case "integer" -> {
        long min = schema.getLong("minimum", Long.MIN_VALUE);
        long max = schema.getLong("maximum", Long.MAX_VALUE);
        try {
          long n = Long.parseLong(value);
          if (n < min || n > max) {
            throw new NumberFormatException();
          }
          return n <= Integer.MAX_VALUE && n >= Integer.MIN_VALUE ? (Object) (int) n : (Object) n;
        } catch (NumberFormatException e) {
          throw new ConfigException(schema.containsKey("minimum") && schema.containsKey("maximum")
            ? Checks.notAnInteger(name, min, max, Json.encode(raw))
            : name + " must be an integer, got " + Json.encode(raw));
        }
      }
      case "boolean" -> {
        if (value.equals("true") || value.equals("false")) {
          return Boolean.parseBoolean(value);
        }
        throw new ConfigException(name + " must be true or false, got " + Json.encode(raw));
      }
      case "string" -> {
        if (value.isEmpty()) {
          throw new ConfigException(name + " must be a non-empty string, got " + Json.encode(raw));
        }
        JsonArray choices = schema.getJsonArray("enum");
        if (choices != null && !choices.contains(value)) {
          throw new ConfigException(name + " must be one of " + String.join(", ", choices.stream().map(String::valueOf).toList())
            + ", got " + Json.encode(raw));
        }
        return value;
      }
      case "array" -> {
        JsonObject items = schema.getJsonObject("items", new JsonObject());
        if ("string".equals(items.getString("type")) && !value.startsWith("[")) {
          JsonArray list = new JsonArray();
          Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(list::add);
          return list;
        }
        return json(name, value, JsonArray.class, "a JSON list");
      }
      default -> {
        return json(name, value, JsonObject.class, "a JSON object");
      }
    }
  }

  private static Object json(String name, String value, Class<?> type, String expected) {
    try {
      Object parsed = Json.decodeValue(value);
      if (type.isInstance(parsed)) {
        return parsed;
      }
    } catch (DecodeException e) {
      // reported below, with what was found
    }
    throw new ConfigException(name + " must be " + expected + ", got " + Json.encode(value));
  }

  private static void set(JsonObject config, List<String> path, Object value) {
    JsonObject at = config;
    for (int i = 0; i < path.size() - 1; i++) {
      Object next = at.getValue(path.get(i));
      JsonObject object;
      if (next instanceof JsonObject existing) {
        object = existing;
      } else {
        object = new JsonObject();
        at.put(path.get(i), object);
      }
      at = object;
    }
    at.put(path.get(path.size() - 1), value);
  }

  /** The known variable (and its key) closest to {@code name} by edit distance. */
  static String nearest(String name, Map<String, Key> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (Map.Entry<String, Key> entry : known.entrySet()) {
      int d = distance(name, entry.getKey());
      if (d < bestDistance) {
        bestDistance = d;
        best = entry.getKey() + ", " + entry.getValue().dotted();
      }
    }
    return best;
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /** The settable keys, for documentation and tests: variable name to dotted path. */
  public static Map<String, String> variables() {
    Map<String, String> names = new LinkedHashMap<>();
    keys().forEach((name, key) -> names.put(name, key.dotted()));
    return names;
  }
}
