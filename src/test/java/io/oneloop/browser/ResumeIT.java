package io.oneloop.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.assertions.LocatorAssertions;
import io.oneloop.support.AppProcess;
import io.oneloop.support.CutProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The page across a network cut: its bridge socket dropped, it reconnects by itself and resumes from where it was. */
@DisplayName("The dashboard across a network cut")
class ResumeIT {

  /** Long enough for the client's reconnect backoff (at most 5 s) after the network is back. */
  private static final double RECONNECT_MS = 20_000;

  @RegisterExtension
  static final PlaywrightExtension chromium = new PlaywrightExtension(new Browser.NewContextOptions().setViewportSize(1280, 860));

  private static AppProcess app;
  private static CutProxy proxy;

  @BeforeAll
  static void startApp() throws Exception {
    app = Dashboard.startApp("resume-it", AppProcess.freePort(), 100);
    proxy = CutProxy.start(app.port());
  }

  @AfterAll
  static void stopApp() {
    if (proxy != null) {
      proxy.close();
    }
    if (app != null) {
      app.close();
    }
  }

  /** Waits, tick by tick (each wait bounded), until the page shows a seq of at least {@code target}. */
  private static void awaitSeq(Dashboard page, long target) {
    for (int i = 0; i < 1000; i++) {
      long shown = page.seqValue();
      if (shown >= target) {
        return;
      }
      assertThat(page.seq()).not().hasText(String.valueOf(shown), new LocatorAssertions.HasTextOptions().setTimeout(RECONNECT_MS));
    }
    throw new AssertionError("the page's seq did not reach " + target);
  }

  @Test
  @DisplayName("after its socket is killed while the ticker runs, the page has every tick and the chat line sent meanwhile, once")
  void missesNothing() {
    Dashboard page = Dashboard.open(chromium.context(), "http://127.0.0.1:" + proxy.port() + "/");
    long before = page.seqValue();
    assertThat(page.seq()).not().hasText(String.valueOf(before));

    proxy.cut();
    page.awaitState("reconnecting");
    long cutAt = page.seqValue();
    // Another user, not behind the cut, chats and watches the ticker go on.
    try (BrowserContext other = chromium.browser().newContext()) {
      Dashboard witness = Dashboard.open(other, app.url());
      String text = "sent during the cut";
      witness.send("Grace", text);
      assertThat(witness.message(text)).hasCount(1);
      assertThat(witness.seq()).hasText(Pattern.compile("^\\d+$"));
      // Twenty ticks go by while the page is away.
      long target = cutAt + 20;
      awaitSeq(witness, target);
      long missedSeq = witness.seqValue();
      assertTrue(page.seqValue() == cutAt, "the cut page got no tick while cut");

      proxy.restore();
      assertThat(page.connection()).hasAttribute("data-state", "connected",
        new LocatorAssertions.HasAttributeOptions().setTimeout(RECONNECT_MS));
      awaitSeq(page, missedSeq + 1);
      assertThat(page.page.locator("#tick-missed")).hasText("0");
      assertThat(page.message(text)).hasCount(1);
    }
  }
}
