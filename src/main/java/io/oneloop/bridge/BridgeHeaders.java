package io.oneloop.bridge;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;

/**
 * The {@code headers} of a client's frame, checked before they become event-bus headers: at most
 * {@link #MAX_HEADERS}, each name an HTTP token, each value a string, number or boolean without
 * line breaks or NULs. Anything else is refused as {@code invalid_headers}, never thrown. Also the
 * names of the headers only the bridge sets.
 */
public final class BridgeHeaders {

  /**
   * The header the bridge puts on what a socket admitted for a user sends: the {@link Admission#user()}.
   * The bridge removes any header of this name a client sent, so a service can trust it.
   */
  public static final String USER = "oneloop.user";

  /**
   * The header the bridge puts on what an anonymous socket sends: the client's address, as admitted
   * (through {@code http.trustedProxies}) or else the socket's. Removed from what clients send, like {@link #USER}.
   */
  public static final String CLIENT = "oneloop.client";

  public static final int MAX_HEADERS = 64;
  static final int MAX_NAME_LENGTH = 256;
  static final int MAX_VALUE_LENGTH = 8192;

  private BridgeHeaders() {
  }

  /**
   * A client frame's {@code headers} (null: none) as event-bus headers, checked, with the sender
   * set by the bridge alone: {@code user} when admitted for one, else {@code client}. Null when
   * they break the rules above.
   */
  static MultiMap fromClient(Object given, String user, String client) {
    MultiMap headers = given instanceof JsonObject object ? toMultiMap(object)
      : given == null ? MultiMap.caseInsensitiveMultiMap() : null;
    if (headers == null) {
      return null;
    }
    // Only the bridge says who sent a message, and only the history numbers messages: a client
    // cannot fake a sender, its address, a seq, an epoch or a gap.
    headers.remove(USER).remove(CLIENT).remove(History.SEQ).remove(History.EPOCH).remove(History.GAP);
    if (user != null) {
      headers.add(USER, user);
    } else if (client != null) {
      headers.add(CLIENT, client);
    }
    return headers;
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
