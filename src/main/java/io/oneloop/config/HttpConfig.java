package io.oneloop.config;

/**
 * The {@code http} config: where the HTTP server listens (port 0: any free port) and how many
 * instances of it share that port, each on its own event loop with its own bridge engine.
 */
public record HttpConfig(String host, int port, int instances) {
}
