package io.oneloop.bridge;

import java.util.regex.Pattern;

/**
 * One entry of {@code bridge.presence}: an address ({@code address}, or every address {@code regex}
 * matches whole) whose subscribers are tracked, and whether they get {@code join}/{@code leave} events.
 */
public record PresenceSpec(String address, Pattern regex, boolean joinLeave) {

  public boolean matches(String candidate) {
    return regex != null ? regex.matcher(candidate).matches() : address.equals(candidate);
  }
}
