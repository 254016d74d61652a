package io.oneloop.chat;

import io.oneloop.Addresses;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.TickingApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With static tokens, chat names the sender by the token's name and counts chat.maxPerMinute per token, whatever name the body gives. */
class ChatSenderTest {

  private static final String OPS = "ops-token-0123456789";
  private static final String WALL = "wall-token-0123456789";

  @RegisterExtension
  final TickingApp app = TickingApp.with(config -> config
    .put("chat", new JsonObject().put("maxPerMinute", 3))
    .put("auth", new JsonObject().put("tokens", new JsonArray()
      .add(new JsonObject().put("name", "ops").put("role", "admin").put("token", OPS))
      .add(new JsonObject().put("name", "wall").put("role", "viewer").put("token", WALL)))))
    .bystanderQuery("token=" + WALL);

  private static JsonObject msg(String user, String text) {
    return new JsonObject().put("user", user).put("text", text);
  }

  /** The chat message with this text as published (history replayed on register may come first). */
  private static JsonObject published(BridgeClient client, String text) throws Exception {
    return client.await(frame -> BridgeClient.isRec(Addresses.CHAT).test(frame)
      && text.equals(frame.getJsonObject("body").getString("text"))).getJsonObject("body");
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("a viewer token cannot chat as the admin's name, and rotating names does not escape its limit")
  void staticTokenName(Transport transport, Vertx vertx) throws Exception {
    BridgeClient wall = BridgeClient.connect(vertx, app.port(), transport, "token=" + WALL, Map.of()).register(Addresses.CHAT);
    for (int i = 0; i < 3; i++) {
      assertEquals("rec", wall.request(Addresses.CHAT_SEND, msg(i == 0 ? "ops" : "name" + i, "I am the admin " + i)).getString("type"));
      assertEquals("wall", published(wall, "I am the admin " + i).getString("user"));
    }
    JsonObject refused = wall.request(Addresses.CHAT_SEND, msg("someone-else", "one more"));
    assertEquals(429, refused.getInteger("failureCode"));
    assertTrue(refused.getString("message").matches("\"wall\" may send 3 messages a minute; try again in \\d+ s"),
      refused.getString("message"));
    BridgeClient ops = BridgeClient.connect(vertx, app.port(), transport, "token=" + OPS, Map.of()).register(Addresses.CHAT);
    assertEquals("rec", ops.request(Addresses.CHAT_SEND, msg("wall", "hi")).getString("type"), "another token goes on");
    assertEquals("ops", published(ops, "hi").getString("user"));
    wall.close();
    ops.close();
  }
}
