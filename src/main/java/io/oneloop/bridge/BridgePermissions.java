package io.oneloop.bridge;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What bridge clients may do, from {@code bridge.inbound}/{@code bridge.outbound}: only the
 * addresses listed pass. Built once from the checked config; the bridge applies them on every transport.
 */
public class BridgePermissions {

  private final List<Rule> inbound;
  private final List<Rule> outbound;

  BridgePermissions(List<Rule> inbound, List<Rule> outbound) {
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

  /**
   * These permissions narrowed by a token's {@code oneloop.addresses} claim (the same shape as the
   * config's): an address passes only if both allow it, so a claim never widens anything. A
   * direction the claim leaves out is not narrowed; null narrows nothing.
   */
  public BridgePermissions narrowedBy(JsonObject claim) {
    if (claim == null) {
      return this;
    }
    BridgePermissions wider = this;
    BridgePermissions limit = fromJson(claim);
    boolean narrowInbound = claim.containsKey("inbound");
    boolean narrowOutbound = claim.containsKey("outbound");
    return new BridgePermissions(inbound, outbound) {
      @Override
      public boolean mayReceive(String address) {
        return wider.mayReceive(address) && (!narrowOutbound || limit.mayReceive(address));
      }

      @Override
      public boolean maySend(String address) {
        return wider.maySend(address) && (!narrowInbound || limit.maySend(address));
      }
    };
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
  record Rule(String address, Pattern regex) {

    boolean matches(String candidate) {
      return regex != null ? regex.matcher(candidate).matches() : address.equals(candidate);
    }
  }
}
