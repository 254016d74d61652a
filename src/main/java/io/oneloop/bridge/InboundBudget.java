package io.oneloop.bridge;

/**
 * One client's inbound token bucket: frames it may still send now, refilled at
 * {@code bridge.maxInboundPerSecond} (burst the same), and since when it has been flooding.
 */
final class InboundBudget {

  private final BridgeLimits limits;
  private double allowance;
  private long lastRefill = System.nanoTime();
  /** When this client's current flood began (its first refused frame), 0 while it is not flooding. */
  private long floodingSince;
  private long lastRefused;

  InboundBudget(BridgeLimits limits) {
    this.limits = limits;
    this.allowance = limits.maxInboundPerSecond();
  }

  /** Takes one frame's token from the bucket; false (and the flood's start noted) when there is none. */
  boolean take() {
    long now = System.nanoTime();
    int rate = limits.maxInboundPerSecond();
    allowance = Math.min(rate, allowance + (now - lastRefill) * rate / 1e9);
    lastRefill = now;
    if (allowance >= 1) {
      allowance -= 1;
      if (floodingSince != 0 && now - lastRefused > 1_000_000_000L) {
        floodingSince = 0; // a quiet second ends a flood
      }
      return true;
    }
    lastRefused = now;
    if (floodingSince == 0) {
      floodingSince = now;
    }
    return false;
  }

  /** Whether the current flood has lasted bridge.floodCloseMs. */
  boolean floodedTooLong() {
    return (System.nanoTime() - floodingSince) / 1_000_000 >= limits.floodCloseMs();
  }
}
