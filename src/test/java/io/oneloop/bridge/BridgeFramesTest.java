package io.oneloop.bridge;

import io.oneloop.Addresses;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.TickingApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Frames that once ended the process are answered as client errors; the app and everyone else go on. */
class BridgeFramesTest {

  @RegisterExtension
  final TickingApp app = TickingApp.withDefaults();

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("a send whose headers HTTP would refuse is answered with an error frame and ends nothing")
  void badHeaderNames(Transport transport, Vertx vertx) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport);
    for (String name : new String[] {"bad name\n", "", "a:b", "\u00e9", "x".repeat(300)}) {
      client.writeText(new JsonObject().put("type", "send").put("address", Addresses.CHAT_HISTORY).put("body", 2)
        .put("headers", new JsonObject().put(name, "v")).encode());
      assertTrue(client.awaitErr().matches("invalid_headers|rejected"));
    }
    client.writeText("{\"type\":\"send\",\"address\":\"oneloop.chat.history\",\"body\":2,\"headers\":{\"ok\":\"line\\r\\nbreak\"}}");
    assertTrue(client.awaitErr().matches("invalid_headers|rejected"));
    client.writeText("{\"type\":\"send\",\"address\":\"oneloop.chat.history\",\"body\":2,\"headers\":{\"ok\":{\"nested\":1}}}");
    assertTrue(client.awaitErr().matches("invalid_headers|rejected"));
    assertEquals("rec", client.request(Addresses.CHAT_HISTORY, new JsonObject()).getString("type"), "the socket still works");
    client.close();
  }
}
