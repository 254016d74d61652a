package io.oneloop.config;

import io.oneloop.bridge.BridgePermissions;

/**
 * The {@code bridge} config: which addresses bridge clients may send to and receive from, and
 * how many bytes a client may let wait before it is closed as too slow.
 */
public record BridgeConfig(BridgePermissions permissions, long maxQueuedBytes) {

  /** The default of {@code bridge.maxQueuedBytes}: 1 MiB. */
  public static final long DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024;
}
