package com.acme;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions;
import io.oneloop.testkit.OneloopExtension;
import io.oneloop.testkit.OneloopExtension.Response;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The page in Chromium: it shows what the status task publishes, and the notices a backend publishes. */
class AcmePageTest {

  private static final HasTextOptions WAIT = new HasTextOptions().setTimeout(20_000);

  @RegisterExtension
  static OneloopExtension oneloop = OneloopExtension.builder().configFile("conf/config.json").build();

  @Test
  void pageShowsTheStatusTasksDataAndPublishedNotices() throws Exception {
    try (Playwright playwright = Chromium.playwright(); Browser browser = Chromium.launch(playwright)) {
      Page page = browser.newPage();
      page.navigate(oneloop.baseUrl() + "/acme/");
      assertThat(page.locator("#state")).hasText("connected", WAIT);
      // The heap as the task measured it, e.g. "12.3 MiB of 256 MiB".
      assertThat(page.locator("#heap")).hasText(Pattern.compile("^\\d+\\.\\d MiB of \\d+ MiB$"), WAIT);
      assertThat(page.locator("#seq")).hasText(Pattern.compile("^\\d+$"));

      // The page registers acme.notices before acme.status, so with a status shown it receives notices.
      Response published = oneloop.request(HttpMethod.POST, "/api/publish", new JsonObject().put("address", "acme.notices")
        .put("body", new JsonObject().put("text", "<b>deploy</b> at 17:00")).toBuffer());
      assertEquals(200, published.status(), published.body());
      // Shown as text, never as markup.
      assertThat(page.locator("#notices li").first()).hasText("<b>deploy</b> at 17:00", WAIT);
    }
  }
}
