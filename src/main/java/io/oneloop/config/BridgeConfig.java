package io.oneloop.config;

import io.oneloop.bridge.BridgePermissions;

/** The {@code bridge} config: which addresses bridge clients may send to and receive from. */
public record BridgeConfig(BridgePermissions permissions) {
}
