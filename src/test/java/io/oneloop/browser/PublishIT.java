package io.oneloop.browser;

import io.oneloop.support.AppProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A message a backend publishes through POST /api/publish reaches a page subscribed with /oneloop-bus.js, numbered. */
class PublishIT {

  @RegisterExtension
  static final PlaywrightExtension chromium = new PlaywrightExtension(new com.microsoft.playwright.Browser.NewContextOptions());

  private static AppProcess app;

  @BeforeAll
  static void startApp() throws Exception {
    JsonArray outbound = new JsonArray();
    for (String address : List.of("oneloop.ticker", "oneloop.tasks", "oneloop.chat", "oneloop.server", "oneloop.jobs", "oneloop.metrics",
      "news")) {
      outbound.add(new JsonObject().put("address", address));
    }
    JsonObject config = Dashboard.appConfig(AppProcess.freePort(), 200)
      .put("bridge", new JsonObject().put("outbound", outbound)
        .put("history", new JsonArray().add(new JsonObject().put("address", "oneloop.ticker")).add(new JsonObject().put("address", "news"))));
    app = AppProcess.serve("publish-it", config);
  }

  @AfterAll
  static void stopApp() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  @DisplayName("POST /api/publish to news reaches a Chromium page's subscription, with its oneloop.seq")
  void reachesPage() {
    Dashboard page = Dashboard.open(chromium.context(), app.url());
    page.page.evaluate("async () => {"
      + " const { Bus } = await import('/oneloop-bus.js');"
      + " window.published = [];"
      + " const bus = new Bus('/eventbus');"
      + " bus.subscribe('news', (body, message) => window.published.push({ body, seq: message.headers && message.headers['oneloop.seq'] }));"
      + " await bus.connect(); }");
    // Published until the page has one: its register may still be on its way when the first goes out.
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
      HttpResponse<String> response = app.api("POST", "api/publish", new JsonObject().put("address", "news")
        .put("body", new JsonObject().put("headline", "from a backend")).encode());
      assertEquals(200, response.statusCode(), response.body());
      return ((Number) page.page.evaluate("() => window.published.length")).intValue() > 0;
    });
    Object headline = page.page.evaluate("() => window.published[0].body.headline");
    assertEquals("from a backend", headline);
    Object seq = page.page.evaluate("() => window.published[0].seq");
    assertTrue(seq != null && Long.parseLong(String.valueOf(seq)) >= 1, "numbered: " + seq);
    assertTrue(page.problems.isEmpty(), () -> String.join("\n", page.problems));
  }
}
