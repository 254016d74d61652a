package io.oneloop.config;

import io.oneloop.jobs.JobTypes;
import io.oneloop.shape.ConfigShape;
import io.oneloop.tasks.TaskTypes;
import io.oneloop.testtasks.GreeterTask;
import io.oneloop.testtasks.ShapedJob;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A task's config and a hook's params, checked by the shape their class declares, with the config's own wording. */
class ShapeCheckTest {

  private static final String GREETER = GreeterTask.class.getName();

  private static List<String> problems(String json) {
    ConfigLoader.Check check = checkFile(json);
    return check.problems();
  }

  private static ConfigLoader.Check checkFile(String json) {
    try {
      Path file = Files.createTempFile("shape", ".json");
      Files.writeString(file, json);
      try {
        ConfigLoader.Check check = ConfigLoader.check(file.toString(), Map.of());
        return new ConfigLoader.Check("conf/bad.json", check.problems().stream()
          .map(p -> p.replace(file.toString(), "conf/bad.json")).toList(), check.warnings());
      } finally {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @DisplayName("--check-config names a built-in ticker's intervalMs that is not an integer, as it names a built-in key")
  void builtInTickerChecked() {
    assertEquals(List.of("conf/bad.json: tasks[0].config.intervalMs must be an integer 1-2147483647, got \"fast\""),
      problems("{\"tasks\":[{\"name\":\"t\",\"type\":\"ticker\",\"config\":{\"intervalMs\":\"fast\"}}]}"));
    assertEquals(List.of("conf/bad.json: tasks[0].config.intervalMs must be an integer 10-2147483647, got 5",
        "conf/bad.json: tasks[0].config.address must be an event-bus address (a non-empty string), got \"\""),
      problems("{\"tasks\":[{\"name\":\"m\",\"type\":\"metrics\",\"config\":{\"intervalMs\":5,\"address\":\"\"}}]}"));
    assertEquals(List.of("conf/bad.json: tasks[0].config.interval is not a known key (expected one of address, count, intervalMs)"),
      problems("{\"tasks\":[{\"name\":\"t\",\"type\":\"ticker\",\"config\":{\"interval\":1000}}]}"));
  }

  @Test
  @DisplayName("a user's task class is checked by its configShape(): every bad key, a missing required one and an unknown one, each with its path")
  void userTaskChecked() {
    assertEquals(List.of(
        "conf/bad.json: tasks[1].config.everyMs must be an integer 1-60000, got \"fast\"",
        "conf/bad.json: tasks[1].config.greeting must be a string of 1-100 characters, got nothing"),
      problems("{\"tasks\":[{\"name\":\"t\",\"type\":\"ticker\"},"
        + "{\"name\":\"g\",\"class\":\"" + GREETER + "\",\"config\":{\"everyMs\":\"fast\"}}]}"));
    assertEquals(List.of("conf/bad.json: tasks[0].config.greting is not a known key (expected one of address, apiKey, everyMs, greeting)",
        "conf/bad.json: tasks[0].config.greeting must be a string of 1-100 characters, got nothing"),
      problems("{\"tasks\":[{\"name\":\"g\",\"class\":\"" + GREETER + "\",\"config\":{\"greting\":\"hi\"}}]}"));
    assertEquals(List.of("conf/bad.json: tasks[0].config.greeting must be a string of 1-100 characters, got nothing"),
      problems("{\"tasks\":[{\"name\":\"g\",\"class\":\"" + GREETER + "\"}]}"), "no config at all still misses the required key");
    assertEquals(List.of(), problems("{\"tasks\":[{\"name\":\"g\",\"class\":\"" + GREETER + "\",\"config\":{\"greeting\":\"hi\",\"everyMs\":5}}]}"));
  }

  @Test
  @DisplayName("a hook's params are checked by its job type's shape, built-in or added by jobs.types")
  void hookParamsChecked() {
    assertEquals(List.of("conf/bad.json: hooks.startup[0].params.ms must be an integer 0-86400000, got \"soon\""),
      problems("{\"hooks\":{\"startup\":[{\"type\":\"sleep\",\"params\":{\"ms\":\"soon\"}}]}}"));
    assertEquals(List.of("conf/bad.json: hooks.shutdown[0].params.mode must be \"fast\", \"slow\" or \"off\", got \"medium\"",
        "conf/bad.json: hooks.shutdown[0].params.rows must be an integer 0-1000, got -1"),
      problems("{\"jobs\":{\"types\":{\"shaped\":\"" + ShapedJob.class.getName() + "\"}},"
        + "\"hooks\":{\"shutdown\":[{\"type\":\"shaped\",\"params\":{\"mode\":\"medium\",\"rows\":-1}}]}}"));
    assertEquals(List.of("conf/bad.json: hooks.startup[0].params.delay is not a known key (expected one of address, body, delayMs)"),
      problems("{\"hooks\":{\"startup\":[{\"type\":\"broadcast\",\"params\":{\"address\":\"oneloop.server\",\"body\":1,\"delay\":5}}]}}"));
  }

  @Test
  @DisplayName("a class whose configShape() is not public static fails the check at its class, naming why")
  void brokenDeclaration() {
    assertEquals(List.of("conf/bad.json: tasks[0].class: " + InstanceShapeTask.class.getName()
        + ".configShape() must be public static and return io.oneloop.shape.ConfigShape"),
      problems("{\"tasks\":[{\"name\":\"b\",\"class\":\"" + InstanceShapeTask.class.getName() + "\"}]}"));
  }

  /** A task that got the declaration wrong: an instance method. */
  public static class InstanceShapeTask extends io.oneloop.tasks.Task {
    public ConfigShape configShape() {
      return ConfigShape.of();
    }
  }

  @Test
  @DisplayName("the shipped conf/config.json passes --check-config, and so does every built-in task and hook in the docs' examples")
  void todaysConfigsStillStart() throws IOException {
    ConfigLoader.Check shipped = ConfigLoader.check(Path.of("conf", "config.json").toString(), Map.of());
    assertEquals(List.of(), shipped.problems());
    int examples = 0;
    for (JsonObject example : docExamples()) {
      for (Object entry : example.getJsonArray("tasks", new JsonArray())) {
        JsonObject task = (JsonObject) entry;
        if (task.containsKey("type")) {
          ConfigShape shape = TaskTypes.shape(task.getString("type"), null);
          assertEquals(List.of(), shape.check(task.getJsonObject("config", new JsonObject()), "tasks[].config"), task.encode());
          examples++;
        }
      }
      JsonObject hooks = example.getJsonObject("hooks", new JsonObject());
      for (String list : List.of("startup", "shutdown")) {
        for (Object entry : hooks.getJsonArray(list, new JsonArray())) {
          JsonObject hook = (JsonObject) entry;
          ConfigShape shape = JobTypes.shape(hook.getString("type"), Map.of());
          if (shape != null) {
            assertEquals(List.of(), shape.check(hook.getJsonObject("params", new JsonObject()), "params"), hook.encode());
            examples++;
          }
        }
      }
    }
    assertTrue(examples >= 3, "the docs' examples hold built-in tasks; found " + examples);
  }

  /** Every JSON object in a ```json block of README.md and docs/*.md. */
  private static List<JsonObject> docExamples() throws IOException {
    List<Path> files = new ArrayList<>(List.of(Path.of("README.md")));
    if (Files.isDirectory(Path.of("docs"))) {
      try (Stream<Path> docs = Files.list(Path.of("docs"))) {
        docs.filter(f -> f.toString().endsWith(".md")).sorted().forEach(files::add);
      }
    }
    List<JsonObject> examples = new ArrayList<>();
    Matcher block = Pattern.compile("(?s)```json\\n(.*?)```").matcher("");
    for (Path file : files) {
      block.reset(Files.readString(file));
      while (block.find()) {
        try {
          examples.add(new JsonObject(block.group(1)));
        } catch (DecodeException | ClassCastException e) {
          // a fragment, not a whole object
        }
      }
    }
    assertFalse(examples.isEmpty());
    return examples;
  }

  @Test
  @DisplayName("a config that is otherwise fine but has a bad task key does not start")
  void startRefused() {
    ConfigException e = assertThrows(ConfigException.class, () -> AppConfig.validate(ConfigLoader.resolve(
      new JsonObject("{\"tasks\":[{\"name\":\"t\",\"type\":\"ticker\",\"config\":{\"count\":-1}}]}"), true, Map.of()), "c.json"));
    assertEquals("c.json: tasks[0].config.count must be an integer 0-9223372036854775807, got -1", e.getMessage());
  }
}
