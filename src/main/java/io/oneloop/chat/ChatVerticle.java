package io.oneloop.chat;

import io.oneloop.Addresses;
import io.oneloop.config.ChatConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Chat between pages: checks each message sent on {@code oneloop.chat.send}, acknowledges it,
 * publishes it on {@code oneloop.chat}, and keeps the last messages for pages that (re)connect.
 * A message from a bridge socket opened with a JWT carries the token's {@code sub} in the
 * {@link Addresses#USER_HEADER} header, which the bridge sets (and strips from what clients send): it is
 * then the sender's name, whatever the body says.
 */
public class ChatVerticle extends VerticleBase {

  /** The reply's failure code for a message that breaks the rules, as in HTTP. */
  public static final int BAD_REQUEST = 400;
  /** The reply's failure code for a user over {@code chat.maxPerMinute}. */
  public static final int TOO_MANY = 429;
  public static final int HISTORY_SIZE = 50;
  static final int MAX_USER = 32;
  static final int MAX_TEXT = 500;
  private static final long MINUTE_MS = 60_000;

  private final ChatConfig config;
  private final Deque<JsonObject> history = new ArrayDeque<>();
  /** Per user, when their accepted messages of the last minute were sent (monotonic ms). */
  private final Map<String, Deque<Long>> recent = new HashMap<>();
  private long nextId = 1;

  public ChatVerticle(ChatConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    return Future.all(
      vertx.eventBus().consumer(Addresses.CHAT_SEND, this::send).completion(),
      vertx.eventBus().consumer(Addresses.CHAT_HISTORY, this::history).completion());
  }

  private void send(Message<Object> msg) {
    if (!(msg.body() instanceof JsonObject body)) {
      msg.fail(BAD_REQUEST, "a chat message must be an object {\"user\": ..., \"text\": ...}");
      return;
    }
    String authenticated = msg.headers().get(Addresses.USER_HEADER);
    String problem = authenticated != null ? checkValue(authenticated, "user", MAX_USER) : checkField(body, "user", MAX_USER);
    if (problem == null) {
      problem = checkField(body, "text", MAX_TEXT);
    }
    if (problem != null) {
      msg.fail(BAD_REQUEST, problem);
      return;
    }
    String user = authenticated != null ? authenticated.trim() : body.getString("user").trim();
    long wait = admit(user);
    if (wait > 0) {
      msg.fail(TOO_MANY, "\"" + user + "\" may send " + config.maxPerMinute() + " messages a minute; try again in "
        + Math.max(1, (wait + 999) / 1000) + " s");
      return;
    }
    JsonObject message = new JsonObject()
      .put("id", nextId++)
      .put("user", user)
      .put("text", body.getString("text").trim())
      .put("time", Instant.now().toString());
    history.addLast(message);
    if (history.size() > HISTORY_SIZE) {
      history.removeFirst();
    }
    msg.reply(new JsonObject().put("ok", true).put("id", message.getLong("id")));
    vertx.eventBus().publish(Addresses.CHAT, message);
  }

  private void history(Message<Object> msg) {
    msg.reply(new JsonObject().put("messages", new JsonArray(history.stream().map(Object.class::cast).toList())));
  }

  /** 0 and counted when {@code user} may send now; else how many ms until they may (a refusal is not counted). */
  private long admit(String user) {
    long now = System.nanoTime() / 1_000_000;
    Deque<Long> times = recent.computeIfAbsent(user, u -> new ArrayDeque<>());
    while (!times.isEmpty() && times.peekFirst() <= now - MINUTE_MS) {
      times.removeFirst();
    }
    if (times.size() >= config.maxPerMinute()) {
      return times.peekFirst() + MINUTE_MS - now;
    }
    times.addLast(now);
    if (recent.size() > 10_000) {
      recent.values().removeIf(Deque::isEmpty);
    }
    return 0;
  }

  /** Null when {@code key} holds a string of 1 to {@code max} characters (code points, after trimming). */
  private static String checkField(JsonObject body, String key, int max) {
    Object value = body.getValue(key);
    if (!(value instanceof String s)) {
      return key + " must be a string of 1-" + max + " characters";
    }
    return checkValue(s, key, max);
  }

  private static String checkValue(String s, String key, int max) {
    String trimmed = s.trim();
    int length = trimmed.codePointCount(0, trimmed.length());
    if (length < 1 || length > max) {
      return key + " must be 1-" + max + " characters, got " + length;
    }
    for (int i = 0; i < trimmed.length(); i++) {
      char c = trimmed.charAt(i);
      if (Character.getType(c) == Character.CONTROL || c >= '\u202A' && c <= '\u202E' || c >= '\u2066' && c <= '\u2069') {
        return key + " must not contain control or bidirectional-override characters (found U+"
          + String.format("%04X", (int) c) + " at position " + (trimmed.codePointCount(0, i) + 1) + ")";
      }
    }
    return null;
  }
}
