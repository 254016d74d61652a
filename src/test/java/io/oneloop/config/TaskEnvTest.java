package io.oneloop.config;

import io.oneloop.testtasks.GreeterTask;
import io.oneloop.testtasks.SelfEndingTask;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** ONELOOP_TASKS_<NAME>_CONFIG_<KEY> sets one declared key of one task, parsed as its type. */
class TaskEnvTest {

  private static final String TWO_TASKS = "{\"tasks\":["
    + "{\"name\":\"clock\",\"type\":\"ticker\",\"config\":{\"intervalMs\":1000}},"
    + "{\"name\":\"hello-world.v2\",\"class\":\"" + GreeterTask.class.getName() + "\",\"config\":{\"greeting\":\"hi\"}}]}";

  private static AppConfig resolved(String json, Map<String, String> env) {
    return AppConfig.validate(ConfigLoader.resolve(new JsonObject(json), true, env), "config");
  }

  private static String error(String json, Map<String, String> env) {
    return assertThrows(ConfigException.class, () -> resolved(json, env)).getMessage();
  }

  @Test
  @DisplayName("the task's name with other characters as _, and a declared key, both in any case, set that key parsed as its type")
  void setsOneKey() {
    AppConfig config = resolved(TWO_TASKS, Map.of(
      "ONELOOP_TASKS_CLOCK_CONFIG_INTERVALMS", "250",
      "oneloop_tasks_Hello_World_V2_config_everyms", "40",
      "ONELOOP_TASKS_HELLO_WORLD_V2_CONFIG_GREETING", "good day"));
    assertEquals(new JsonObject().put("intervalMs", 250), config.tasks().get(0).config());
    assertEquals(new JsonObject().put("greeting", "good day").put("everyMs", 40), config.tasks().get(1).config());
  }

  @Test
  @DisplayName("it applies after ONELOOP_TASKS, to the list that variable gave")
  void afterTheWholeList() {
    AppConfig config = resolved("{}", Map.of(
      "ONELOOP_TASKS", "[{\"name\":\"t\",\"type\":\"ticker\"}]",
      "ONELOOP_TASKS_T_CONFIG_COUNT", "3"));
    assertEquals(new JsonObject().put("count", 3), config.tasks().get(0).config());
  }

  @Test
  @DisplayName("a bad value, an undeclared key, an unknown task, a task without a shape and two tasks giving one name each stop the start, naming the variable")
  void refusals() {
    assertEquals("ONELOOP_TASKS_CLOCK_CONFIG_INTERVALMS must be an integer 1-2147483647, got \"fast\"",
      error(TWO_TASKS, Map.of("ONELOOP_TASKS_CLOCK_CONFIG_INTERVALMS", "fast")));
    assertEquals("ONELOOP_TASKS_CLOCK_CONFIG_SPEED: the task \"clock\" declares no key SPEED (its keys: intervalMs, address, count)",
      error(TWO_TASKS, Map.of("ONELOOP_TASKS_CLOCK_CONFIG_SPEED", "1")));
    assertEquals("ONELOOP_TASKS_CLOK_CONFIG_COUNT names no task (the tasks are CLOCK, HELLO_WORLD_V2, each name with every"
        + " character outside A-Z, a-z, 0-9 written _)",
      error(TWO_TASKS, Map.of("ONELOOP_TASKS_CLOK_CONFIG_COUNT", "1")));
    assertEquals("ONELOOP_TASKS_E_CONFIG_X: the task \"e\" declares no config keys (its class has no configShape())",
      error("{\"tasks\":[{\"name\":\"e\",\"class\":\"" + SelfEndingTask.class.getName() + "\"}]}",
        Map.of("ONELOOP_TASKS_E_CONFIG_X", "1")));
    assertEquals("ONELOOP_TASKS_A_B_CONFIG_COUNT: the tasks \"a-b\" and \"a.b\" both give the name A_B; rename one to set its"
        + " config from the environment",
      error("{\"tasks\":[{\"name\":\"a-b\",\"type\":\"ticker\"},{\"name\":\"a.b\",\"type\":\"ticker\"}]}",
        Map.of("ONELOOP_TASKS_A_B_CONFIG_COUNT", "1")));
  }

  @Test
  @DisplayName("--check-config lists a bad task variable among the problems, not as an unknown variable")
  void checkConfig() {
    ConfigLoader.Check check = ConfigLoader.check("{\"tasks\":[{\"name\":\"t\",\"type\":\"ticker\"}]}",
      Map.of("ONELOOP_TASKS_T_CONFIG_COUNT", "-1"));
    assertEquals(List.of("ONELOOP_TASKS_T_CONFIG_COUNT must be an integer 0-9223372036854775807, got \"-1\""), check.problems());
    assertEquals(List.of(), check.warnings());
  }
}
