package io.oneloop.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import io.oneloop.support.AppProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The page against a server with auth on: it asks for a token once, keeps it for the tab, and says so plainly. */
@DisplayName("The page with auth on")
class AccessTokenIT {

  private static final String TOKEN = "viewer-token-for-the-page+/=";

  @RegisterExtension
  static final PlaywrightExtension chromium = new PlaywrightExtension(new Browser.NewContextOptions().setViewportSize(1280, 860));

  private static AppProcess app;

  @BeforeAll
  static void startApp() throws Exception {
    JsonObject config = Dashboard.appConfig(AppProcess.freePort(), 200).put("auth", new JsonObject()
      .put("tokens", new JsonArray().add(new JsonObject().put("name", "wall").put("role", "viewer").put("token", TOKEN))));
    app = AppProcess.serve("access-token-it", config);
  }

  @AfterAll
  static void stopApp() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  @DisplayName("asks for a token once, then shows live data, and keeps the token for the tab across a reload")
  void asksOnceAndKeeps() {
    Page page = chromium.context().newPage();
    List<String> prompts = new ArrayList<>();
    page.onDialog(dialog -> {
      prompts.add(dialog.message());
      dialog.accept(TOKEN);
    });
    page.navigate(app.url());
    assertThat(page.locator("#connection")).hasAttribute("data-state", "connected");
    assertThat(page.locator("#tick-seq")).hasText(Pattern.compile("^\\d+$"));
    assertEquals(1, prompts.size(), "asked once: " + prompts);
    assertTrue(prompts.get(0).contains("needs an access token") && prompts.get(0).contains("kept for this tab only"), prompts.get(0));
    assertEquals(TOKEN, page.evaluate("() => sessionStorage.getItem('oneloop.token')"));

    page.reload();
    assertThat(page.locator("#connection")).hasAttribute("data-state", "connected");
    assertThat(page.locator("#tick-seq")).hasText(Pattern.compile("^\\d+$"));
    assertEquals(1, prompts.size(), "the tab keeps its token: no second question");

    Page otherTab = chromium.browser().newContext().newPage();
    otherTab.onDialog(dialog -> {
      prompts.add(dialog.message());
      dialog.dismiss();
    });
    otherTab.navigate(app.url());
    assertThat(otherTab.locator("#access-notice")).containsText("needs an access token");
    assertEquals(2, prompts.size(), "another tab asks for its own");
    assertNull(otherTab.evaluate("() => sessionStorage.getItem('oneloop.token')"));
    otherTab.context().close();
  }

  @Test
  @DisplayName("a refused token is said so plainly, without asking again")
  void refusedToken() {
    Page page = chromium.context().newPage();
    List<String> prompts = new ArrayList<>();
    page.onDialog(dialog -> {
      prompts.add(dialog.message());
      dialog.accept("not-the-token-0123456789");
    });
    page.navigate(app.url());
    assertThat(page.locator("#access-notice")).containsText("refused this tab's access token");
    assertEquals(1, prompts.size(), "asked once: " + prompts);
    assertNull(page.evaluate("() => sessionStorage.getItem('oneloop.token')"), "the refused token is not kept");
  }

  /**
   * The official client itself (sockjs-client, as vertx-eventbus.js uses it) limited to one
   * transport: a refused token closes it with 4401 on each, as on the WebSocket one, so a page can
   * tell a refused token from a lost connection whichever transport its network allows.
   */
  @ParameterizedTest(name = "over {0}")
  @ValueSource(strings = {"websocket", "xhr-streaming", "xhr-polling", "eventsource", "iframe-htmlfile", "jsonp-polling"})
  @DisplayName("the browser's SockJS client gets close code 4401 for a refused token on every transport")
  void refusedTokenClosesWith4401(String transport) {
    Page page = chromium.context().newPage();
    page.navigate(app.url() + "health");
    page.addScriptTag(new Page.AddScriptTagOptions().setUrl("/vendor/sockjs.min.js"));
    Object closed = page.evaluate("""
      transport => new Promise(resolve => {
        const sock = new SockJS('/eventbus?token=not-the-token-0123456789', null, { transports: [transport] });
        sock.onclose = event => resolve(event.code + ' ' + event.reason);
      })""", transport);
    assertEquals("4401 unauthorized", closed, transport);
    page.close();
  }
}
