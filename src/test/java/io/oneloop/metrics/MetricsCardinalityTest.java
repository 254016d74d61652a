package io.oneloop.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.oneloop.MainVerticle;
import io.oneloop.config.AppConfig;
import io.oneloop.config.ConfigLoader;
import io.oneloop.support.PrometheusText;
import io.oneloop.support.RawHttp;
import io.oneloop.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** No client input grows the metrics without bound: the request method is a closed set, and every metric is capped. */
class MetricsCardinalityTest {

  private Vertx vertx;

  @AfterEach
  void close() throws Exception {
    if (vertx != null) {
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  /** The app on a Vert.x with its HTTP metrics on, set up as the fat jar's Main sets them up. */
  private int startWithVertxMetrics() throws Exception {
    PrometheusMeterRegistry registry = AppMetrics.newRegistry();
    vertx = Vertx.builder().with(new VertxOptions().setMetricsOptions(AppMetrics.vertxMetricsOptions()))
      .withMetrics(new MicrometerMetricsFactory(registry)).build();
    AppConfig config = AppConfig.validate(ConfigLoader.resolve(TestApp.config(), true, Map.of()), "test config");
    MainVerticle main = new MainVerticle(config, outcome -> { }, registry);
    vertx.deployVerticle(main).await(20, TimeUnit.SECONDS);
    return main.httpPort();
  }

  private static String get(RawHttp raw, String path) throws Exception {
    String response = raw.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").readResponse();
    assertEquals(200, RawHttp.status(response), response);
    return RawHttp.body(response);
  }

  @Test
  @DisplayName("requests with invented methods are counted as method OTHER and leave /metrics the size it was")
  void inventedMethods() throws Exception {
    int port = startWithVertxMetrics();
    try (RawHttp raw = RawHttp.connect(port)) {
      get(raw, "/health");
      get(raw, "/metrics");
      int before = get(raw, "/metrics").length();
      for (int i = 0; i < 300; i++) {
        String response = raw.send("XYZABC" + i + " /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").readResponse();
        assertEquals(405, RawHttp.status(response), response);
      }
      String after = get(raw, "/metrics");
      assertFalse(after.contains("XYZABC"), "an invented method reached /metrics");
      assertTrue(after.length() <= 2 * before, "/metrics grew from " + before + " to " + after.length() + " bytes");
      PrometheusText metrics = PrometheusText.parse(after);
      assertTrue(metrics.samples().stream().anyMatch(s -> s.name().startsWith("vertx_http_server_requests")
        && "OTHER".equals(s.labels().get("method")) && s.value() >= 300), "the invented ones are counted as OTHER");
      assertTrue(metrics.samples().stream().anyMatch(s -> s.name().startsWith("vertx_http_server_requests")
        && "GET".equals(s.labels().get("method"))), "standard methods keep their name");
    }
  }

  @Test
  @DisplayName("a metric takes at most 1000 series; the ones it has keep counting")
  void seriesPerMetricAreCapped() {
    PrometheusMeterRegistry registry = AppMetrics.newRegistry();
    for (int i = 0; i < 1500; i++) {
      registry.counter("some.client.driven", "key", "value" + i).increment();
    }
    assertEquals(1000, registry.find("some.client.driven").counters().size());
    Counter first = registry.counter("some.client.driven", "key", "value0");
    first.increment();
    assertEquals(2, registry.find("some.client.driven").tag("key", "value0").counter().count());
    registry.counter("another.metric", "key", "x").increment();
    assertEquals(1, registry.find("another.metric").counters().size(), "the cap is per metric");
  }
}
