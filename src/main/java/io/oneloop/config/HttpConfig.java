package io.oneloop.config;

/** The {@code http} config: where the HTTP server listens (port 0: any free port). */
public record HttpConfig(String host, int port) {
}
