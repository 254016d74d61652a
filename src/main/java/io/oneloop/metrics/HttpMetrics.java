package io.oneloop.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP server's own series beside Vert.x's: connections refused before any request, by
 * reason ({@code oneloop_http_refused_total{reason}}), and {@code POST /api/publish} calls by
 * result ({@code oneloop_publish_total{result}}, a closed set). Without metrics every call does nothing.
 */
public final class HttpMetrics {

  /** A connection closed at accept because {@code http.maxConnections} were open. */
  public static final String MAX_CONNECTIONS = "max_connections";

  /** The results of {@code POST /api/publish}, each a series from the start. */
  public static final List<String> PUBLISH_RESULTS = List.of("ok", "invalid", "forbidden", "too_large", "rate_limited", "unavailable");

  static final HttpMetrics NOOP = new HttpMetrics(null);

  private final Counter maxConnections;
  private final Map<String, Counter> publish = new HashMap<>();

  HttpMetrics(MeterRegistry registry) {
    maxConnections = registry == null ? null : Counter.builder("oneloop.http.refused")
      .tag("reason", MAX_CONNECTIONS)
      .description("Connections the HTTP server closed as soon as it accepted them, by reason")
      .register(registry);
    if (registry != null) {
      for (String result : PUBLISH_RESULTS) {
        publish.put(result, Counter.builder("oneloop.publish")
          .tag("result", result)
          .description("Calls of POST /api/publish, by result")
          .register(registry));
      }
    }
  }

  /** A call of {@code POST /api/publish} ended with {@code result}, one of {@link #PUBLISH_RESULTS} (anything else is not counted). */
  public void published(String result) {
    Counter counter = publish.get(result);
    if (counter != null) {
      counter.increment();
    }
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
