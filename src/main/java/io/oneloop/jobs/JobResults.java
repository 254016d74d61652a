package io.oneloop.jobs;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/** Turns what a job returned into a JSON value for its record. */
final class JobResults {

  private JobResults() {
  }

  @SuppressWarnings("unchecked")
  static Object toJson(Object value) {
    if (value == null || value instanceof JsonObject || value instanceof JsonArray || value instanceof String
      || value instanceof Number || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Map<?, ?> map) {
      return new JsonObject((Map<String, Object>) map);
    }
    if (value instanceof List<?> list) {
      return new JsonArray((List<Object>) list);
    }
    throw new IllegalArgumentException("the job's result is not JSON (a " + value.getClass().getName() + ")");
  }
}
