package io.oneloop.bridge;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One {@code bridge.history} entry: which addresses keep their last messages (an exact
 * {@code address} or an {@code addressRegex} the whole address must match), and how many, for how
 * long and in how many bytes at most.
 */
public record HistorySpec(String address, Pattern regex, int size, long ttlMs, long maxBytes) {

  public static final int DEFAULT_SIZE = 100;
  public static final long DEFAULT_TTL_MS = 300_000;
  public static final long DEFAULT_MAX_BYTES = 1024 * 1024;
  /** The default of {@code bridge.maxHistoryAddresses}. */
  public static final int DEFAULT_MAX_ADDRESSES = 1000;
  /** The default of {@code bridge.maxHistoryBytes}: 64 MiB over every address's history together. */
  public static final long DEFAULT_MAX_TOTAL_BYTES = 64 * 1024 * 1024;
  /** The least {@code bridge.maxHistoryBytes}: one address's default {@code maxBytes}. */
  public static final long MIN_TOTAL_BYTES = 1024 * 1024;
  /** The default of {@code bridge.maxHistoryAddressesPerClient}. */
  public static final int DEFAULT_MAX_ADDRESSES_PER_CLIENT = 16;
  /** Without {@code bridge.history}: the default config's ticker, tasks, jobs and chat. */
  public static final List<String> DEFAULT_ADDRESSES = List.of("oneloop.ticker", "oneloop.tasks", "oneloop.jobs", "oneloop.chat");

  /** The default history of one exact address. */
  public static HistorySpec of(String address) {
    return new HistorySpec(address, null, DEFAULT_SIZE, DEFAULT_TTL_MS, DEFAULT_MAX_BYTES);
  }

  public boolean matches(String candidate) {
    return regex != null ? regex.matcher(candidate).matches() : address.equals(candidate);
  }
}
