package io.oneloop.config;

import io.vertx.core.json.JsonObject;

/** A startup or shutdown hook: a job run in order, bounded by {@code timeoutMs}. */
public record HookSpec(String type, JsonObject params, long timeoutMs) {
}
