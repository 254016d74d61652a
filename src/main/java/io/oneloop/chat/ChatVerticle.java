package io.oneloop.chat;

import io.oneloop.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Chat between pages: checks each message sent on {@code oneloop.chat.send}, acknowledges it,
 * publishes it on {@code oneloop.chat}, and keeps the last messages for pages that (re)connect.
 */
public class ChatVerticle extends VerticleBase {

  /** The reply's failure code for a message that breaks the rules, as in HTTP. */
  public static final int BAD_REQUEST = 400;
  public static final int HISTORY_SIZE = 50;
  static final int MAX_USER = 32;
  static final int MAX_TEXT = 500;

  private final Deque<JsonObject> history = new ArrayDeque<>();
  private long nextId = 1;

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
    String problem = checkField(body, "user", MAX_USER);
    if (problem == null) {
      problem = checkField(body, "text", MAX_TEXT);
    }
    if (problem != null) {
      msg.fail(BAD_REQUEST, problem);
      return;
    }
    JsonObject message = new JsonObject()
      .put("id", nextId++)
      .put("user", body.getString("user").trim())
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

  /** Null when {@code key} holds a string of 1 to {@code max} characters (code points, after trimming). */
  private static String checkField(JsonObject body, String key, int max) {
    Object value = body.getValue(key);
    if (!(value instanceof String s)) {
      return key + " must be a string of 1-" + max + " characters";
    }
    String trimmed = s.trim();
    int length = trimmed.codePointCount(0, trimmed.length());
    if (length < 1 || length > max) {
      return key + " must be 1-" + max + " characters, got " + length;
    }
    return null;
  }
}
