package io.oneloop.browser;

import com.microsoft.playwright.Browser;
import io.oneloop.support.AppProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The page's official client (sockjs-client and vertx-eventbus.js, unchanged) on each SockJS
 * transport, all served by the fan-out engine: WebSocket by default, and the HTTP fallbacks a
 * page gets with {@code ?transports=...} behind a proxy that breaks WebSocket.
 */
@DisplayName("The page over each SockJS transport")
class BridgeTransportsIT {

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension
  static final PlaywrightExtension chromium = new PlaywrightExtension(new Browser.NewContextOptions().setViewportSize(1280, 860));

  private static AppProcess app;

  @BeforeAll
  static void startApp() throws Exception {
    // jsonp-polling's sends come from a form in an iframe, as Origin: null: only a listed "null" lets them in.
    JsonObject config = Dashboard.appConfig(AppProcess.freePort(), 200)
      .put("bridge", new JsonObject().put("allowedOrigins", new JsonArray().add("http://localhost:*").add("http://127.0.0.1:*").add("null")));
    app = AppProcess.serve("bridge-transports-it", config);
  }

  /** The tests share one app: each starts once the sessions of the one before (its page closed) are gone. */
  @BeforeEach
  void previousPagesGone() {
    awaitSockets(0, 0, 0);
  }

  @AfterAll
  static void stopApp() {
    if (app != null) {
      app.close();
    }
  }

  /** Bounded polling of {@code GET /api/bridge} until it counts exactly {@code expected} open sockets by transport. */
  private static void awaitSockets(int raw, int sockJsWebSocket, int sockJsFallback) {
    JsonObject expected = new JsonObject().put("raw", raw).put("sockjs-websocket", sockJsWebSocket).put("sockjs-fallback", sockJsFallback);
    await().atMost(WAIT).untilAsserted(() -> assertEquals(expected,
      new JsonObject(app.api("GET", "api/bridge", null).body()).getJsonObject("sockets"), "open bridge sockets by transport"));
  }


  /** Ticks advance, a chat line makes its round trip (a request with a reply, then a publish), and a job shows. */
  private static void worksLive(Dashboard page) {
    long first = page.seqValue();
    assertThat(page.seq()).not().hasText(String.valueOf(first));
    String text = "over " + page.page.url() + " #" + COUNTER.incrementAndGet();
    page.send("Ada", text);
    assertThat(page.message(text)).hasCount(1);
    String job = page.startSleep(60_000);
    assertThat(page.job(job)).hasAttribute("data-state", "running");
    app.api("DELETE", "api/jobs/" + job, null);
    assertThat(page.job(job)).hasAttribute("data-state", "cancelled");
  }

  @Test
  @DisplayName("by default the page connects over SockJS's WebSocket transport, counted as sockjs-websocket")
  void webSocketByDefault() {
    Dashboard page = Dashboard.open(chromium.context(), app.url());
    awaitSockets(0, 1, 0);
    worksLive(page);
    assertTrue(page.problems.isEmpty(), () -> String.join("\n", page.problems));
  }

  @Test
  @DisplayName("a page limited to xhr-streaming shows ticks, chat and jobs, counted as sockjs-fallback")
  void xhrStreaming() {
    Dashboard page = Dashboard.open(chromium.context(), app.url() + "?transports=xhr-streaming");
    awaitSockets(0, 0, 1);
    worksLive(page);
    assertTrue(page.problems.isEmpty(), () -> String.join("\n", page.problems));
  }

  @Test
  @DisplayName("a page limited to jsonp-polling shows ticks, chat and jobs, counted as sockjs-fallback, where bridge.allowedOrigins lists \"null\"")
  void jsonpPolling() {
    Dashboard page = Dashboard.open(chromium.context(), app.url() + "?transports=jsonp-polling");
    awaitSockets(0, 0, 1);
    worksLive(page);
    assertTrue(page.problems.isEmpty(), () -> String.join("\n", page.problems));
  }

  /**
   * SockJS's HTTP transports can only close with 3000: the server sends the disconnect's code and
   * reason first, and the page's client stays closed as it does after a 4403 over WebSocket.
   */
  @ParameterizedTest(name = "over {0}")
  @ValueSource(strings = {"xhr-streaming", "xhr-polling"})
  @DisplayName("a page on an HTTP fallback that an admin disconnects stays closed with the reason, as over WebSocket")
  void disconnectedStaysClosed(String transport) {
    Dashboard page = Dashboard.open(chromium.context(), app.url() + "?transports=" + transport);
    awaitSockets(0, 0, 1);
    String connId = await().atMost(WAIT).until(() -> {
      JsonArray entries = new JsonObject(app.api("GET", "api/presence/oneloop.chat", null).body()).getJsonArray("entries");
      return entries.isEmpty() ? null : entries.getJsonObject(0).getString("connId");
    }, id -> id != null);
    var answer = app.api("POST", "api/disconnect", new JsonObject().put("connId", connId).put("reason", "time out").encode());
    assertEquals(200, answer.statusCode(), answer.body());
    page.awaitState("closed");
    assertThat(page.connection()).hasAttribute("title", "Disconnected by the server: time out");
    page.page.close();
  }
}
