package io.oneloop.base;

import io.vertx.core.json.Json;

import java.util.function.Function;

/**
 * The value checks of the config, of task settings and of job params, with one wording for all:
 * "{@code <path>} must be an integer 0-10, got {@code <value>}". A failed check throws
 * {@link IllegalArgumentException}; the value found is shown as JSON unless the caller shows it its own way.
 */
public final class Checks {

  private Checks() {
  }

  /** A whole number from {@code min} to {@code max}. */
  public static long integer(Object value, String path, long min, long max) {
    return integer(value, path, min, max, Json::encode);
  }

  public static long integer(Object value, String path, long min, long max, Function<Object, String> show) {
    boolean whole = value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte;
    if (!whole || ((Number) value).longValue() < min || ((Number) value).longValue() > max) {
      throw new IllegalArgumentException(notAnInteger(path, min, max, show.apply(value)));
    }
    return ((Number) value).longValue();
  }

  /** The message for a value that is not a whole number in range, {@code found} as the caller shows it. */
  public static String notAnInteger(String path, long min, long max, String found) {
    return path + " must be an integer " + min + "-" + max + ", got " + found;
  }

  /** A string with more than white space in it. */
  public static String nonEmptyString(Object value, String path) {
    return nonEmptyString(value, path, Json::encode);
  }

  public static String nonEmptyString(Object value, String path, Function<Object, String> show) {
    if (!(value instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException(path + " must be a non-empty string, got " + show.apply(value));
    }
    return s;
  }
}
