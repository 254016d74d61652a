package io.oneloop.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code docs/configuration.md} and {@code conf/config.schema.json} name the same keys, so the
 * reference cannot drift from what the server accepts. A key is a row of a table whose header
 * starts {@code | key | type |}, its first cell the key path in backticks ({@code tasks[].name}
 * for a key of each entry of a list).
 */
class ConfigDocsTest {

  private static final Path SCHEMA = Path.of("conf", "config.schema.json");
  private static final Path DOCS = Path.of("docs", "configuration.md");
  private static final Pattern ROW = Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|(.*?)\\|");

  /** Every key path of the schema, with its (resolved) schema; {@code needsRow} is false for a section (an object with keys of its own). */
  private record SchemaKey(JsonObject schema, boolean needsRow) {
  }

  private static Map<String, SchemaKey> schemaKeys() throws IOException {
    JsonObject root = new JsonObject(Files.readString(SCHEMA));
    Map<String, SchemaKey> keys = new LinkedHashMap<>();
    walk(root, root, "", keys);
    return keys;
  }

  private static JsonObject resolve(JsonObject root, JsonObject node) {
    String ref = node.getString("$ref");
    if (ref == null) {
      return node;
    }
    JsonObject target = root;
    for (String segment : ref.replaceFirst("^#/", "").split("/")) {
      target = target.getJsonObject(segment);
    }
    // The key's own description (beside the $ref) belongs to it, the rest to the definition.
    JsonObject own = node.copy();
    own.remove("$ref");
    return target.copy().mergeIn(own);
  }

  private static void walk(JsonObject root, JsonObject node, String path, Map<String, SchemaKey> keys) {
    JsonObject properties = node.getJsonObject("properties");
    if (properties == null) {
      return;
    }
    for (String name : properties.fieldNames()) {
      JsonObject child = resolve(root, properties.getJsonObject(name));
      String childPath = path.isEmpty() ? name : path + "." + name;
      if (child.containsKey("properties")) {
        // A section: documented through its keys, a row of its own is welcome but not needed.
        keys.put(childPath, new SchemaKey(child, false));
        walk(root, child, childPath, keys);
        continue;
      }
      keys.put(childPath, new SchemaKey(child, true));
      if ("array".equals(child.getString("type")) && child.getValue("items") instanceof JsonObject items) {
        walk(root, resolve(root, items), childPath + "[]", keys);
      }
    }
  }

  /** The rows of the reference tables: key path to its type cell. */
  private static Map<String, String> documentedKeys() throws IOException {
    Map<String, String> rows = new LinkedHashMap<>();
    boolean inKeyTable = false;
    for (String line : Files.readAllLines(DOCS)) {
      if (!line.startsWith("|")) {
        inKeyTable = false;
        continue;
      }
      if (line.matches("^\\|\\s*key\\s*\\|\\s*type\\s*\\|.*")) {
        inKeyTable = true;
        continue;
      }
      Matcher row = ROW.matcher(line);
      if (inKeyTable && row.find()) {
        String previous = rows.put(row.group(1), row.group(2).trim());
        assertEquals(null, previous, DOCS + " has two rows for " + row.group(1));
      }
    }
    return rows;
  }

  @Test
  @DisplayName("every key of conf/config.schema.json, list entries' keys included, has a row in docs/configuration.md")
  void everySchemaKeyIsDocumented() throws IOException {
    Map<String, String> documented = documentedKeys();
    List<String> missing = new ArrayList<>();
    schemaKeys().forEach((path, key) -> {
      if (key.needsRow() && !documented.containsKey(path)) {
        missing.add(path);
      }
    });
    assertEquals(List.of(), missing, "keys of " + SCHEMA + " without a row in " + DOCS);
  }

  @Test
  @DisplayName("every key docs/configuration.md describes is a key of conf/config.schema.json")
  void everyDocumentedKeyExists() throws IOException {
    Set<String> known = schemaKeys().keySet();
    Set<String> unknown = new LinkedHashSet<>(documentedKeys().keySet());
    unknown.removeAll(known);
    assertEquals(Set.of(), unknown, "rows of " + DOCS + " naming keys that " + SCHEMA + " lacks");
  }

  @Test
  @DisplayName("each row's type agrees with the schema: its type, its integer range, its allowed values")
  void typesAgree() throws IOException {
    Map<String, String> documented = documentedKeys();
    List<String> disagreements = new ArrayList<>();
    schemaKeys().forEach((path, key) -> {
      String cell = documented.get(path);
      if (cell == null) {
        return;
      }
      for (String expected : expectedInTypeCell(key.schema())) {
        // "integer 1-1000000" must not pass for a cell that says "integer 1-10000000".
        if (!Pattern.compile(Pattern.quote(expected) + "(?![0-9])").matcher(cell).find()) {
          disagreements.add(path + ": the type \"" + cell + "\" should say " + expected);
        }
      }
    });
    assertEquals(List.of(), disagreements);
  }

  /** The words a type cell must contain for this schema: "integer 0-65535", "list", each enum value quoted. */
  private static List<String> expectedInTypeCell(JsonObject schema) {
    List<String> words = new ArrayList<>();
    if (schema.getValue("anyOf") instanceof JsonArray alternatives) {
      for (Object alternative : alternatives) {
        words.addAll(expectedInTypeCell((JsonObject) alternative));
      }
      return words;
    }
    String type = schema.getString("type");
    if (type != null) {
      words.add(switch (type) {
        case "array" -> "list";
        case "integer" -> schema.containsKey("minimum") && schema.containsKey("maximum")
          ? "integer " + schema.getLong("minimum") + "-" + schema.getLong("maximum")
          : "integer";
        default -> type;
      });
    }
    if (schema.getValue("enum") instanceof JsonArray values) {
      for (Object value : values) {
        words.add("\"" + value + "\"");
      }
    }
    return words;
  }

  @Test
  @DisplayName("the check itself sees the schema: list entries, $ref definitions and sections")
  void walkFindsNestedKeys() throws IOException {
    Map<String, SchemaKey> keys = schemaKeys();
    assertTrue(keys.get("tasks[].restart.backoffMs").needsRow());
    assertTrue(keys.get("bridge.inbound[].addressRegex").needsRow());
    assertTrue(keys.get("hooks.shutdown[].timeoutMs").needsRow());
    assertTrue(keys.get("bridge.history").needsRow());
    assertTrue(!keys.get("auth.jwt").needsRow() && keys.get("auth.jwt.requireExp").needsRow());
    assertTrue(documentedKeys().size() >= 70, "found " + documentedKeys().size() + " rows");
  }
}
