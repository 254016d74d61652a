package io.oneloop.bridge;

import io.oneloop.Addresses;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.TickingApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** {user} in bridge permissions: each user gets their own addresses, never another's, by guessing or by regex. */
class UserAddressesTest {

  private static final String BOB = "bob-token-0123456789";
  private static final String BOB_X = "bobx-token-0123456789";

  @RegisterExtension
  final TickingApp app = TickingApp.with(config -> config
    .put("auth", new JsonObject().put("tokens", new JsonArray()
      .add(new JsonObject().put("name", "bob").put("role", "viewer").put("token", BOB))
      .add(new JsonObject().put("name", "bob.x").put("role", "viewer").put("token", BOB_X))))
    .put("bridge", new JsonObject()
      .put("outbound", new JsonArray()
        .add(new JsonObject().put("address", Addresses.TICKER))
        .add(new JsonObject().put("address", "user.{user}.orders"))
        .add(new JsonObject().put("addressRegex", "feed\\.{user}.*")))
      .put("inbound", new JsonArray().add(new JsonObject().put("address", "user.{user}.cart")))))
    .bystanderQuery("token=" + BOB);

  private static BridgeClient as(Vertx vertx, int port, Transport transport, String token) throws Exception {
    return BridgeClient.connect(vertx, port, transport, "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8), Map.of());
  }

  @Test
  @DisplayName("a user is written with every character outside [A-Za-z0-9_~-] as %XX of its UTF-8 bytes")
  void encoding() {
    assertEquals("bob", BridgePermissions.encodeUser("bob"));
    assertEquals("bob%2Ex", BridgePermissions.encodeUser("bob.x"));
    assertEquals("a%25b", BridgePermissions.encodeUser("a%b"));
    assertEquals("J%C3%B6rg_~-1", BridgePermissions.encodeUser("J\u00f6rg_~-1"));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("bob and bob.x never get each other's addresses, by name or through a regex entry; each gets their own")
  void isolated(Transport transport, Vertx vertx) throws Exception {
    BridgeClient bob = as(vertx, app.port(), transport, BOB);
    BridgeClient bobX = as(vertx, app.port(), transport, BOB_X);
    try {
      for (String guess : new String[] {"user.bob%2Ex.orders", "user.bob.x.orders", "feed.bob%2Ex", "feed.bob%2Ex.news", "feed.bobx"}) {
        bob.register(guess);
        assertEquals("access_denied", bob.awaitErr(), "bob registering " + guess);
      }
      for (String guess : new String[] {"user.bob.orders", "feed.bob", "feed.bob.news", "user.bob.x.orders"}) {
        bobX.register(guess);
        assertEquals("access_denied", bobX.awaitErr(), "bob.x registering " + guess);
      }
      bobX.publish("user.bob.cart", 1);
      assertEquals("access_denied", bobX.awaitErr());
      bob.publish("user.bob%2Ex.cart", 1);
      assertEquals("access_denied", bob.awaitErr());

      bob.register("user.bob.orders").register("feed.bob.news").register(Addresses.TICKER).awaitRec(Addresses.TICKER);
      bobX.register("user.bob%2Ex.orders").register("feed.bob%2Ex").register(Addresses.TICKER).awaitRec(Addresses.TICKER);
      vertx.eventBus().publish("user.bob.orders", "for bob");
      vertx.eventBus().publish("user.bob%2Ex.orders", "for bob.x");
      vertx.eventBus().publish("feed.bob.news", "bob's feed");
      vertx.eventBus().publish("feed.bob%2Ex", "bob.x's feed");
      assertEquals("for bob", bob.await(BridgeClient.isRec("user.bob.orders")).getString("body"));
      assertEquals("bob's feed", bob.await(BridgeClient.isRec("feed.bob.news")).getString("body"));
      assertEquals("for bob.x", bobX.await(BridgeClient.isRec("user.bob%2Ex.orders")).getString("body"));
      assertEquals("bob.x's feed", bobX.await(BridgeClient.isRec("feed.bob%2Ex")).getString("body"));
      for (JsonObject frame : bob.backlog()) {
        assertFalse(frame.encode().contains("bob.x") || frame.encode().contains("%2E"), "bob got " + frame.encode());
      }
      for (JsonObject frame : bobX.backlog()) {
        assertFalse(frame.encode().contains("for bob\"") || frame.encode().contains("bob's"), "bob.x got " + frame.encode());
      }
    } finally {
      bob.close();
      bobX.close();
    }
  }

  @Test
  @DisplayName("an anonymous socket matches no {user} entry: with auth off, user.{user}.orders opens to no one")
  void anonymousMatchesNone() {
    BridgePermissions permissions = BridgePermissions.fromJson(new JsonObject()
      .put("outbound", new JsonArray().add(new JsonObject().put("address", "user.{user}.orders"))
        .add(new JsonObject().put("addressRegex", "feed\\.{user}.*"))));
    BridgePermissions anonymous = permissions.forUser(null);
    for (String address : new String[] {"user.{user}.orders", "user..orders", "user.bob.orders", "feed.", "feed.bob"}) {
      assertFalse(anonymous.mayReceive(address), address);
      assertFalse(permissions.mayReceive(address), address);
    }
    assertEquals(true, permissions.servicesMayPublish("user.bob%2Ex.orders"));
    assertFalse(permissions.servicesMayPublish("user.bob.x.orders"));
  }
}
