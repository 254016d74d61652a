package io.oneloop.config;

import io.oneloop.app.RestartPolicy;
import io.vertx.core.ThreadingModel;
import io.vertx.core.json.JsonObject;

/** One configured background task. {@code kind} is the built-in type or the class name. */
public record TaskSpec(String name, String type, String className, JsonObject config, ThreadingModel threading,
                       RestartPolicy restart, boolean critical) {

  public String kind() {
    return type != null ? type : className;
  }
}
