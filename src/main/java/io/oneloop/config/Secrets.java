package io.oneloop.config;

import io.oneloop.jobs.JobTypes;
import io.oneloop.shape.ConfigShape;
import io.oneloop.tasks.TaskTypes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Hides what must not leave the process: any key named (or ending in) secret, token or password,
 * and every value of a task's {@code config} and of a hook's {@code params}, which oneloop cannot
 * tell apart from credentials (an {@code apiKey}, a URL with a password in it), except the keys the
 * task's or job type's {@link ConfigShape} marks shown.
 */
public final class Secrets {

  public static final String REDACTED = "<redacted>";
  private static final List<String> HOOK_LISTS = List.of("startup", "shutdown");

  private Secrets() {
  }

  /** A copy of {@code config} with every secret's value replaced by {@link #REDACTED}, at any depth. */
  public static JsonObject redact(JsonObject config) {
    JsonObject copy = new JsonObject();
    config.forEach(e -> copy.put(e.getKey(), isSecret(e.getKey()) && e.getValue() != null ? REDACTED : redactValue(e.getValue())));
    return copy;
  }

  /**
   * The app's config as {@code /api/info} shows it: {@link #redact}ed, and each {@code tasks[].config}
   * and {@code hooks.startup[]/shutdown[].params} reduced to its own keys, each with the value
   * {@link #REDACTED}, but for the keys the task's or job type's shape marks shown (still
   * {@link #redact}ed). A nested object or list is one value: its keys are not shown either.
   */
  public static JsonObject forDisplay(JsonObject config) {
    JsonObject shown = redact(config);
    if (shown.getValue("tasks") instanceof JsonArray tasks) {
      tasks.forEach(task -> hideValues(task, "config", shownKeys(() -> taskShape(task))));
    }
    Map<String, String> jobClasses = jobClasses(config);
    if (shown.getValue("hooks") instanceof JsonObject hooks) {
      for (String list : HOOK_LISTS) {
        if (hooks.getValue(list) instanceof JsonArray entries) {
          entries.forEach(hook -> hideValues(hook, "params", shownKeys(() -> hook instanceof JsonObject h
            && h.getValue("type") instanceof String type ? JobTypes.shape(type, jobClasses) : null)));
        }
      }
    }
    return shown;
  }

  private static void hideValues(Object entry, String key, Set<String> shownKeys) {
    if (entry instanceof JsonObject object && object.getValue(key) instanceof JsonObject values) {
      JsonObject hidden = new JsonObject();
      values.forEach(e -> hidden.put(e.getKey(), shownKeys.contains(e.getKey()) ? e.getValue() : REDACTED));
      object.put(key, hidden);
    }
  }

  private interface ShapeSource {
    ConfigShape get();
  }

  /** The keys a shape marks shown; none when there is no shape or it cannot be had (then nothing is shown). */
  private static Set<String> shownKeys(ShapeSource shape) {
    try {
      ConfigShape declared = shape.get();
      return declared == null ? Set.of() : declared.shownKeys();
    } catch (RuntimeException | LinkageError e) {
      return Set.of();
    }
  }

  private static ConfigShape taskShape(Object task) {
    if (!(task instanceof JsonObject entry)) {
      return null;
    }
    Object type = entry.getValue("type");
    Object className = entry.getValue("class");
    return type instanceof String t ? TaskTypes.shape(t, null) : className instanceof String c ? TaskTypes.shape(null, c) : null;
  }

  private static Map<String, String> jobClasses(JsonObject config) {
    Map<String, String> classes = new TreeMap<>();
    if (config.getValue("jobs") instanceof JsonObject jobs && jobs.getValue("types") instanceof JsonObject types) {
      types.forEach(e -> {
        if (e.getValue() instanceof String className) {
          classes.put(e.getKey(), className);
        }
      });
    }
    return classes;
  }

  static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.endsWith("secret") || k.endsWith("token") || k.endsWith("password");
  }

  private static Object redactValue(Object value) {
    if (value instanceof JsonObject object) {
      return redact(object);
    }
    if (value instanceof JsonArray array) {
      JsonArray copy = new JsonArray();
      array.forEach(item -> copy.add(redactValue(item)));
      return copy;
    }
    return value;
  }
}
