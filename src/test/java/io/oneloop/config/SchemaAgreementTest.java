package io.oneloop.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code conf/config.schema.json} and the config checker say the same about structure: the
 * shipped config, every config in README.md and docs/*.md, and a set of bad configs. What only the checker can
 * know (whether a class is on the class path, task names unique, a regular expression valid, a
 * hook's params right for its job type) is the checker's alone.
 */
class SchemaAgreementTest {

  private static final Validator SCHEMA = Validator.create(JsonSchema.of(EnvOverrides.schema()),
    new JsonSchemaOptions().setDraft(Draft.DRAFT7).setBaseUri("https://oneloop.io/").setOutputFormat(OutputFormat.Basic));
  private static final Pattern CLASS_PATH_ONLY = Pattern.compile(".*: no class \\S+ on the class path|.*\\.type must be a job type .*");

  private static JsonObject resolved(JsonObject given) {
    return ConfigLoader.resolve(given, true, Map.of());
  }

  private static List<String> checkerProblems(JsonObject config) {
    try {
      AppConfig.validate(config, "test");
      return List.of();
    } catch (ConfigException e) {
      return e.problems();
    }
  }

  private static OutputUnit schema(JsonObject config) {
    return SCHEMA.validate(config);
  }

  @Test
  @DisplayName("the shipped conf/config.json is valid for both, $schema key included")
  void shippedConfig() throws Exception {
    JsonObject shipped = new JsonObject(Files.readString(Path.of("conf", "config.json")));
    assertTrue(shipped.containsKey("$schema"));
    assertTrue(schema(shipped).getValid(), schema(shipped).toString());
    assertEquals(List.of(), checkerProblems(resolved(shipped)));
  }

  /** README.md and every page of docs/: where a user copies a config from. */
  private static List<Path> docs() throws IOException {
    List<Path> files = new ArrayList<>(List.of(Path.of("README.md")));
    try (Stream<Path> pages = Files.list(Path.of("docs"))) {
      pages.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    return files;
  }

  @Test
  @DisplayName("every config in README.md and docs/*.md is valid for the schema, and for the checker but for the classes the example only names")
  void docsExamples() throws Exception {
    Map<Path, Integer> configs = new TreeMap<>();
    for (Path file : docs()) {
      String text = Files.readString(file);
      Matcher blocks = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(text);
      while (blocks.find()) {
        JsonObject block;
        try {
          block = new JsonObject(blocks.group(1));
        } catch (DecodeException | ClassCastException e) {
          continue;
        }
        // A block with a task's keys is one entry of "tasks".
        JsonObject config = block.containsKey("name") ? new JsonObject().put("tasks", new JsonArray().add(block)) : block;
        JsonObject full = resolved(config);
        OutputUnit result = schema(full);
        assertTrue(result.getValid(), file + " example " + blocks.group(1) + "\n" + result);
        for (String problem : checkerProblems(full)) {
          assertTrue(CLASS_PATH_ONLY.matcher(problem).matches(), file + " example " + blocks.group(1) + ": " + problem);
        }
        configs.merge(file, 1, Integer::sum);
      }
    }
    int all = configs.values().stream().mapToInt(Integer::intValue).sum();
    assertTrue(all >= 4, "found " + all + " config examples: " + configs);
    assertTrue(configs.containsKey(Path.of("README.md")), "the README's own example: " + configs);
    assertTrue(configs.containsKey(Path.of("docs", "configuration.md")), "the default config in docs/configuration.md: " + configs);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
    "{\"http\": {\"port\": \"abc\"}}",
    "{\"http\": {\"port\": 70000}}",
    "{\"http\": 5}",
    "{\"http\": {\"host\": \" \"}}",
    "{\"http\": {\"accessLog\": 1}}",
    "{\"shutdownTimout\": 1}",
    "{\"shutdownTimeoutMs\": 0}",
    "{\"tasks\": \"x\"}",
    "{\"tasks\": [5]}",
    "{\"tasks\": [{\"name\": \"a\"}]}",
    "{\"tasks\": [{\"name\": \"a\", \"type\": \"ticker\", \"class\": \"x.Y\"}]}",
    "{\"tasks\": [{\"name\": \"a\", \"type\": \"nope\"}]}",
    "{\"tasks\": [{\"name\": \"\", \"type\": \"ticker\"}]}",
    "{\"tasks\": [{\"name\": \"a\", \"type\": \"ticker\", \"colour\": \"red\"}]}",
    "{\"tasks\": [{\"name\": \"a\", \"type\": \"ticker\", \"threading\": \"fast\"}]}",
    "{\"tasks\": [{\"name\": \"a\", \"type\": \"ticker\", \"config\": 3}]}",
    "{\"tasks\": [{\"name\": \"a\", \"type\": \"ticker\", \"restart\": {\"policy\": \"sometimes\"}}]}",
    "{\"tasks\": [{\"name\": \"a\", \"type\": \"ticker\", \"restart\": {\"maxRestarts\": -1}}]}",
    "{\"tasks\": [{\"name\": \"a\", \"type\": \"ticker\", \"critical\": \"yes\"}]}",
    "{\"bridge\": {\"outbound\": [{\"address\": \"a\", \"addressRegex\": \"b\"}]}}",
    "{\"bridge\": {\"outbound\": [{}]}}",
    "{\"bridge\": {\"inbound\": {}}}",
    "{\"bridge\": {\"sideways\": []}}",
    "{\"bridge\": {\"history\": {}}}",
    "{\"bridge\": {\"history\": [{\"size\": 10}]}}",
    "{\"bridge\": {\"history\": [{\"address\": \"a\", \"size\": 0}]}}",
    "{\"bridge\": {\"history\": [{\"address\": \"a\", \"maxBytes\": 10}]}}",
    "{\"bridge\": {\"history\": [{\"addressRegex\": \"a\", \"ttlMs\": 0}]}}",
    "{\"http\": {\"allowedHosts\": [\"http://app.example.com\"]}}",
    "{\"http\": {\"allowedHosts\": [\"app.example.com:8080\"]}}",
    "{\"http\": {\"allowedHosts\": \"app.example.com\"}}",
    "{\"bridge\": {\"history\": [{\"address\": \"a\", \"keep\": true}]}}",
    "{\"bridge\": {\"maxHistoryAddresses\": -1}}",
    "{\"bridge\": {\"maxHistoryBytes\": 1000}}",
    "{\"bridge\": {\"maxHistoryAddressesPerClient\": -1}}",
    "{\"jobs\": {\"maxConcurrent\": 0}}",
    "{\"jobs\": {\"types\": {\"lines\": 5}}}",
    "{\"hooks\": {\"startup\": [{\"params\": {}}]}}",
    "{\"hooks\": {\"startup\": [{\"type\": \"sleep\", \"timeoutMs\": 0}]}}",
    "{\"log\": {\"format\": \"xml\"}}",
    "{\"metrics\": {\"enabled\": \"yes\"}}",
    "{\"health\": {\"maxEventLoopDelayMs\": 5}}",
    "{\"cluster\": {\"enabled\": \"yes\"}}",
    "{\"cluster\": {\"port\": 0}}",
    "{\"cluster\": {\"host\": \"\"}}",
    "{\"cluster\": {\"members\": [\"10.0.0.1\"]}}",
    "{\"cluster\": {\"members\": \"10.0.0.1:5701\"}}",
    "{\"cluster\": {\"multicast\": true}}",
    "{\"tasks\": [{\"name\": \"a\", \"type\": \"ticker\", \"singleton\": 1}]}"
  })
  @DisplayName("a bad config is refused by both, the schema pointing where the checker's message does")
  void badConfigs(String text) {
    JsonObject config = resolved(new JsonObject(text));
    List<String> problems = checkerProblems(config);
    OutputUnit result = schema(config);
    assertFalse(problems.isEmpty(), "the checker accepts " + text);
    assertFalse(result.getValid(), "the schema accepts " + text);
    List<String> locations = new ArrayList<>();
    for (OutputUnit error : result.getErrors() == null ? List.<OutputUnit>of() : result.getErrors()) {
      locations.add(dotted(error.getInstanceLocation()));
    }
    String checkerPath = problems.get(0).substring("test: ".length()).split("[ :]", 2)[0];
    assertTrue(locations.stream().anyMatch(checkerPath::startsWith),
      "the checker says " + problems.get(0) + "; the schema points at " + locations);
  }

  /** "#/tasks/0/name" or "/tasks/0/name" as the checker writes it: "tasks[0].name". */
  private static String dotted(String pointer) {
    String path = pointer == null ? "" : pointer.replaceFirst("^#", "").replaceFirst("^/", "");
    StringBuilder out = new StringBuilder();
    for (String segment : path.isEmpty() ? new String[0] : path.split("/")) {
      if (segment.matches("\\d+")) {
        out.append('[').append(segment).append(']');
      } else {
        out.append(out.length() == 0 ? "" : ".").append(segment);
      }
    }
    return out.toString();
  }
}
