package io.oneloop.bridge;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

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

  /** Whether browsers may receive from an address, by the same rules the bridge applies. */
  public static Predicate<String> outbound(JsonObject bridge) {
    return matcher(bridge.getJsonArray("outbound", new JsonArray()));
  }

  /** Whether browsers may send or publish to an address. */
  public static Predicate<String> inbound(JsonObject bridge) {
    return matcher(bridge.getJsonArray("inbound", new JsonArray()));
  }

  private static Predicate<String> matcher(JsonArray entries) {
    List<Predicate<String>> rules = entries.stream()
      .map(JsonObject.class::cast)
      .map(entry -> entry.containsKey("addressRegex")
        ? Pattern.compile(entry.getString("addressRegex")).asMatchPredicate()
        : (Predicate<String>) entry.getString("address")::equals)
      .toList();
    return address -> rules.stream().anyMatch(rule -> rule.test(address));
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
