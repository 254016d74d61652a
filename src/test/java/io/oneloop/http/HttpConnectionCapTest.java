package io.oneloop.http;

import io.oneloop.support.PrometheusText;
import io.oneloop.support.RawHttp;
import io.oneloop.support.RawSocket;
import io.oneloop.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** http.maxConnections: every open connection counts, plain HTTP and bridge alike; one more is closed at once. */
@ExtendWith(VertxExtension.class)
class HttpConnectionCapTest {

  private static final int MAX = 5;

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  /** A kept-alive connection the server has surely accepted: it answered a request on it. */
  private RawHttp served(int port) throws Exception {
    RawHttp raw = RawHttp.connect(port);
    open.add(raw);
    String response = raw.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").readResponse();
    assertEquals(200, RawHttp.status(response), response);
    return raw;
  }

  @Test
  @DisplayName("past http.maxConnections a new connection is closed at once and counted; a closed one makes room again")
  void capOverAllConnections(Vertx vertx) throws Exception {
    JsonObject config = TestApp.config();
    // Long request and idle bounds: the connections held open must not be closed by them.
    config.getJsonObject("http").put("maxConnections", MAX).put("instances", 2).put("requestTimeoutMs", 120_000)
      .put("idleTimeoutMs", 120_000);
    config.put("bridge", new JsonObject().put("maxConnections", MAX));
    TestApp app = TestApp.start(vertx, config);
    int port = app.port();

    RawSocket webSocket = RawSocket.connect(port, "/eventbus/websocket", 64 * 1024);
    open.add(webSocket);
    List<RawHttp> held = new ArrayList<>();
    for (int i = 1; i < MAX; i++) {
      held.add(served(port));
    }

    long start = System.nanoTime();
    try (RawHttp refused = RawHttp.connect(port)) {
      assertEquals("", refused.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").readUntilClosed(), "closed without an answer");
    }
    assertTrue(System.nanoTime() - start < 5_000_000_000L, "closed at once");

    String metrics = RawHttp.body(held.get(0).send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").readResponse());
    assertEquals(1, PrometheusText.parse(metrics).value("oneloop_http_refused_total", "reason", "max_connections"));

    // The bridge socket's count is given back when it closes, as a plain connection's is.
    webSocket.close();
    await("a connection is served again").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
      .until(() -> answers(port));
  }

  /** Whether a new connection gets an answer (and is then kept open, holding its place). */
  private boolean answers(int port) throws Exception {
    RawHttp raw = RawHttp.connect(port);
    open.add(raw);
    return RawHttp.status(raw.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").readResponse()) == 200;
  }
}
