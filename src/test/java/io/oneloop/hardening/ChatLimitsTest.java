package io.oneloop.hardening;

import io.oneloop.Addresses;
import io.oneloop.support.BridgeClient;
import io.oneloop.support.TickingApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** chat.maxPerMinute per user, and text that could disguise itself refused with a clear error. */
class ChatLimitsTest {

  @RegisterExtension
  final TickingApp app = TickingApp.with(config -> config.put("chat", new JsonObject().put("maxPerMinute", 5)));

  private static JsonObject msg(String user, String text) {
    return new JsonObject().put("user", user).put("text", text);
  }

  @Test
  @DisplayName("a user over chat.maxPerMinute is refused with 429 and a wait; refusals do not count, other users go on")
  void perUserLimit(Vertx vertx) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port());
    for (int i = 1; i <= 5; i++) {
      assertEquals("rec", client.request(Addresses.CHAT_SEND, msg("alice", "message " + i)).getString("type"));
    }
    for (int i = 0; i < 3; i++) {
      JsonObject refused = client.request(Addresses.CHAT_SEND, msg("alice", "one more"));
      assertEquals("err", refused.getString("type"));
      assertEquals(429, refused.getInteger("failureCode"));
      assertTrue(refused.getString("message").matches("\"alice\" may send 5 messages a minute; try again in \\d+ s"),
        refused.getString("message"));
    }
    assertEquals("rec", client.request(Addresses.CHAT_SEND, msg("bob", "hi")).getString("type"));
    client.close();
  }

  @Test
  @DisplayName("control and bidirectional-override characters are refused, naming the character and where it is")
  void disguisedText(Vertx vertx) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port());
    JsonObject bidi = client.request(Addresses.CHAT_SEND, msg("mallory", "see \u202Etxt.exe"));
    assertEquals(400, bidi.getInteger("failureCode"));
    assertEquals("text must not contain control or bidirectional-override characters (found U+202E at position 5)",
      bidi.getString("message"));
    JsonObject control = client.request(Addresses.CHAT_SEND, msg("mal\u0007lory", "hi"));
    assertEquals(400, control.getInteger("failureCode"));
    assertTrue(control.getString("message").startsWith("user must not contain control"), control.getString("message"));
    assertEquals(400, client.request(Addresses.CHAT_SEND, msg("x", "line\nbreak")).getInteger("failureCode"));
    assertEquals(400, client.request(Addresses.CHAT_SEND, msg("x", "iso\u2066late")).getInteger("failureCode"));
    assertEquals("rec", client.request(Addresses.CHAT_SEND, msg("x", "שלום and hello \uD83D\uDE00")).getString("type"),
      "right-to-left text itself is fine");
    client.close();
  }
}
