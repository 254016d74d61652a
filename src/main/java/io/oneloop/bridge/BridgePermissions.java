package io.oneloop.bridge;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;

/** Turns {@code bridge.inbound}/{@code bridge.outbound} into the bridge's options: only what is listed passes. */
public final class BridgePermissions {

  private BridgePermissions() {
  }

  public static SockJSBridgeOptions options(JsonObject bridge) {
    SockJSBridgeOptions options = new SockJSBridgeOptions();
    permitted(bridge.getJsonArray("inbound", new JsonArray())).forEach(options::addInboundPermitted);
    permitted(bridge.getJsonArray("outbound", new JsonArray())).forEach(options::addOutboundPermitted);
    return options;
  }

  private static java.util.List<PermittedOptions> permitted(JsonArray entries) {
    return entries.stream()
      .map(JsonObject.class::cast)
      .map(entry -> entry.containsKey("addressRegex")
        ? new PermittedOptions().setAddressRegex(entry.getString("addressRegex"))
        : new PermittedOptions().setAddress(entry.getString("address")))
      .toList();
  }
}
