package io.oneloop.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;

/**
 * The HTTP server's own series beside Vert.x's: connections refused before any request, by
 * reason ({@code oneloop_http_refused_total{reason}}). Without metrics every call does nothing.
 */
public final class HttpMetrics {

  /** A connection closed at accept because {@code http.maxConnections} were open. */
  public static final String MAX_CONNECTIONS = "max_connections";

  static final HttpMetrics NOOP = new HttpMetrics(null);

  private final Counter maxConnections;

  HttpMetrics(MeterRegistry registry) {
    maxConnections = registry == null ? null : Counter.builder("oneloop.http.refused")
      .tag("reason", MAX_CONNECTIONS)
      .description("Connections the HTTP server closed as soon as it accepted them, by reason")
      .register(registry);
  }

  /** The HTTP metrics of the app running on {@code vertx}; ones that count nothing when there is none. */
  public static HttpMetrics of(Vertx vertx) {
    AppMetrics app = AppMetrics.of(vertx);
    return app == null ? NOOP : app.http();
  }

  /** A connection was refused because {@code http.maxConnections} were open. */
  public void refusedMaxConnections() {
    if (maxConnections != null) {
      maxConnections.increment();
    }
  }
}
