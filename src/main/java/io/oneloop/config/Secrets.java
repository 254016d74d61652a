package io.oneloop.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Locale;

/** Hides what must not leave the process: any key named (or ending in) secret, token or password. */
public final class Secrets {

  public static final String REDACTED = "<redacted>";

  private Secrets() {
  }

  /** A copy of {@code config} with every secret's value replaced by {@link #REDACTED}, at any depth. */
  public static JsonObject redact(JsonObject config) {
    JsonObject copy = new JsonObject();
    config.forEach(e -> copy.put(e.getKey(), isSecret(e.getKey()) && e.getValue() != null ? REDACTED : redactValue(e.getValue())));
    return copy;
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
