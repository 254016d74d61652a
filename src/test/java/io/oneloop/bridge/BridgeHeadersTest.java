package io.oneloop.bridge;

import io.oneloop.Addresses;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The headers only the bridge sets: their names, and how a client's frame gets them. */
class BridgeHeadersTest {

  @Test
  @DisplayName("Addresses' old names for the sender headers still say the bridge's own, for code written against them")
  @SuppressWarnings("deprecation")
  void oldNamesAgree() {
    assertEquals(BridgeHeaders.USER, Addresses.USER_HEADER);
    assertEquals(BridgeHeaders.CLIENT, Addresses.CLIENT_HEADER);
  }

  @Test
  @DisplayName("a client's own sender headers are dropped: an admitted user marks it, else the client's address")
  void senderSetByTheBridgeAlone() {
    JsonObject forged = new JsonObject().put("oneloop.user", "mallory").put("oneloop.client", "203.0.113.9").put("x", "1");
    MultiMap asUser = BridgeHeaders.fromClient(forged, "alice", "198.51.100.1");
    assertEquals("alice", asUser.get(BridgeHeaders.USER));
    assertNull(asUser.get(BridgeHeaders.CLIENT));
    assertEquals("1", asUser.get("x"));
    MultiMap anonymous = BridgeHeaders.fromClient(forged, null, "198.51.100.1");
    assertNull(anonymous.get(BridgeHeaders.USER));
    assertEquals("198.51.100.1", anonymous.get(BridgeHeaders.CLIENT));
    assertNull(BridgeHeaders.fromClient("not an object", null, "198.51.100.1"));
  }
}
