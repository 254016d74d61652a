package io.oneloop.shape;

import io.oneloop.base.Checks;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The keys a task's {@code config} or a job's {@code params} may have: each with its type and range,
 * required or optional (with the default the class uses), and whether {@code /api/info} may show its
 * value. A task class or a job type declares it with
 * <pre>{@code
 * public static ConfigShape configShape() {
 *   return ConfigShape.of(
 *     ConfigShape.integer("everyMs", 1, 3_600_000).orElse(1000).shown(),
 *     ConfigShape.string("greeting").required());
 * }
 * }</pre>
 * {@code --check-config} and the start call it by reflection (no instance is made, nothing is
 * deployed) and report a bad value as they report a built-in key:
 * {@code conf.json: tasks[0].config.everyMs must be an integer 1-3600000, got "fast"}. A key the shape
 * does not name is refused, as an unknown key is anywhere else in the config. A class without the
 * method is not checked: its config is whatever it reads.
 */
public final class ConfigShape {

  /** The name of the static method a class declares its shape with. */
  public static final String METHOD = "configShape";

  private final Map<String, Key> keys;

  private ConfigShape(Map<String, Key> keys) {
    this.keys = Collections.unmodifiableMap(keys);
  }

  /** A shape of these keys; two keys of one name are refused. */
  public static ConfigShape of(Key... keys) {
    Map<String, Key> byName = new LinkedHashMap<>();
    for (Key key : keys) {
      if (byName.put(key.name, key) != null) {
        throw new IllegalArgumentException("the key " + key.name + " is declared twice");
      }
    }
    return new ConfigShape(byName);
  }

  /**
   * The shape {@code type} declares with {@code public static ConfigShape configShape()} (its own or
   * inherited), or null when it declares none. Throws {@link IllegalArgumentException}, saying what
   * is wrong, when the method is not public and static, returns no shape, or fails.
   */
  public static ConfigShape declaredBy(Class<?> type) {
    Method method;
    try {
      method = type.getMethod(METHOD);
    } catch (NoSuchMethodException e) {
      return null;
    }
    String where = type.getName() + "." + METHOD + "()";
    if (!Modifier.isStatic(method.getModifiers()) || !ConfigShape.class.equals(method.getReturnType())) {
      throw new IllegalArgumentException(where + " must be public static and return " + ConfigShape.class.getName());
    }
    try {
      Object shape = method.invoke(null);
      if (shape == null) {
        throw new IllegalArgumentException(where + " returned null");
      }
      return (ConfigShape) shape;
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      throw new IllegalArgumentException(where + " failed: " + cause, cause);
    } catch (IllegalAccessException | LinkageError e) {
      throw new IllegalArgumentException(where + " cannot be called: " + e, e);
    }
  }

  /** The keys, in the order declared. */
  public Map<String, Key> keys() {
    return keys;
  }

  /** The declared key named {@code name} in any case ({@code INTERVALMS} finds {@code intervalMs}), or null. */
  public Key keyIgnoringCase(String name) {
    for (Key key : keys.values()) {
      if (key.name.equalsIgnoreCase(name)) {
        return key;
      }
    }
    return null;
  }

  /** The keys whose values {@code /api/info} may show. */
  public Set<String> shownKeys() {
    Set<String> shown = new LinkedHashSet<>();
    keys.values().stream().filter(key -> key.shown).forEach(key -> shown.add(key.name));
    return shown;
  }

  /**
   * Every problem of {@code values}, each {@code "<path>.<key> must be ..., got <value as JSON>"}
   * ({@code path} is where the values sit, e.g. {@code tasks[0].config}); empty when they fit.
   */
  public List<String> check(JsonObject values, String path) {
    List<String> problems = new ArrayList<>();
    for (String name : values.fieldNames()) {
      if (!keys.containsKey(name)) {
        problems.add(path + "." + name + " is not a known key (expected one of "
          + String.join(", ", keys.keySet().stream().sorted().toList()) + ")");
      }
    }
    for (Key key : keys.values()) {
      Object value = values.getValue(key.name);
      if (value == null && !key.required) {
        continue;
      }
      key.check(value, path + "." + key.name, problems);
    }
    return problems;
  }

  /** A copy of {@code values} with the default of every optional key it leaves out. */
  public JsonObject withDefaults(JsonObject values) {
    JsonObject complete = values.copy();
    keys.values().stream()
      .filter(key -> key.defaultValue != null && complete.getValue(key.name) == null)
      .forEach(key -> complete.put(key.name, key.defaultValue));
    return complete;
  }

  /** A whole number from {@code min} to {@code max}. */
  public static Key integer(String name, long min, long max) {
    if (min > max) {
      throw new IllegalArgumentException(name + ": min " + min + " is above max " + max);
    }
    Key key = new Key(name, Kind.INTEGER);
    key.min = min;
    key.max = max;
    return key;
  }

  /** Any number, whole or not. */
  public static Key number(String name) {
    return number(name, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
  }

  /** A number from {@code min} to {@code max}. */
  public static Key number(String name, double min, double max) {
    if (!(min <= max)) {
      throw new IllegalArgumentException(name + ": min " + min + " is above max " + max);
    }
    Key key = new Key(name, Kind.NUMBER);
    key.minNumber = min;
    key.maxNumber = max;
    return key;
  }

  /** A string with more than white space in it; {@link Key#length} and {@link Key#pattern} narrow it. */
  public static Key string(String name) {
    return new Key(name, Kind.STRING);
  }

  /** {@code true} or {@code false}. */
  public static Key bool(String name) {
    return new Key(name, Kind.BOOLEAN);
  }

  /** One of the given strings. */
  public static Key oneOf(String name, String... choices) {
    if (choices.length == 0) {
      throw new IllegalArgumentException(name + ": no choices");
    }
    Key key = new Key(name, Kind.ONE_OF);
    key.choices = List.of(choices);
    return key;
  }

  /** An event-bus address: a string with more than white space in it. */
  public static Key address(String name) {
    return new Key(name, Kind.ADDRESS);
  }

  /** A JSON object of the keys {@code shape} names. */
  public static Key object(String name, ConfigShape shape) {
    Key key = new Key(name, Kind.OBJECT);
    key.nested = shape;
    return key;
  }

  /** A JSON list whose every item fits {@code item} (its name is not used). */
  public static Key list(String name, Key item) {
    Key key = new Key(name, Kind.LIST);
    key.item = item;
    return key;
  }

  /** Any JSON value but null: the class checks it itself. */
  public static Key any(String name) {
    return new Key(name, Kind.ANY);
  }

  enum Kind {
    INTEGER("integer"), NUMBER("number"), STRING("string"), BOOLEAN("boolean"), ONE_OF("string"), ADDRESS("address"),
    OBJECT("object"), LIST("list"), ANY("any");

    final String word;

    Kind(String word) {
      this.word = word;
    }
  }

  /**
   * One key of a shape. Each method returns a new key: {@code integer("n", 1, 10).orElse(5).shown()}.
   * A key is optional until {@link #required()} says otherwise.
   */
  public static final class Key {

    private final String name;
    private final Kind kind;
    private long min;
    private long max;
    private double minNumber;
    private double maxNumber;
    private int minLength = 1;
    private int maxLength = Integer.MAX_VALUE;
    private Pattern pattern;
    private List<String> choices = List.of();
    private ConfigShape nested;
    private Key item;
    private boolean required;
    private Object defaultValue;
    private boolean shown;

    private Key(String name, Kind kind) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("a key needs a name");
      }
      this.name = name;
      this.kind = kind;
    }

    private Key copy() {
      Key copy = new Key(name, kind);
      copy.min = min;
      copy.max = max;
      copy.minNumber = minNumber;
      copy.maxNumber = maxNumber;
      copy.minLength = minLength;
      copy.maxLength = maxLength;
      copy.pattern = pattern;
      copy.choices = choices;
      copy.nested = nested;
      copy.item = item;
      copy.required = required;
      copy.defaultValue = defaultValue;
      copy.shown = shown;
      return copy;
    }

    /** The config must have this key. */
    public Key required() {
      Key copy = copy();
      copy.required = true;
      copy.defaultValue = null;
      return copy;
    }

    /** Optional, and the class uses {@code value} when it is left out (it must fit the key itself). */
    public Key orElse(Object value) {
      List<String> problems = new ArrayList<>();
      check(value, name + " default", problems);
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(problems.get(0));
      }
      Key copy = copy();
      copy.required = false;
      copy.defaultValue = value;
      return copy;
    }

    /** {@code /api/info} shows this key's value (it hides the values of every key not marked so). */
    public Key shown() {
      Key copy = copy();
      copy.shown = true;
      return copy;
    }

    /** A string of {@code min} to {@code max} characters (a string key only). */
    public Key length(int min, int max) {
      if (kind != Kind.STRING || min < 0 || min > max) {
        throw new IllegalArgumentException(name + ": length(" + min + ", " + max + ") fits only a string key, with 0 <= min <= max");
      }
      Key copy = copy();
      copy.minLength = min;
      copy.maxLength = max;
      return copy;
    }

    /** A string the whole of which matches {@code regex} (a string key only). */
    public Key pattern(String regex) {
      if (kind != Kind.STRING) {
        throw new IllegalArgumentException(name + ": pattern fits only a string key");
      }
      Key copy = copy();
      try {
        copy.pattern = Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(name + ": not a regular expression: " + regex, e);
      }
      return copy;
    }

    public String name() {
      return name;
    }

    /** integer, number, string, boolean, address, object, list or any. */
    public String type() {
      return kind.word;
    }

    public boolean isRequired() {
      return required;
    }

    /** The value used when the key is left out, or null. */
    public Object defaultValue() {
      return defaultValue;
    }

    public boolean isShown() {
      return shown;
    }

    /** What the value must be, as the error messages say it: "an integer 1-10", "true or false", ... */
    public String expected() {
      return switch (kind) {
        case INTEGER -> "an integer " + min + "-" + max;
        case NUMBER -> Double.isInfinite(minNumber) && Double.isInfinite(maxNumber) ? "a number"
          : "a number " + number(minNumber) + "-" + number(maxNumber);
        case STRING -> (minLength == 1 && maxLength == Integer.MAX_VALUE ? "a non-empty string"
          : "a string of " + minLength + "-" + maxLength + " characters")
          + (pattern == null ? "" : " matching " + pattern.pattern());
        case BOOLEAN -> "true or false";
        case ONE_OF -> choices.size() == 1 ? show(choices.get(0))
          : String.join(", ", choices.subList(0, choices.size() - 1).stream().map(Key::show).toList())
          + " or " + show(choices.get(choices.size() - 1));
        case ADDRESS -> "an event-bus address (a non-empty string)";
        case OBJECT -> "an object";
        case LIST -> "a list";
        case ANY -> "a JSON value";
      };
    }

    /**
     * The value of this key written as text, as an environment variable gives it: a number or a
     * boolean as its JSON word, a string as it is, an object, a list or any other value as JSON.
     * Throws {@link IllegalArgumentException} naming {@code path} when it does not fit.
     */
    public Object fromText(String text, String path) {
      String trimmed = text.trim();
      Object value = switch (kind) {
        case INTEGER -> parse(trimmed, () -> {
          long n = Long.parseLong(trimmed);
          return n <= Integer.MAX_VALUE && n >= Integer.MIN_VALUE ? (Object) (int) n : (Object) n;
        });
        case NUMBER -> parse(trimmed, () -> Double.parseDouble(trimmed));
        case BOOLEAN -> "true".equals(trimmed) ? Boolean.TRUE : "false".equals(trimmed) ? Boolean.FALSE : trimmed;
        case STRING, ONE_OF, ADDRESS -> trimmed;
        case OBJECT, LIST, ANY -> {
          try {
            yield Json.decodeValue(trimmed);
          } catch (DecodeException e) {
            yield trimmed;
          }
        }
      };
      List<String> problems = new ArrayList<>();
      check(value, path, problems);
      if (!problems.isEmpty()) {
        // A word is shown as the text given, as for every other variable; an object's or list's own problem says where.
        boolean structured = value instanceof JsonObject || value instanceof JsonArray;
        throw new IllegalArgumentException(structured ? problems.get(0) : path + " must be " + expected() + ", got " + show(text));
      }
      return value;
    }

    /** The parsed value, or the text itself when it does not parse, for the check to refuse with the text shown. */
    private static Object parse(String text, Supplier<Object> parse) {
      try {
        return parse.get();
      } catch (NumberFormatException e) {
        return text;
      }
    }

    /** Adds to {@code problems} what is wrong with {@code value} at {@code path}. */
    void check(Object value, String path, List<String> problems) {
      if (kind == Kind.INTEGER) {
        try {
          Checks.integer(value, path, min, max, Key::show);
        } catch (IllegalArgumentException e) {
          problems.add(e.getMessage());
        }
        return;
      }
      boolean fits = switch (kind) {
        case NUMBER -> value instanceof Number n && !Double.isNaN(n.doubleValue()) && n.doubleValue() >= minNumber
          && n.doubleValue() <= maxNumber;
        case STRING -> value instanceof String s && (minLength != 1 || !s.isBlank())
          && s.length() >= minLength && s.length() <= maxLength && (pattern == null || pattern.matcher(s).matches());
        case BOOLEAN -> value instanceof Boolean;
        case ONE_OF -> value instanceof String && choices.contains(value);
        case ADDRESS -> value instanceof String s && !s.isBlank();
        case OBJECT -> value instanceof JsonObject;
        case LIST -> value instanceof JsonArray;
        default -> value != null;
      };
      if (!fits) {
        problems.add(path + " must be " + expected() + ", got " + show(value));
      } else if (kind == Kind.OBJECT) {
        problems.addAll(nested.check((JsonObject) value, path));
      } else if (kind == Kind.LIST) {
        JsonArray list = (JsonArray) value;
        for (int i = 0; i < list.size(); i++) {
          item.check(list.getValue(i), path + "[" + i + "]", problems);
        }
      }
    }

    private static String number(double value) {
      return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    private static String show(Object value) {
      return value == null ? "nothing" : Json.encode(value);
    }

    @Override
    public String toString() {
      return name + " (" + expected() + (required ? ", required" : defaultValue != null ? ", default " + show(defaultValue) : "")
        + (shown ? ", shown" : "") + ")";
    }
  }

  @Override
  public String toString() {
    return keys.values().toString();
  }
}
