package io.oneloop.chat;

import io.oneloop.Addresses;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.List;

import static io.oneloop.support.TestApp.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ChatBridgeTest {

  private TestApp app;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    // The history test sends more than the default 30 a minute, and faster than 50 frames a second.
    app = TestApp.start(vertx, config().put("chat", new JsonObject().put("maxPerMinute", 100))
      .put("bridge", new JsonObject().put("maxInboundPerSecond", 1000)));
  }

  private static JsonObject msg(Object user, Object text) {
    return new JsonObject().put("user", user).put("text", text);
  }

  @Test
  @DisplayName("an accepted message is acknowledged with its id and published to every client")
  void acceptedAndPublished(Vertx vertx) throws Exception {
    BridgeClient alice = BridgeClient.connect(vertx, app.port()).register(Addresses.CHAT);
    BridgeClient bob = BridgeClient.connect(vertx, app.port()).register(Addresses.CHAT);
    bob.request(Addresses.CHAT_HISTORY, new JsonObject()); // bob's register is in place

    JsonObject reply = alice.request(Addresses.CHAT_SEND, msg("  alice ", " hello <b>bob</b> "));
    assertEquals("rec", reply.getString("type"));
    assertEquals(new JsonObject().put("ok", true).put("id", 1), reply.getJsonObject("body"));

    JsonObject seen = bob.awaitRec(Addresses.CHAT);
    assertEquals(1, seen.getLong("id"));
    assertEquals("alice", seen.getString("user"));
    assertEquals("hello <b>bob</b>", seen.getString("text"));
    assertTrue(Instant.parse(seen.getString("time")).isBefore(Instant.now().plusSeconds(1)));
    assertEquals(seen, alice.awaitRec(Addresses.CHAT));
  }

  @Test
  @DisplayName("each invalid message gets a 400 reply saying why, and nothing is published")
  void invalidMessagesRejected(Vertx vertx) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port()).register(Addresses.CHAT);
    List<Object> invalid = List.of(
      "just a string",
      new JsonArray().add(1),
      new JsonObject().put("text", "no user"),
      new JsonObject().put("user", "no text"),
      msg(42, "user is a number"),
      msg("bob", true),
      msg("   ", "blank user"),
      msg("bob", ""),
      msg("x".repeat(33), "user too long"),
      msg("bob", "y".repeat(501)));
    for (Object body : invalid) {
      JsonObject reply = client.request(Addresses.CHAT_SEND, body);
      assertEquals("err", reply.getString("type"), "rejected: " + body);
      assertEquals(400, reply.getInteger("failureCode"), "code for " + body);
      assertTrue(reply.getString("message").contains("must be"), reply.getString("message"));
    }
    assertEquals("text must be 1-500 characters, got 501",
      client.request(Addresses.CHAT_SEND, msg("bob", "y".repeat(501))).getString("message"));
    JsonObject history = client.request(Addresses.CHAT_HISTORY, new JsonObject()).getJsonObject("body");
    assertEquals(new JsonArray(), history.getJsonArray("messages"));
    // Its own join is there (the default config tracks the chat's presence); no message is.
    assertTrue(client.backlog().stream().noneMatch(BridgeClient.isRec(Addresses.CHAT)), "nothing published");
  }

  @Test
  @DisplayName("lengths are counted in code points: 32 emoji are a valid name, 500 emoji a valid text")
  void codePoints(Vertx vertx) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port());
    String emoji = "\uD83D\uDE00";
    assertEquals("rec", client.request(Addresses.CHAT_SEND, msg(emoji.repeat(32), emoji.repeat(500))).getString("type"));
    assertEquals("err", client.request(Addresses.CHAT_SEND, msg(emoji.repeat(33), "hi")).getString("type"));
  }

  @Test
  @DisplayName("a client that reconnects gets the last 50 messages, oldest first")
  void historyAfterReconnect(Vertx vertx) throws Exception {
    BridgeClient first = BridgeClient.connect(vertx, app.port());
    for (int i = 1; i <= 55; i++) {
      first.request(Addresses.CHAT_SEND, msg("alice", "message " + i));
    }
    first.close();
    BridgeClient again = BridgeClient.connect(vertx, app.port());
    JsonArray messages = again.request(Addresses.CHAT_HISTORY, new JsonObject()).getJsonObject("body").getJsonArray("messages");
    assertEquals(50, messages.size());
    assertEquals("message 6", messages.getJsonObject(0).getString("text"));
    assertEquals("message 55", messages.getJsonObject(49).getString("text"));
  }

  @Test
  @DisplayName("a client asks for the task list over the bridge and gets every task record")
  void tasksListOverBridge(Vertx vertx) throws Exception {
    app.main.shutdown("restart with a task");
    app.awaitOutcome();
    TestApp withTask = TestApp.start(vertx, config(TestApp.task("clock", "ticker", new JsonObject())));
    BridgeClient client = BridgeClient.connect(vertx, withTask.port());
    JsonArray tasks = client.request(Addresses.TASKS_LIST, new JsonObject()).getJsonObject("body").getJsonArray("tasks");
    assertEquals(1, tasks.size());
    assertEquals(List.of("clock", "ticker", "running"),
      List.of(tasks.getJsonObject(0).getString("name"), tasks.getJsonObject(0).getString("kind"), tasks.getJsonObject(0).getString("state")));
  }
}
