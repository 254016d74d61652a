package io.oneloop.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Locale;

/**
 * Hides what must not leave the process: any key named (or ending in) secret, token or password,
 * and every value of a task's {@code config} and of a hook's {@code params}, which oneloop cannot
 * tell apart from credentials (an {@code apiKey}, a URL with a password in it).
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
   * {@link #REDACTED}. A nested object or list is one value: its keys are not shown either.
   */
  public static JsonObject forDisplay(JsonObject config) {
    JsonObject shown = redact(config);
    if (shown.getValue("tasks") instanceof JsonArray tasks) {
      tasks.forEach(task -> hideValues(task, "config"));
    }
    if (shown.getValue("hooks") instanceof JsonObject hooks) {
      for (String list : HOOK_LISTS) {
        if (hooks.getValue(list) instanceof JsonArray entries) {
          entries.forEach(hook -> hideValues(hook, "params"));
        }
      }
    }
    return shown;
  }

  private static void hideValues(Object entry, String key) {
    if (entry instanceof JsonObject object && object.getValue(key) instanceof JsonObject values) {
      JsonObject hidden = new JsonObject();
      values.fieldNames().forEach(name -> hidden.put(name, REDACTED));
      object.put(key, hidden);
    }
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
