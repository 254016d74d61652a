package io.oneloop.config;

import io.oneloop.shape.ConfigShape;
import io.oneloop.tasks.TaskTypes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code ONELOOP_TASKS_<NAME>_CONFIG_<KEY>}: one key of one task's config from the environment.
 * {@code NAME} is the task's name with every character outside {@code [A-Za-z0-9]} written {@code _},
 * {@code KEY} one of the keys the task's {@link ConfigShape} declares, both in any case; the value is
 * parsed as the key's type. It applies after {@code ONELOOP_TASKS}. A variable that names no task, a
 * key the task does not declare, or a name two tasks share stops the start: each would otherwise
 * leave a setting silently unapplied.
 */
final class TaskEnv {

  static final String PREFIX = EnvOverrides.PREFIX + "TASKS_";
  private static final String CONFIG = "_CONFIG_";

  private TaskEnv() {
  }

  /** Whether the variable {@code name} is of this form (and so not a key {@link EnvOverrides} knows). */
  static boolean handles(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    return upper.startsWith(PREFIX) && upper.indexOf(CONFIG, PREFIX.length()) > PREFIX.length();
  }

  /** A task's name as the variable writes it. */
  static String variableName(String taskName) {
    return taskName.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
  }

  /** Sets each key a variable of this form names, in place; the errors, one per variable it could not use. */
  static List<String> apply(JsonObject config, Map<String, String> env) {
    List<String> errors = new ArrayList<>();
    Map<String, String> variables = new TreeMap<>();
    env.forEach((name, value) -> {
      if (handles(name)) {
        variables.put(name, value);
      }
    });
    if (variables.isEmpty()) {
      return errors;
    }
    // Task entries by the name a variable gives them; two entries in one list are the clash.
    Map<String, List<JsonObject>> byName = new TreeMap<>();
    if (config.getValue("tasks") instanceof JsonArray tasks) {
      for (Object entry : tasks) {
        if (entry instanceof JsonObject task && task.getValue("name") instanceof String name) {
          byName.computeIfAbsent(variableName(name), n -> new ArrayList<>()).add(task);
        }
      }
    }
    variables.forEach((variable, value) -> {
      try {
        set(variable, value, byName);
      } catch (IllegalArgumentException e) {
        errors.add(e.getMessage());
      }
    });
    return errors;
  }

  private static void set(String variable, String value, Map<String, List<JsonObject>> byName) {
    String rest = variable.toUpperCase(Locale.ROOT).substring(PREFIX.length());
    // The longest task name that fits, so a task called "a_config_b" is not taken for "a".
    String name = null;
    for (String candidate : byName.keySet()) {
      if (rest.startsWith(candidate + CONFIG) && rest.length() > candidate.length() + CONFIG.length()
        && (name == null || candidate.length() > name.length())) {
        name = candidate;
      }
    }
    if (name == null) {
      throw new IllegalArgumentException(variable + " names no task (the tasks are " + (byName.isEmpty() ? "none"
        : String.join(", ", byName.keySet())) + ", each name with every character outside A-Z, a-z, 0-9 written _)");
    }
    List<JsonObject> tasks = byName.get(name);
    if (tasks.size() > 1) {
      throw new IllegalArgumentException(variable + ": the tasks " + String.join(" and ",
        tasks.stream().map(t -> "\"" + t.getString("name") + "\"").toList()) + " both give the name " + name
        + "; rename one to set its config from the environment");
    }
    JsonObject task = tasks.get(0);
    String keyName = rest.substring(name.length() + CONFIG.length());
    ConfigShape shape = shape(task);
    ConfigShape.Key key = shape == null ? null : shape.keyIgnoringCase(keyName);
    if (key == null) {
      throw new IllegalArgumentException(variable + ": the task \"" + task.getString("name") + "\" declares "
        + (shape == null || shape.keys().isEmpty() ? "no config keys (its class has no configShape())"
        : "no key " + keyName + " (its keys: " + String.join(", ", shape.keys().keySet()) + ")"));
    }
    Object parsed = key.fromText(value, variable);
    Object current = task.getValue("config");
    JsonObject taskConfig = current instanceof JsonObject object ? object : new JsonObject();
    taskConfig.put(key.name(), parsed);
    if (current == null) {
      task.put("config", taskConfig);
    }
  }

  /** The task's declared shape, or null when it has none or its type or class is not usable (the check says why). */
  private static ConfigShape shape(JsonObject task) {
    try {
      Object type = task.getValue("type");
      Object className = task.getValue("class");
      if (type instanceof String t) {
        return TaskTypes.shape(t, null);
      }
      return className instanceof String c ? TaskTypes.shape(null, c) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
