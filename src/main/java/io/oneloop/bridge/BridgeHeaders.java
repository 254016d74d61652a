package io.oneloop.bridge;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;

/**
 * The {@code headers} of a client's frame, checked before they become event-bus headers: at most
 * {@link #MAX_HEADERS}, each name an HTTP token, each value a string, number or boolean without
 * line breaks or NULs. Anything else is refused as {@code invalid_headers}, never thrown.
 */
public final class BridgeHeaders {

  public static final int MAX_HEADERS = 64;
  static final int MAX_NAME_LENGTH = 256;
  static final int MAX_VALUE_LENGTH = 8192;

  private BridgeHeaders() {
  }

  /** The headers as a map, or null when they break the rules above. */
  public static MultiMap toMultiMap(JsonObject headers) {
    if (headers.size() > MAX_HEADERS) {
      return null;
    }
    MultiMap map = MultiMap.caseInsensitiveMultiMap();
    for (String name : headers.fieldNames()) {
      Object value = headers.getValue(name);
      if (!validName(name) || !(value instanceof String || value instanceof Number || value instanceof Boolean)) {
        return null;
      }
      String text = String.valueOf(value);
      if (!validValue(text)) {
        return null;
      }
      map.add(name, text);
    }
    return map;
  }

  private static boolean validName(String name) {
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean tchar = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!tchar) {
        return false;
      }
    }
    return true;
  }

  private static boolean validValue(String value) {
    if (value.length() > MAX_VALUE_LENGTH) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        return false;
      }
    }
    return true;
  }
}
