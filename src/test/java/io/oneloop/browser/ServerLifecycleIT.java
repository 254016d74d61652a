package io.oneloop.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.assertions.LocatorAssertions;
import io.oneloop.support.AppProcess;
import io.oneloop.testtasks.ReportJob;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The page while the server goes away and comes back: each test runs its own app processes. */
@DisplayName("The dashboard page while the server stops and starts")
class ServerLifecycleIT {

  @RegisterExtension
  static final PlaywrightExtension chromium = new PlaywrightExtension(new Browser.NewContextOptions().setViewportSize(1280, 860));

  private final List<AppProcess> apps = new ArrayList<>();

  @AfterEach
  void stopApps() {
    apps.forEach(AppProcess::close);
  }

  private AppProcess start(String name, int port, int tickMs) throws Exception {
    AppProcess app = Dashboard.startApp(name, port, tickMs);
    apps.add(app);
    return app;
  }

  @Test
  @DisplayName("shows reconnecting while the app is down, then live ticks, jobs, job types and metrics from the restarted app and the connected state")
  void reconnectsAfterRestart() throws Exception {
    int port = AppProcess.freePort();
    AppProcess first = start("lifecycle-first", port, 100);
    Dashboard page = Dashboard.open(chromium.context(), first.url());
    String oldJob = new JsonObject(first.api("POST", "api/jobs", "{\"type\": \"sleep\", \"params\": {\"ms\": 60000}}").body())
      .getString("id");
    assertThat(page.job(oldJob)).hasAttribute("data-state", "running");
    page.awaitSamples(2);
    assertThat(page.page.locator("#job-type option")).hasText(new String[] {"sleep", "broadcast"});
    // Let the first process count well past what the second one reaches before the page is back.
    assertThat(page.seq()).hasText(Pattern.compile("^([3-9]\\d|\\d{3,})$"));

    first.signal("TERM");
    first.awaitExit();
    page.awaitState("reconnecting");
    assertThat(page.connection()).containsText("Reconnecting");
    Browsers.screenshot(page.page, "reconnecting");
    String samplesWhileDown = page.chart().getAttribute("data-samples");

    // The restarted app's config adds a job type.
    apps.add(AppProcess.serve("lifecycle-restarted", Dashboard.appConfig(port, 500)
      .put("jobs", new JsonObject().put("types", new JsonObject().put("report", ReportJob.class.getName())))));
    assertThat(page.connection()).hasAttribute("data-state", "connected",
      new LocatorAssertions.HasAttributeOptions().setTimeout(20_000));
    // Ticks from the new process: its seq started again from 1.
    assertThat(page.seq()).hasText(Pattern.compile("^([1-9]|[12]\\d)$"));
    long restarted = page.seqValue();
    assertThat(page.seq()).not().hasText(String.valueOf(restarted));
    assertTrue(page.seqValue() > restarted);
    assertThat(page.connection()).containsText("Connected");
    assertThat(page.banner()).isHidden();
    // The job list is the new process's (which has none); the chart goes on with its samples.
    assertThat(page.jobRows()).hasCount(0);
    assertThat(page.page.locator("#job-type option")).hasText(new String[] {"sleep", "broadcast", "report"});
    assertThat(page.chart()).not().hasAttribute("data-samples", samplesWhileDown);
  }

  @Test
  @DisplayName("shows the shutdown banner when the app gets SIGTERM")
  void showsShutdownBanner() throws Exception {
    AppProcess app = start("lifecycle-banner", AppProcess.freePort(), 200);
    Dashboard page = Dashboard.open(chromium.context(), app.url());
    assertThat(page.banner()).isHidden();
    // "Connected" means the page has sent its subscriptions, not that the server has them yet. The
    // page subscribes to oneloop.server before the ticks, on one socket the server reads in order:
    // once a tick is shown, the server would deliver the notice.
    page.seqValue();

    app.signal("TERM");

    assertThat(page.banner()).isVisible();
    assertThat(page.banner()).containsText("The server is shutting down.");
    Browsers.screenshot(page.page, "shutdown-banner");
    app.awaitExit();
  }
}
