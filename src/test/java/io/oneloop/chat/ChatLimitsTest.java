package io.oneloop.chat;

import io.oneloop.Addresses;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.TickingApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** chat.maxPerMinute per client address with auth off, and names and text that could disguise themselves refused with a clear error. */
class ChatLimitsTest {

  @RegisterExtension
  final TickingApp app = TickingApp.with(config -> config.put("chat", new JsonObject().put("maxPerMinute", 5))
    .put("http", config.getJsonObject("http", new JsonObject()).put("trustedProxies", new JsonArray().add("127.0.0.1"))));

  private static JsonObject msg(String user, String text) {
    return new JsonObject().put("user", user).put("text", text);
  }

  /** A send with a reply address and the frame's own headers; the frame addressed back (a reply or an error). */
  private static JsonObject request(BridgeClient client, JsonObject body, JsonObject headers) throws Exception {
    String replyAddress = UUID.randomUUID().toString();
    Future<JsonObject> reply = client.next(frame -> replyAddress.equals(frame.getString("address")));
    client.write(new JsonObject().put("type", "send").put("address", Addresses.CHAT_SEND).put("body", body)
      .put("replyAddress", replyAddress).put("headers", headers));
    return reply.await(BridgeClient.WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("anonymous, chat.maxPerMinute counts per client address (through a trusted proxy), whatever names it types; refusals do not count, other addresses go on")
  void perAddressLimit(Transport transport, Vertx vertx) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport, null, Map.of("X-Forwarded-For", "203.0.113.5"));
    for (int i = 1; i <= 5; i++) {
      assertEquals("rec", client.request(Addresses.CHAT_SEND, msg("alice" + i, "message " + i)).getString("type"));
    }
    for (int i = 0; i < 3; i++) {
      // A new name each time, and a forged address header: the limit still holds.
      JsonObject refused = request(client, msg("mallory" + i, "one more"),
        new JsonObject().put("oneloop.client", "198.51.100." + i).put("oneloop.user", "x" + i));
      assertEquals("err", refused.getString("type"));
      assertEquals(429, refused.getInteger("failureCode"));
      assertTrue(refused.getString("message").matches("this address may send 5 messages a minute; try again in \\d+ s"),
        refused.getString("message"));
    }
    BridgeClient again = BridgeClient.connect(vertx, app.port(), transport, null, Map.of("X-Forwarded-For", "203.0.113.5"));
    assertEquals(429, again.request(Addresses.CHAT_SEND, msg("carol", "a new socket")).getInteger("failureCode"),
      "a new socket from the same address counts with the first");
    BridgeClient other = BridgeClient.connect(vertx, app.port(), transport, null, Map.of("X-Forwarded-For", "203.0.113.6"));
    assertEquals("rec", other.request(Addresses.CHAT_SEND, msg("alice1", "hi")).getString("type"));
    client.close();
    again.close();
    other.close();
  }

  @Test
  @DisplayName("names refuse format, separator, private-use, surrogate and unassigned characters and blank-looking names; texts too, save joiners inside words and emoji")
  void invisibleCharacters(Vertx vertx) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port());
    for (String name : new String[] {"admin\u200B", "\u3164", "\u3000", "\u115F\u1160", "ad\u200Emin", "ad\u200Fmin", "a\u061Cb",
      "a\u2028b", "a\u2029b", "\uFEFFadmin", "admin\uDB40\uDC41", "adm\uE000in", "a\u0378b", "a\u200Db"}) {
      JsonObject refused = client.request(Addresses.CHAT_SEND, msg(name, "hi"));
      assertEquals(400, refused.getInteger("failureCode"), name);
      assertTrue(refused.getString("message").startsWith("user must "), refused.getString("message"));
    }
    for (String text : new String[] {"see \u200Ehere", "a\u061Cb", "line\u2028sep", "\uFEFFhi", "tag\uDB40\uDC41", "pua\uE000",
      "a\u0378b", "\u200Dhi", "x" + "\u0301".repeat(9), "\u3164"}) {
      JsonObject refused = client.request(Addresses.CHAT_SEND, msg("x", text));
      assertEquals(400, refused.getInteger("failureCode"), text);
      assertTrue(refused.getString("message").startsWith("text must "), refused.getString("message"));
    }
    // A lone surrogate can only come as a JSON escape.
    String replyAddress = UUID.randomUUID().toString();
    Future<JsonObject> reply = client.next(frame -> replyAddress.equals(frame.getString("address")));
    client.writeText("{\"type\":\"send\",\"address\":\"" + Addresses.CHAT_SEND + "\",\"replyAddress\":\"" + replyAddress
      + "\",\"body\":{\"user\":\"ab\\ud800\",\"text\":\"hi\"}}");
    assertEquals(400, reply.await(BridgeClient.WAIT_SECONDS, TimeUnit.SECONDS).getInteger("failureCode"), "a lone surrogate");
    for (String text : new String[] {"family \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67", "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645",
      "caf\u00E9 na\u0308ive", "\uD83E\uDEE0 a newer emoji"}) {
      assertEquals("rec", client.request(Addresses.CHAT_SEND, msg("Zo\u00EB \u5C71\u7530", text)).getString("type"), text);
    }
    client.close();
  }

  @Test
  @DisplayName("control and bidirectional-override characters are refused, naming the character and where it is")
  void disguisedText(Vertx vertx) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port());
    JsonObject bidi = client.request(Addresses.CHAT_SEND, msg("mallory", "see \u202Etxt.exe"));
    assertEquals(400, bidi.getInteger("failureCode"));
    assertEquals("text must not contain control, format, separator, private-use, unpaired surrogate or unassigned characters"
      + " (found U+202E at position 5)",
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
