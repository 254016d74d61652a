package io.oneloop.browser;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import io.oneloop.support.AppProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

/** The dashboard page as a test sees it, with every console error and failed request it met. */
final class Dashboard {

  private static final Pattern NUMBER = Pattern.compile("^\\d+$");

  final Page page;
  final List<String> problems = new ArrayList<>();

  private Dashboard(Page page) {
    this.page = page;
    page.onConsoleMessage(message -> {
      if ("error".equals(message.type())) {
        problems.add("console error: " + message.text() + " at " + message.location());
      }
    });
    page.onPageError(error -> problems.add("uncaught: " + error));
    page.onRequestFailed(request -> problems.add("request failed: " + request.method() + " " + request.url()
      + " (" + request.failure() + ")"));
    page.onResponse(response -> {
      if (response.status() >= 400) {
        problems.add("HTTP " + response.status() + " for " + response.url());
      }
    });
  }

  /**
   * The config of the app the browser tests run against: 127.0.0.1:{@code port}, a ticker ticking
   * every {@code tickMs}, the metrics task sampling twice a second, a short shutdown budget; jobs
   * and the bridge have their defaults.
   */
  static JsonObject appConfig(int port, int tickMs) {
    return new JsonObject()
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", port))
      .put("shutdownTimeoutMs", 5000)
      .put("tasks", new JsonArray()
        .add(new JsonObject().put("name", "ticker").put("type", "ticker").put("config", new JsonObject().put("intervalMs", tickMs)))
        .add(new JsonObject().put("name", "metrics").put("type", "metrics").put("config", new JsonObject().put("intervalMs", 500))));
  }

  /** Starts the app of {@link #appConfig} and waits until it is healthy; its log is target/it-logs/{@code name}.log. */
  static AppProcess startApp(String name, int port, int tickMs) throws IOException {
    return AppProcess.serve(name, appConfig(port, tickMs));
  }

  /** Opens the page in a new tab of {@code context} and waits until it is connected. */
  static Dashboard open(BrowserContext context, String url) {
    Dashboard dashboard = new Dashboard(context.newPage());
    dashboard.page.navigate(url);
    dashboard.awaitState("connected");
    return dashboard;
  }

  Locator connection() {
    return page.locator("#connection");
  }

  void awaitState(String state) {
    assertThat(connection()).hasAttribute("data-state", state);
  }

  Locator seq() {
    return page.locator("#tick-seq");
  }

  /** The last seq shown, once one is. */
  long seqValue() {
    assertThat(seq()).hasText(NUMBER);
    return Long.parseLong(seq().textContent().trim());
  }

  Locator tickRate() {
    return page.locator("#tick-rate");
  }

  Locator task(String name) {
    return page.locator("#task-list .task[data-name=\"" + name + "\"]");
  }

  Locator banner() {
    return page.locator("#shutdown-banner");
  }

  Locator chatText() {
    return page.locator("#chat-text");
  }

  Locator chatError() {
    return page.locator("#chat-error");
  }

  /** The text elements of the shown chat messages, oldest first. */
  Locator messages() {
    return page.locator("#chat-log .msg-text");
  }

  /** The shown messages whose text is exactly {@code text}. */
  Locator message(String text) {
    return messages().filter(new Locator.FilterOptions().setHasText(exactly(text)));
  }

  /**
   * A pattern matching exactly {@code text}. Playwright runs patterns as JavaScript regular
   * expressions, which know no {@code \Q...\E}, so each special character is escaped instead.
   */
  static Pattern exactly(String text) {
    return Pattern.compile("^" + text.replaceAll("[\\\\^$.|?*+()\\[\\]{}/-]", "\\\\$0") + "$");
  }

  Locator jobRows() {
    return page.locator("#job-list .job");
  }

  Locator job(String id) {
    return page.locator("#job-list .job[data-id=\"" + id + "\"]");
  }

  Locator jobError() {
    return page.locator("#job-error");
  }

  /** Fills the jobs form for a sleep job of {@code ms} (any text) and presses Start; returns without waiting. */
  void submitSleep(String ms) {
    page.locator("#job-type").selectOption("sleep");
    page.locator("#job-ms").fill(ms);
    page.locator("#job-start").click();
  }

  /** Starts a sleep job from the form and returns its id, once the page says it started. */
  String startSleep(long ms) {
    // No page.waitForFunction here: it evaluates strings in the page, which the page's policy forbids.
    Locator started = page.locator("#job-started");
    String before = started.getAttribute("data-job-id");
    submitSleep(Long.toString(ms));
    if (before == null) {
      assertThat(started).hasAttribute("data-job-id", Pattern.compile("."));
    } else {
      assertThat(started).not().hasAttribute("data-job-id", before);
    }
    assertThat(started).isVisible();
    return started.getAttribute("data-job-id");
  }

  /** Waits until the metrics chart has plotted at least {@code n} (2-9) samples. */
  void awaitSamples(int n) {
    assertThat(chart()).hasAttribute("data-samples", Pattern.compile("^([" + n + "-9]|[1-9]\\d+)$"));
  }

  /** The value of the job's progress bar, 0 to 1. */
  double progress(String id) {
    return ((Number) job(id).locator("progress").evaluate("p => p.value")).doubleValue();
  }

  Locator notices() {
    return page.locator("#notices .notice");
  }

  Locator chart() {
    return page.locator("#metrics-chart");
  }

  /** Types a message as {@code user} and sends it; returns without waiting for the server's answer. */
  void type(String user, String text) {
    page.locator("#chat-user").fill(user);
    chatText().fill(text);
    page.locator("#chat-send").click();
  }

  /** Sends a message the server accepts: the box is emptied once it replies. */
  void send(String user, String text) {
    type(user, text);
    assertThat(chatText()).hasValue("");
  }
}
