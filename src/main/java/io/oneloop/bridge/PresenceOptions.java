package io.oneloop.bridge;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What the engine tracks as presence: the addresses ({@code tracked}), at most {@code maxEntries}
 * entries in this process and {@code maxPerAddress} per address in it, the node id its entries name
 * ({@code nodeId}), and {@code names}, which turns a register's {@code oneloop.name} header into the
 * name shown (null: refused, shown as null).
 */
public record PresenceOptions(List<PresenceSpec> tracked, int maxEntries, int maxPerAddress, String nodeId,
                              UnaryOperator<String> names) {

  /** The default of {@code bridge.maxPresenceEntries}. */
  public static final int DEFAULT_MAX_ENTRIES = 100_000;
  /** The default of {@code bridge.maxPresencePerAddress}. */
  public static final int DEFAULT_MAX_PER_ADDRESS = 10_000;
  /** The node id of an engine that was given none. */
  public static final String LOCAL_NODE = "local";
  /** Names shown when the app gives no filter: 1-32 characters, no control characters. */
  public static final UnaryOperator<String> PLAIN_NAMES = name -> {
    String trimmed = name.strip();
    int length = trimmed.codePointCount(0, trimmed.length());
    return length < 1 || length > 32 || trimmed.codePoints().anyMatch(Character::isISOControl) ? null : trimmed;
  };
  /** Nothing tracked. */
  public static final PresenceOptions NONE = new PresenceOptions(List.of(), DEFAULT_MAX_ENTRIES, DEFAULT_MAX_PER_ADDRESS,
    LOCAL_NODE, PLAIN_NAMES);

  public PresenceOptions {
    tracked = List.copyOf(tracked);
  }

  /** The same, for the node {@code id}. */
  public PresenceOptions withNodeId(String id) {
    return new PresenceOptions(tracked, maxEntries, maxPerAddress, id, names);
  }

  /** The spec that tracks {@code address}, or null. */
  PresenceSpec specOf(String address) {
    for (PresenceSpec spec : tracked) {
      if (spec.matches(address)) {
        return spec;
      }
    }
    return null;
  }
}
