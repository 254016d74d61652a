package io.oneloop.testkit;

import io.vertx.core.json.JsonArray;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * SockJS's framing on its WebSocket transport, as sockjs-client speaks it: the server sends
 * {@code o} when the session opens, {@code h} as a heartbeat, {@code a["msg",...]} carrying
 * messages and {@code c[code,"reason"]} before it closes; the client sends {@code ["msg",...]}.
 */
public final class SockJsFrames {

  private static final String SESSION_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

  private SockJsFrames() {
  }

  /** One frame from the server. */
  public sealed interface Frame permits Open, Heartbeat, Messages, Close {
  }

  public record Open() implements Frame {
  }

  public record Heartbeat() implements Frame {
  }

  public record Messages(List<String> messages) implements Frame {
  }

  public record Close(int code, String reason) implements Frame {
  }

  /**
   * The WebSocket transport's path under {@code prefix}: {@code <prefix>/<server>/<session>/websocket},
   * with a fresh three-digit server id and an eight-character session id, as sockjs-client picks them.
   */
  public static String websocketPath(String prefix) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder session = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      session.append(SESSION_ID_CHARS.charAt(random.nextInt(SESSION_ID_CHARS.length())));
    }
    return prefix + "/" + random.nextInt(1000) + "/" + session + "/websocket";
  }

  /** A client frame carrying {@code messages}: a JSON array of strings. */
  public static String encode(String... messages) {
    return new JsonArray(List.of((Object[]) messages)).encode();
  }

  /** Parses one frame the server sent; anything else is refused, since a client could not read it either. */
  public static Frame parse(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("an empty SockJS frame");
    }
    return switch (text.charAt(0)) {
      case 'o' -> new Open();
      case 'h' -> new Heartbeat();
      case 'a' -> new Messages(new JsonArray(text.substring(1)).stream().map(String.class::cast).toList());
      case 'c' -> {
        JsonArray close = new JsonArray(text.substring(1));
        yield new Close(close.getInteger(0), close.getString(1));
      }
      default -> throw new IllegalArgumentException("not a SockJS frame: " + text);
    };
  }
}
