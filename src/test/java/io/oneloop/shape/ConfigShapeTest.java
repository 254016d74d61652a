package io.oneloop.shape;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.oneloop.shape.ConfigShape.address;
import static io.oneloop.shape.ConfigShape.bool;
import static io.oneloop.shape.ConfigShape.integer;
import static io.oneloop.shape.ConfigShape.list;
import static io.oneloop.shape.ConfigShape.number;
import static io.oneloop.shape.ConfigShape.object;
import static io.oneloop.shape.ConfigShape.oneOf;
import static io.oneloop.shape.ConfigShape.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What a shape accepts and how it says what it does not. */
class ConfigShapeTest {

  private static final ConfigShape SHAPE = ConfigShape.of(
    integer("everyMs", 1, 1000).orElse(100).shown(),
    number("ratio", 0, 1),
    string("code").length(2, 4).pattern("[A-Z]+"),
    bool("loud").orElse(false),
    oneOf("mode", "a", "b"),
    address("address").required().shown(),
    object("retry", ConfigShape.of(integer("times", 0, 5).required())),
    list("hosts", string("host")));

  @Test
  @DisplayName("each type says what it expected and what it got, with the path of the key")
  void messages() {
    JsonObject bad = new JsonObject().put("everyMs", 0).put("ratio", 1.5).put("code", "abc").put("loud", "yes").put("mode", "c")
      .put("retry", new JsonObject().put("tims", 1)).put("hosts", new JsonArray().add("h").add(""));
    assertEquals(List.of(
      "c.nope is not a known key (expected one of address, code, everyMs, hosts, loud, mode, ratio, retry)",
      "c.everyMs must be an integer 1-1000, got 0",
      "c.ratio must be a number 0-1, got 1.5",
      "c.code must be a string of 2-4 characters matching [A-Z]+, got \"abc\"",
      "c.loud must be true or false, got \"yes\"",
      "c.mode must be \"a\" or \"b\", got \"c\"",
      "c.address must be an event-bus address (a non-empty string), got nothing",
      "c.retry.tims is not a known key (expected one of times)",
      "c.retry.times must be an integer 0-5, got nothing",
      "c.hosts[1] must be a non-empty string, got \"\""), SHAPE.check(bad.put("nope", 1), "c"));
    assertEquals(List.of(), SHAPE.check(new JsonObject().put("address", "a.b").put("code", "AB").put("ratio", 0)
      .put("retry", new JsonObject().put("times", 5)).put("hosts", new JsonArray().add("x")), "c"));
  }

  @Test
  @DisplayName("defaults fill what is left out; the shown keys are those marked; a default that does not fit its key is refused")
  void defaultsAndShown() {
    assertEquals(new JsonObject().put("address", "x").put("everyMs", 100).put("loud", false),
      SHAPE.withDefaults(new JsonObject().put("address", "x")));
    assertEquals(Set.of("everyMs", "address"), SHAPE.shownKeys());
    assertEquals("everyMs default must be an integer 1-1000, got 0",
      assertThrows(IllegalArgumentException.class, () -> integer("everyMs", 1, 1000).orElse(0)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> ConfigShape.of(bool("a"), bool("a")));
  }

  @Test
  @DisplayName("a value written as text (an environment variable) is parsed as its key's type and checked")
  void fromText() {
    assertEquals(250, SHAPE.keyIgnoringCase("EVERYMS").fromText(" 250 ", "V"));
    assertEquals(true, SHAPE.keyIgnoringCase("loud").fromText("true", "V"));
    assertEquals(0.5, SHAPE.keyIgnoringCase("ratio").fromText("0.5", "V"));
    assertEquals(new JsonObject().put("times", 2), SHAPE.keyIgnoringCase("retry").fromText("{\"times\":2}", "V"));
    assertEquals("V must be an integer 1-1000, got \"fast\"",
      assertThrows(IllegalArgumentException.class, () -> SHAPE.keyIgnoringCase("everyMs").fromText("fast", "V")).getMessage());
    assertEquals("V must be a list, got \"h1,h2\"",
      assertThrows(IllegalArgumentException.class, () -> SHAPE.keyIgnoringCase("hosts").fromText("h1,h2", "V")).getMessage());
    assertNull(SHAPE.keyIgnoringCase("other"));
  }

  @Test
  @DisplayName("a class without configShape() declares nothing")
  void noDeclaration() {
    assertNull(ConfigShape.declaredBy(String.class));
  }
}
