package io.oneloop.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.ColorScheme;
import io.oneloop.support.AppProcess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dashboard against one running app: loading, the ticker, tasks, chat and the phone layout. */
@DisplayName("The dashboard page")
class DashboardIT {

  private static final AtomicInteger COUNTER = new AtomicInteger();

  @RegisterExtension
  static final PlaywrightExtension chromium = new PlaywrightExtension(new Browser.NewContextOptions().setViewportSize(1280, 860));

  private static AppProcess app;

  @BeforeAll
  static void startApp() throws Exception {
    app = Dashboard.startApp("dashboard-it", AppProcess.freePort(), 200);
  }

  @AfterAll
  static void stopApp() {
    if (app != null) {
      app.close();
    }
  }

  /** A text no other test sends, so tests sharing the app's chat do not see each other's lines. */
  private static String unique(String text) {
    return text + " #" + COUNTER.incrementAndGet();
  }

  @Test
  @DisplayName("loads with no console errors and no failed requests")
  void loadsCleanly() {
    Dashboard page = Dashboard.open(chromium.context(), app.url());

    page.seqValue();
    assertThat(page.tickRate()).hasText(Pattern.compile("\\d.* /s"));
    assertThat(page.task("ticker").locator(".badge")).hasText("running");
    assertThat(page.task("ticker").locator(".task-kind")).not().isEmpty();
    assertThat(page.page.locator("link[rel=icon]")).hasAttribute("href", "favicon.svg");
    Browsers.screenshot(page.page, "dashboard-desktop");

    assertTrue(page.problems.isEmpty(), () -> String.join("\n", page.problems));
  }

  @Test
  @DisplayName("shows the ticker advancing, with the rate of ticks")
  void tickerAdvances() {
    Dashboard page = Dashboard.open(chromium.context(), app.url());

    long first = page.seqValue();
    assertThat(page.seq()).not().hasText(String.valueOf(first));
    long next = page.seqValue();

    assertTrue(next > first, "seq went from " + first + " to " + next);
    assertThat(page.tickRate()).hasText(Pattern.compile("\\d.* /s"));
  }

  @Test
  @DisplayName("shows a chat line typed in one page in a second page")
  void chatReachesOtherPages() {
    Dashboard alice = Dashboard.open(chromium.context(), app.url());
    Dashboard bob = Dashboard.open(chromium.browser().newContext(), app.url());
    String text = unique("hello from Alice");

    alice.send("Alice", text);

    assertThat(bob.message(text)).hasCount(1);
    assertThat(alice.message(text)).hasCount(1);
    bob.page.context().close();
  }

  @Test
  @DisplayName("the chat shows who is online under the name each page chats with, and a page an admin disconnects stays closed with the reason")
  void chatShowsWhoIsOnline() throws Exception {
    Dashboard alice = Dashboard.open(chromium.context(), app.url());
    Dashboard bob = Dashboard.open(chromium.browser().newContext(), app.url());
    alice.send("Alice", unique("hello"));

    assertThat(bob.page.locator("#chat-online")).containsText("Alice");
    String bobName = bob.page.locator("#chat-user").inputValue();
    assertThat(alice.page.locator("#chat-online")).containsText(bobName);
    Browsers.screenshot(bob.page, "dashboard-chat-online");

    JsonObject listed = new JsonObject(app.api("GET", "api/presence/oneloop.chat", null).body());
    String bobConn = listed.getJsonArray("entries").stream().map(JsonObject.class::cast)
      .filter(e -> bobName.equals(e.getString("name"))).findFirst().orElseThrow().getString("connId");
    var answer = app.api("POST", "api/disconnect", new JsonObject().put("connId", bobConn).put("reason", "time out").encode());
    assertEquals(200, answer.statusCode(), answer.body());
    bob.awaitState("closed");
    assertThat(bob.connection()).hasAttribute("title", "Disconnected by the server: time out");
    assertThat(alice.page.locator("#chat-online")).not().containsText(bobName);
    bob.awaitState("closed");
    bob.page.context().close();
  }

  @Test
  @DisplayName("shows the server's error next to the box for an invalid message, which nobody receives")
  void invalidMessageIsRejected() {
    Dashboard alice = Dashboard.open(chromium.context(), app.url());
    Dashboard bob = Dashboard.open(chromium.browser().newContext(), app.url());
    String tooLong = "x".repeat(600);

    alice.type("Alice", tooLong);

    assertThat(alice.chatError()).isVisible();
    assertThat(alice.chatError()).hasText("text must be 1-500 characters, got 600");
    assertThat(alice.chatText()).hasValue(tooLong);
    // Messages from one sender arrive in order: once a later one is shown, the rejected one never will be.
    String marker = unique("after the rejected one");
    alice.send("Alice", marker);
    assertThat(bob.message(marker)).hasCount(1);
    assertThat(bob.message(tooLong)).hasCount(0);
    assertThat(alice.message(tooLong)).hasCount(0);
    assertThat(alice.chatError()).isHidden();
    bob.page.context().close();
  }

  @Test
  @DisplayName("shows markup in a message as literal text")
  void markupIsText() {
    Dashboard alice = Dashboard.open(chromium.context(), app.url());
    String text = unique("<b>x</b>");

    alice.send("<i>Alice</i>", text);

    assertThat(alice.message(text)).hasCount(1);
    assertThat(alice.message(text).locator("b")).hasCount(0);
    assertThat(alice.page.locator("#chat-log .msg-user").filter(
      new Locator.FilterOptions().setHasText(Dashboard.exactly("<i>Alice</i>"))).first()).isVisible();
    assertThat(alice.page.locator("#chat-log i")).hasCount(0);
  }

  @Test
  @DisplayName("shows the messages sent before it was opened, each once and in order")
  void showsHistory() {
    Dashboard alice = Dashboard.open(chromium.context(), app.url());
    String first = unique("first of two");
    String second = unique("second of two");
    alice.send("Alice", first);
    alice.send("Alice", second);

    Dashboard late = Dashboard.open(chromium.browser().newContext(), app.url());

    assertThat(late.message(first)).hasCount(1);
    assertThat(late.message(second)).hasCount(1);
    String texts = String.join("\n", late.messages().allTextContents());
    assertTrue(texts.indexOf(first) < texts.indexOf(second), "oldest first:\n" + texts);
    late.page.context().close();
  }

  @Test
  @DisplayName("fits a 375 px wide phone screen without horizontal scrolling")
  void fitsPhoneScreen() {
    BrowserContext phone = chromium.browser().newContext(new Browser.NewContextOptions()
      .setViewportSize(375, 812).setDeviceScaleFactor(2).setIsMobile(true).setHasTouch(true));
    Dashboard page = Dashboard.open(phone, app.url());
    // Long unbroken words are the usual way a layout overflows.
    page.send("Maximilian Alexander Fairweather", unique("https://example.org/" + "a-very-long-path".repeat(6)));
    page.seqValue();

    int scrollWidth = ((Number) page.page.evaluate("() => document.documentElement.scrollWidth")).intValue();
    Browsers.screenshot(page.page, "dashboard-phone");

    assertTrue(scrollWidth <= 375, "the page is " + scrollWidth + " px wide");
    phone.close();
  }

  /**
   * The picture of the page in the docs, made in every run: target/screenshots/docs-dashboard.png.
   * Only with {@code -Dscreenshot.docs=true} is it also written to docs/dashboard.png:
   * {@code mvn -B verify -Dscreenshot.docs=true -Dit.test='DashboardIT#docsScreenshot' -Dtest=None -Dsurefire.failIfNoSpecifiedTests=false}.
   */
  @Test
  @DisplayName("pictures the page with live data, jobs in three states, the metrics chart and a few chat lines, as docs/dashboard.png shows it")
  void docsScreenshot() throws Exception {
    boolean forDocs = Boolean.getBoolean("screenshot.docs");
    // For the docs the jobs run longer, so the chart has gathered more samples by the time the
    // third is a third of the way; in a test run shorter ones show the same things.
    long doneMs = forDocs ? 1500 : 500;
    long cancelledMs = forDocs ? 10_000 : 4000;
    long runningMs = forDocs ? 20_000 : 3000;
    // A fresh app: the picture shows its chat lines and jobs only, not those of the other tests.
    try (AppProcess fresh = Dashboard.startApp("docs-screenshot", AppProcess.freePort(), 200)) {
      BrowserContext docs = chromium.browser().newContext(new Browser.NewContextOptions().setViewportSize(1000, 800)
        .setColorScheme(ColorScheme.LIGHT));
      Dashboard ada = Dashboard.open(docs, fresh.url());
      Dashboard grace = Dashboard.open(chromium.browser().newContext(), fresh.url());
      ada.send("Ada", "Deploy is green. Ticker looks steady at 5 ticks a second.");
      grace.send("Grace", "Nice! Watching the metrics while the import job runs.");
      ada.send("Ada", "Cancelled the long one, it was only a test.");
      // Jobs, newest first in the card: one running, one cancelled, one done.
      String done = ada.startSleep(doneMs);
      assertThat(ada.job(done)).hasAttribute("data-state", "succeeded");
      HttpResponse<String> longOne = fresh.api("POST", "api/jobs", "{\"type\": \"sleep\", \"params\": {\"ms\": " + cancelledMs + "}}");
      String cancelled = new JsonObject(longOne.body()).getString("id");
      assertThat(ada.job(cancelled).locator("progress")).hasAttribute("value", Pattern.compile("^0\\.(1[2-9]|[2-9])"));
      ada.job(cancelled).locator(".job-cancel").click();
      assertThat(ada.job(cancelled)).hasAttribute("data-state", "cancelled");
      String running = ada.startSleep(runningMs);
      // A third of the way.
      assertThat(ada.job(running).locator("progress")).hasAttribute("value", Pattern.compile("^0\\.(3[4-9]|[4-9])"),
        new LocatorAssertions.HasAttributeOptions().setTimeout(runningMs + 10_000));
      assertThat(ada.job(running)).hasAttribute("data-state", "running");
      ada.awaitSamples(6);
      assertThat(ada.tickRate()).hasText(Pattern.compile("\\d.* /s"));
      ada.page.locator("#chat-text").blur();
      ada.page.locator("#job-start").blur();
      ada.page.mouse().move(0, 0);

      // The whole page: the jobs and chat cards end below any usual window.
      Path file = Browsers.screenshot(ada.page, "docs-dashboard");

      assertTrue(Files.size(file) < 300_000, file + " is " + Files.size(file) + " bytes");
      assertEquals(1000, ada.page.viewportSize().width);
      assertTrue(ada.problems.isEmpty(), () -> String.join("\n", ada.problems));
      if (forDocs) {
        Path docsFile = Path.of(System.getProperty("basedir", "."), "docs", "dashboard.png");
        Files.createDirectories(docsFile.getParent());
        Files.copy(file, docsFile, StandardCopyOption.REPLACE_EXISTING);
      }
      grace.page.context().close();
      docs.close();
    }
  }
}
