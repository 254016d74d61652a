package io.oneloop.chat;

import io.oneloop.Addresses;
import io.oneloop.bridge.BridgeHeaders;
import io.oneloop.config.ChatConfig;
import io.oneloop.text.DisplayText;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Chat between pages: checks each message sent on {@code oneloop.chat.send}, acknowledges it,
 * publishes it on {@code oneloop.chat}, and keeps the last messages for pages that (re)connect.
 * The history and the message ids live in shared data ({@value Addresses#CHAT_HISTORY_MAP}, {@value Addresses#CHAT_IDS_COUNTER}): one
 * chat for every node of a cluster, a node that joins later included. Each node answers its own
 * clients (local consumers), so {@code chat.maxPerMinute} counts per node.
 * A message from a bridge socket opened with a token carries the token's name (a static token's
 * {@code name}, a JWT's {@code sub}) in the {@link BridgeHeaders#USER} header, and one from an
 * anonymous socket the client's address in {@link BridgeHeaders#CLIENT}; the bridge sets both (and
 * strips them from what clients send). The token's name is then the sender's name, whatever the
 * body says, and {@code chat.maxPerMinute} counts per token name, or per address when anonymous.
 */
public class ChatVerticle extends VerticleBase {

  /** The reply's failure code for a message that breaks the rules, as in HTTP. */
  public static final int BAD_REQUEST = 400;
  /** The reply's failure code for a user over {@code chat.maxPerMinute}. */
  public static final int TOO_MANY = 429;
  /** The reply's failure code when the shared history cannot be read or written. */
  public static final int UNAVAILABLE = 503;
  public static final int HISTORY_SIZE = 50;
  private static final Logger log = LoggerFactory.getLogger(ChatVerticle.class);
  static final int MAX_USER = 32;
  static final int MAX_TEXT = 500;
  private static final long MINUTE_MS = 60_000;

  private final ChatConfig config;
  /** Per sender (see {@link #send}), when their accepted messages of the last minute were sent (monotonic ms). */
  private final Map<String, Deque<Long>> recent = new HashMap<>();
  private AsyncMap<Long, JsonObject> history;
  private Counter ids;

  public ChatVerticle(ChatConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    return Future.all(
        vertx.sharedData().<Long, JsonObject>getAsyncMap(Addresses.CHAT_HISTORY_MAP).onSuccess(map -> history = map),
        vertx.sharedData().getCounter(Addresses.CHAT_IDS_COUNTER).onSuccess(counter -> ids = counter))
      .compose(v -> Future.all(
        vertx.eventBus().localConsumer(Addresses.CHAT_SEND, this::send).completion(),
        vertx.eventBus().localConsumer(Addresses.CHAT_HISTORY, this::history).completion()));
  }

  private void send(Message<Object> msg) {
    if (!(msg.body() instanceof JsonObject body)) {
      msg.fail(BAD_REQUEST, "a chat message must be an object {\"user\": ..., \"text\": ...}");
      return;
    }
    String authenticated = msg.headers().get(BridgeHeaders.USER);
    String client = msg.headers().get(BridgeHeaders.CLIENT);
    String problem = authenticated != null ? checkValue(authenticated, "user", MAX_USER, false)
      : checkField(body, "user", MAX_USER, false);
    if (problem == null) {
      problem = checkField(body, "text", MAX_TEXT, true);
    }
    if (problem != null) {
      msg.fail(BAD_REQUEST, problem);
      return;
    }
    String user = authenticated != null ? DisplayText.trimSpaces(authenticated) : DisplayText.trimSpaces(body.getString("user"));
    // The limit follows who sends, not the name they type: the token's holder, or, anonymous, the
    // client's address; a name in the body is only the key for senders inside the process.
    String key = authenticated != null ? "user " + user : client != null ? "address " + client : "name " + user;
    long wait = admit(key);
    if (wait > 0) {
      String who = authenticated == null && client != null ? "this address" : "\"" + user + "\"";
      msg.fail(TOO_MANY, who + " may send " + config.maxPerMinute() + " messages a minute; try again in "
        + Math.max(1, (wait + 999) / 1000) + " s");
      return;
    }
    String text = DisplayText.trimSpaces(body.getString("text"));
    ids.incrementAndGet().compose(id -> {
      JsonObject message = new JsonObject()
        .put("id", id)
        .put("user", user)
        .put("text", text)
        .put("time", Instant.now().toString());
      return history.put(id, message).map(message);
    }).onSuccess(message -> {
      long id = message.getLong("id");
      msg.reply(new JsonObject().put("ok", true).put("id", id));
      vertx.eventBus().publish(Addresses.CHAT, message);
      forget(id - HISTORY_SIZE);
    }).onFailure(cause -> {
      log.warn("A chat message from \"{}\" could not be stored: {}", user, cause.getMessage());
      msg.fail(UNAVAILABLE, "the chat history is not available; try again");
    });
  }

  /** The last {@value #HISTORY_SIZE} messages, oldest first; older ones still stored are removed. */
  private void history(Message<Object> msg) {
    history.entries().onSuccess(stored -> {
      List<Long> newestLast = stored.keySet().stream().sorted().toList();
      int from = Math.max(0, newestLast.size() - HISTORY_SIZE);
      newestLast.subList(0, from).forEach(this::forget);
      JsonArray messages = new JsonArray();
      newestLast.subList(from, newestLast.size()).forEach(id -> messages.add(stored.get(id)));
      msg.reply(new JsonObject().put("messages", messages));
    }).onFailure(cause -> {
      log.warn("The chat history could not be read: {}", cause.getMessage());
      msg.fail(UNAVAILABLE, "the chat history is not available; try again");
    });
  }

  private void forget(long id) {
    if (id > 0) {
      history.remove(id).onFailure(cause -> log.debug("Chat message {} stays in the history map: {}", id, cause.getMessage()));
    }
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

  /** Null when {@code key} holds a string of 1 to {@code max} characters (code points, after stripping) fit to show. */
  private static String checkField(JsonObject body, String key, int max, boolean text) {
    Object value = body.getValue(key);
    if (!(value instanceof String s)) {
      return key + " must be a string of 1-" + max + " characters";
    }
    return checkValue(s, key, max, text);
  }

  private static String checkValue(String s, String key, int max, boolean text) {
    String stripped = DisplayText.trimSpaces(s);
    int length = stripped.codePointCount(0, stripped.length());
    if (length < 1 || length > max) {
      return key + " must be 1-" + max + " characters, got " + length;
    }
    return text ? DisplayText.textProblem(stripped, key) : DisplayText.nameProblem(stripped, key);
  }
}
