package io.oneloop.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.options.ColorScheme;
import io.oneloop.support.AppProcess;
import io.oneloop.testtasks.ReportJob;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jobs card, the metrics chart and the server's notices, against one running app whose config
 * adds the job type {@code report} (a test class, on the app's class path).
 */
@DisplayName("The dashboard's jobs, metrics and notices")
class JobsAndMetricsIT {

  private static final Pattern STRICTLY_BETWEEN_0_AND_1 = Pattern.compile("^0?\\.\\d*[1-9]\\d*(e-\\d+)?$");

  @RegisterExtension
  static final PlaywrightExtension chromium = new PlaywrightExtension(
    new Browser.NewContextOptions().setViewportSize(1280, 900).setColorScheme(ColorScheme.LIGHT));

  private static AppProcess app;

  @BeforeAll
  static void startApp() throws Exception {
    app = AppProcess.serve("jobs-and-metrics-it", Dashboard.appConfig(AppProcess.freePort(), 1000)
      .put("jobs", new JsonObject().put("types", new JsonObject().put("report", ReportJob.class.getName()))));
  }

  @AfterAll
  static void stopApp() {
    if (app != null) {
      app.close();
    }
  }

  private static void assertNoProblems(Dashboard page) {
    assertTrue(page.problems.isEmpty(), () -> String.join("\n", page.problems));
  }

  private static JsonObject startJob(String type, String params) {
    HttpResponse<String> response = app.api("POST", "api/jobs", "{\"type\": \"" + type + "\", \"params\": " + params + "}");
    assertEquals(202, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  @Test
  @DisplayName("shows a job started from the form with a progress bar that moves, then succeeded with the bar full")
  void jobProgressesToDone() {
    Dashboard page = Dashboard.open(chromium.context(), app.url());

    String id = page.startSleep(3000);

    Locator row = page.job(id);
    assertThat(row.locator(".job-type")).hasText("sleep");
    // The bar's value attribute strictly between 0 and 1 ("0.35"); setting the value sets it.
    assertThat(row.locator("progress")).hasAttribute("value", STRICTLY_BETWEEN_0_AND_1);
    double partway = page.progress(id);
    assertTrue(partway > 0 && partway < 1, "progress " + partway);
    assertThat(row).hasAttribute("data-state", "running");
    assertThat(row.locator(".job-cancel")).isVisible();

    assertThat(row).hasAttribute("data-state", "succeeded");
    assertEquals(1.0, page.progress(id));
    assertThat(row.locator(".badge")).hasText("succeeded");
    assertThat(row.locator(".job-percent")).hasText("100 %");
    assertThat(row.locator(".job-outcome")).hasText("{\"sleptMs\":3000}");
    assertThat(row.locator(".job-times")).containsText("succeeded after 3");
    assertThat(row.locator(".job-cancel")).isHidden();
    assertNoProblems(page);
  }

  @Test
  @DisplayName("cancels a running job from its Cancel button and shows it cancelled")
  void cancelsRunningJob() {
    Dashboard page = Dashboard.open(chromium.context(), app.url());
    String id = page.startSleep(60_000);
    Locator row = page.job(id);
    assertThat(row).hasAttribute("data-state", "running");

    row.locator(".job-cancel").click();

    assertThat(row).hasAttribute("data-state", "cancelled");
    assertThat(row.locator(".badge")).hasText("cancelled");
    assertThat(row.locator(".job-cancel")).isHidden();
    assertTrue(page.progress(id) < 1, "a cancelled job's bar is not full");
    assertEquals("cancelled", new JsonObject(app.api("GET", "api/jobs/" + id, null).body()).getString("state"));
    assertNoProblems(page);
  }

  @Test
  @DisplayName("shows the server's error next to the form for a bad job request, and starts nothing")
  void badRequestShowsServerError() {
    Dashboard page = Dashboard.open(chromium.context(), app.url());
    HttpResponse<String> direct = app.api("POST", "api/jobs", "{\"type\": \"sleep\", \"params\": {\"ms\": -5}}");
    assertEquals(400, direct.statusCode());
    String expected = new JsonObject(direct.body()).getString("error");
    // The jobs the server has, as the page lists them once its list has loaded.
    int jobsBefore = new JsonArray(app.api("GET", "api/jobs?limit=20", null).body()).size();
    assertThat(page.jobRows()).hasCount(jobsBefore);

    page.submitSleep("-5");

    assertThat(page.jobError()).isVisible();
    assertThat(page.jobError()).hasText(expected);
    assertThat(page.page.locator("#job-ms")).hasAttribute("aria-invalid", "true");
    assertThat(page.page.locator("#job-started")).isHidden();
    assertThat(page.jobRows()).hasCount(jobsBefore);
    assertEquals(jobsBefore, new JsonArray(app.api("GET", "api/jobs?limit=20", null).body()).size());
    // Typing again clears the error.
    page.page.locator("#job-ms").fill("10");
    assertThat(page.jobError()).isHidden();
    // The browser reports the refused request itself; nothing else may go wrong.
    List<String> others = new ArrayList<>(page.problems);
    others.removeIf(p -> p.matches("(?s)(HTTP 400 for .*/api/jobs|console error: Failed to load resource: .*400.*)"));
    assertTrue(others.isEmpty(), () -> String.join("\n", others));
  }

  @Test
  @DisplayName("offers the job types of the server's config and runs one with its params as JSON, showing the server's error for bad params")
  void runsConfiguredType() {
    Dashboard page = Dashboard.open(chromium.context(), app.url());
    Locator type = page.page.locator("#job-type");
    Locator params = page.page.locator("#job-json");

    // The built-ins with forms of their own, then the config's types as GET /api/job-types lists them.
    assertThat(type.locator("option")).hasText(new String[] {"sleep", "broadcast", "report"});
    assertThat(type.locator("optgroup option")).hasText(new String[] {"report"});
    assertThat(type.locator("optgroup")).hasAttribute("label", "From the config");
    type.selectOption("report");
    assertThat(params).isVisible();
    assertThat(params).hasValue("{}");
    assertThat(page.page.locator("#job-ms")).isHidden();
    assertThat(page.page.locator("#job-address")).isHidden();
    assertThat(page.page.locator("#job-hint")).containsText("jobs.types");

    page.page.locator("#job-start").click();
    assertThat(page.jobError()).hasText("params.rows must be an integer");
    assertThat(params).hasAttribute("aria-invalid", "true");

    params.fill("{\"rows\": 3}");
    assertThat(page.jobError()).isHidden();
    page.page.locator("#job-start").click();
    Locator started = page.page.locator("#job-started");
    assertThat(started).hasText(Pattern.compile("^Started report job "));
    String id = started.getAttribute("data-job-id");
    Locator row = page.job(id);
    assertThat(row).hasAttribute("data-state", "succeeded");
    assertThat(row.locator(".job-type")).hasText("report");
    assertThat(row.locator(".job-outcome")).hasText("{\"rows\":3}");
    Browsers.screenshot(page.page, "jobs-configured-type");
    assertEquals("succeeded", new JsonObject(app.api("GET", "api/jobs/" + id, null).body()).getString("state"));
    // The browser reports the refused request itself; nothing else may go wrong.
    List<String> others = new ArrayList<>(page.problems);
    others.removeIf(p -> p.matches("(?s)(HTTP 400 for .*/api/jobs|console error: Failed to load resource: .*400.*)"));
    assertTrue(others.isEmpty(), () -> String.join("\n", others));
  }

  @Test
  @DisplayName("keeps the 20 newest jobs, newest first, live and after a reload")
  void listIsBounded() {
    Dashboard page = Dashboard.open(chromium.context(), app.url());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      ids.add(startJob("sleep", "{\"ms\": 0}").getString("id"));
    }
    String newest = ids.get(ids.size() - 1);

    assertThat(page.job(newest)).hasAttribute("data-state", "succeeded");
    assertThat(page.jobRows()).hasCount(20);
    assertThat(page.jobRows().first()).hasAttribute("data-id", newest);

    page.page.reload();
    page.awaitState("connected");
    assertThat(page.jobRows()).hasCount(20);
    assertThat(page.jobRows().first()).hasAttribute("data-id", newest);
    assertThat(page.job(ids.get(0))).hasCount(0);
    assertNoProblems(page);
  }

  @Test
  @DisplayName("draws heap and CPU on the metrics chart and shows the other figures")
  void metricsChartDraws() {
    Dashboard page = Dashboard.open(chromium.context(), app.url());

    page.awaitSamples(2);

    Locator canvas = page.chart().locator("canvas");
    assertThat(canvas).hasCount(1);
    var box = canvas.boundingBox();
    assertTrue(box.width > 200 && box.height > 100, "canvas " + box.width + " x " + box.height);
    // Pixels in the heap line's colour: the series is drawn, not only the axes.
    Number heapPixels = (Number) canvas.evaluate("""
      c => {
        const probe = document.createElement('canvas').getContext('2d');
        probe.fillStyle = getComputedStyle(document.documentElement).getPropertyValue('--chart-heap').trim();
        probe.fillRect(0, 0, 1, 1);
        const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (Math.abs(data[i] - r) < 24 && Math.abs(data[i + 1] - g) < 24 && Math.abs(data[i + 2] - b) < 24 && data[i + 3] > 200) n++;
        }
        return n;
      }""");
    assertTrue(heapPixels.intValue() > 20, heapPixels + " pixels of the heap line");
    assertThat(page.page.locator("#metric-heap")).hasText(Pattern.compile("^[\\d.,]+ [KMG]iB$"));
    assertThat(page.page.locator("#metric-cpu")).hasText(Pattern.compile("^[\\d.,]+ %$"));
    assertThat(page.page.locator("#metric-threads")).hasText(Pattern.compile("^\\d+$"));
    assertThat(page.page.locator("#metric-sockets")).hasText(Pattern.compile("^[1-9]\\d*$"));
    assertThat(page.page.locator("#metric-delay")).hasText(Pattern.compile("^[\\d.,]+ ms$"));
    assertThat(page.page.locator("#metric-uptime")).hasText(Pattern.compile("\\d+ (ms|s|min|h|d)"));
    Browsers.screenshot(page.page, "metrics-desktop");
    assertNoProblems(page);
  }

  @Test
  @DisplayName("shows a notice broadcast on oneloop.server as an info banner, as text, until dismissed")
  void showsNotice() {
    Dashboard page = Dashboard.open(chromium.context(), app.url());
    String text = "Maintenance at 18:00 <b>not bold</b>";

    startJob("broadcast", new JsonObject().put("address", "oneloop.server")
      .put("body", new JsonObject(Map.of("event", "notice", "text", text))).encode());

    assertThat(page.notices()).hasCount(1);
    assertThat(page.notices().locator(".notice-text")).hasText(text);
    assertThat(page.notices().locator("b")).hasCount(0);
    assertThat(page.banner()).isHidden();
    Browsers.screenshot(page.page, "notice");

    page.notices().locator(".banner-close").click();
    assertThat(page.notices()).hasCount(0);
    assertNoProblems(page);
  }

  @Test
  @DisplayName("fits jobs, a long error and the chart on a 375 px wide phone screen")
  void fitsPhoneScreen() {
    BrowserContext phone = chromium.browser().newContext(new Browser.NewContextOptions()
      .setViewportSize(375, 812).setDeviceScaleFactor(2).setIsMobile(true).setHasTouch(true));
    Dashboard page = Dashboard.open(phone, app.url());
    String id = page.startSleep(1500);
    assertThat(page.job(id)).hasAttribute("data-state", "succeeded");
    page.page.locator("#job-type").selectOption("broadcast");
    page.page.locator("#job-address").fill("oneloop.not.permitted." + "very-long-address-".repeat(4));
    page.page.locator("#job-start").click();
    assertThat(page.jobError()).containsText("is not permitted outbound");
    page.awaitSamples(2);

    int scrollWidth = ((Number) page.page.evaluate("() => document.documentElement.scrollWidth")).intValue();
    Browsers.screenshot(page.page, "jobs-phone");

    assertTrue(scrollWidth <= 375, "the page is " + scrollWidth + " px wide");
    var canvas = page.chart().locator("canvas").boundingBox();
    assertTrue(canvas.x >= 0 && canvas.x + canvas.width <= 375, "the chart spans " + canvas.x + " to " + (canvas.x + canvas.width));
    phone.close();
  }
}
