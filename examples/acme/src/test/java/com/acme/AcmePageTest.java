package com.acme;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import io.oneloop.testkit.OneloopExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

/** The page in Chromium: it shows what the status task publishes. */
class AcmePageTest {

  /** Debian's Chromium (apt-get install -y chromium); Playwright downloads no browser. */
  private static final Path CHROMIUM = Path.of(System.getProperty("chromium.path", "/usr/bin/chromium"));

  @RegisterExtension
  static OneloopExtension oneloop = OneloopExtension.builder().configFile("conf/config.json").build();

  @Test
  void pageShowsTheStatusTasksData() {
    try (Playwright playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
         Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(CHROMIUM).setHeadless(true)
           .setArgs(List.of("--no-sandbox", "--disable-gpu")))) {
      Page page = browser.newPage();
      page.navigate(oneloop.baseUrl() + "/acme/");
      assertThat(page.locator("#state")).hasText("connected", new com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions().setTimeout(20_000));
      // The heap as the task measured it, e.g. "12.3 MiB of 256 MiB".
      assertThat(page.locator("#heap")).hasText(Pattern.compile("^\\d+\\.\\d MiB of \\d+ MiB$"),
        new com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions().setTimeout(20_000));
      assertThat(page.locator("#seq")).hasText(Pattern.compile("^\\d+$"));
    }
  }
}
