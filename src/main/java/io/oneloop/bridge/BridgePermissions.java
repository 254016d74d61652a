package io.oneloop.bridge;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What bridge clients may do, from {@code bridge.inbound}/{@code bridge.outbound}: only the
 * addresses listed pass. Built once from the checked config; the bridge applies them on every transport.
 * <p>
 * An entry may contain {@link #USER} ({@code user.{user}.orders}, or inside an {@code addressRegex}):
 * it stands for the socket's authenticated user, written with {@link #encodeUser}, and only
 * {@link #forUser} fills it in. Until then such an entry matches nothing, so an anonymous socket
 * gets none of them; {@link #servicesMayPublish} matches it for any user.
 */
public class BridgePermissions {

  /** The placeholder for the socket's user in an entry. */
  public static final String USER = "{user}";
  /** A character of an encoded user. */
  private static final String USER_CHAR = "[A-Za-z0-9_~%-]";
  /** What an encoded user is made of: what a service publishing for any user may put in its place. */
  private static final String ANY_USER = USER_CHAR + "+";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

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

  /**
   * A user as it is written into an address: every character outside {@code [A-Za-z0-9_~-]}
   * ({@code .} and {@code %} too) as {@code %XX} of its UTF-8 bytes, so two users never share an
   * address ({@code bob.x} is {@code bob%2Ex}, never {@code bob} followed by {@code .x}).
   */
  public static String encodeUser(String user) {
    StringBuilder out = new StringBuilder(user.length());
    for (byte b : user.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '~' || c == '-') {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return out.toString();
  }

  /** An {@code addressRegex} with a sample user in place of {@link #USER}, as it will be compiled for a socket: for checking a config. */
  public static String withSampleUser(String regex) {
    return regex.replace(USER, whole("sample.user"));
  }

  /** A user in a regex: the whole user, never a part of a longer one ({@code bob} is not {@code bob%2Ex}'s start). */
  private static String whole(String user) {
    return "(?<!" + USER_CHAR + ")" + Pattern.quote(encodeUser(user)) + "(?!" + USER_CHAR + ")";
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
   * Whether a service (the publish API, not a user) may publish to an address: it is outbound,
   * an entry's {@link #USER} standing for any user ({@code [A-Za-z0-9_~%-]+}).
   */
  public boolean servicesMayPublish(String address) {
    return outbound.stream().anyMatch(rule -> rule.matchesAnyUser(address));
  }

  /**
   * These permissions for one socket's {@code user} (null: anonymous): each entry with {@link #USER}
   * gets the user filled in, or, for an anonymous socket, is left out.
   */
  public BridgePermissions forUser(String user) {
    if (inbound.stream().noneMatch(Rule::templated) && outbound.stream().noneMatch(Rule::templated)) {
      return this;
    }
    return new BridgePermissions(filled(inbound, user), filled(outbound, user));
  }

  private static List<Rule> filled(List<Rule> rules, String user) {
    return rules.stream()
      .filter(rule -> user != null || !rule.templated())
      .map(rule -> rule.templated() ? rule.forUser(user) : rule)
      .toList();
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
        ? Rule.regex(entry.getString("addressRegex"))
        : Rule.exact(entry.getString("address")))
      .toList();
  }

  /**
   * One entry: an exact address, or a pattern the whole address must match. One with {@link #USER}
   * ({@code template}) matches nothing until filled in for a user, and {@code anyUser} for a service.
   */
  record Rule(String address, Pattern regex, String template, boolean isRegex, Pattern anyUser) {

    static Rule exact(String address) {
      if (!address.contains(USER)) {
        return new Rule(address, null, null, false, null);
      }
      StringBuilder any = new StringBuilder();
      String[] parts = address.split(Pattern.quote(USER), -1);
      for (int i = 0; i < parts.length; i++) {
        any.append(i == 0 ? "" : ANY_USER).append(Pattern.quote(parts[i]));
      }
      return new Rule(null, null, address, false, Pattern.compile(any.toString()));
    }

    static Rule regex(String regex) {
      if (!regex.contains(USER)) {
        return new Rule(null, Pattern.compile(regex), null, true, null);
      }
      return new Rule(null, null, regex, true, Pattern.compile(regex.replace(USER, "(?:" + ANY_USER + ")")));
    }

    boolean templated() {
      return template != null;
    }

    Rule forUser(String user) {
      return isRegex
        ? new Rule(null, Pattern.compile(template.replace(USER, whole(user))), null, true, null)
        : new Rule(template.replace(USER, encodeUser(user)), null, null, false, null);
    }

    boolean matches(String candidate) {
      return template == null && (regex != null ? regex.matcher(candidate).matches() : address.equals(candidate));
    }

    boolean matchesAnyUser(String candidate) {
      return template != null ? anyUser.matcher(candidate).matches() : matches(candidate);
    }
  }
}
