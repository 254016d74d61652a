package io.oneloop.config;

import io.vertx.core.ThreadingModel;
import io.vertx.core.json.JsonObject;

/**
 * One configured background task. {@code kind} is the built-in type or the class name;
 * {@code singleton}: in a cluster, one node at a time runs it.
 */
public record TaskSpec(String name, String type, String className, JsonObject config, ThreadingModel threading,
                       RestartPolicy restart, boolean critical, boolean singleton) {

  public String kind() {
    return type != null ? type : className;
  }
}
