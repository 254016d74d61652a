package io.oneloop.jobs;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * Turns what a job returned into a JSON value for its record, checked once when the job ends: a
 * result that cannot be encoded fails the job there, rather than every later answer that shows it.
 */
final class JobResults {

  private JobResults() {
  }

  /**
   * The result as plain JSON (a copy: the job keeps no hold on its record); an
   * {@link IllegalArgumentException} saying why when it cannot be encoded.
   */
  static Object toJson(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject || value instanceof JsonArray || value instanceof Map<?, ?> || value instanceof List<?>
      || value instanceof String || value instanceof Number || value instanceof Boolean)) {
      throw new IllegalArgumentException("the job's result cannot be encoded as JSON: it is a " + value.getClass().getName());
    }
    // Encoded and read back, so every value inside is checked, however deep (a date in a map, a
    // NaN), and what the record holds is what every answer will encode.
    try {
      return Json.decodeValue(Json.encode(value));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("the job's result cannot be encoded as JSON: " + e.getMessage());
    }
  }
}
