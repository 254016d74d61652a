package io.oneloop.bridge;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What bridge clients may do, from {@code bridge.inbound}/{@code bridge.outbound}: only the
 * addresses listed pass. Built once from the checked config; the bridge applies them on every transport.
 */
public final class BridgePermissions {

  private final List<Rule> inbound;
  private final List<Rule> outbound;

  private BridgePermissions(List<Rule> inbound, List<Rule> outbound) {
    this.inbound = inbound;
    this.outbound = outbound;
  }

  /** From {@code {"inbound": [...], "outbound": [...]}}, each entry {@code address} or {@code addressRegex}, already checked. */
  public static BridgePermissions fromJson(JsonObject bridge) {
    return new BridgePermissions(rules(bridge.getJsonArray("inbound", new JsonArray())),
      rules(bridge.getJsonArray("outbound", new JsonArray())));
  }

  /** Whether clients may receive from an address (outbound: server to client). */
  public boolean mayReceive(String address) {
    return outbound.stream().anyMatch(rule -> rule.matches(address));
  }

  /** Whether clients may send or publish to an address (inbound: client to server). */
  public boolean maySend(String address) {
    return inbound.stream().anyMatch(rule -> rule.matches(address));
  }

  private static List<Rule> rules(JsonArray entries) {
    return entries.stream()
      .map(JsonObject.class::cast)
      .map(entry -> entry.containsKey("addressRegex")
        ? new Rule(null, Pattern.compile(entry.getString("addressRegex")))
        : new Rule(entry.getString("address"), null))
      .toList();
  }

  /** One entry: an exact address, or a pattern the whole address must match. */
  private record Rule(String address, Pattern regex) {

    boolean matches(String candidate) {
      return regex != null ? regex.matcher(candidate).matches() : address.equals(candidate);
    }
  }
}
