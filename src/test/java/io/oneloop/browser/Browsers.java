package io.oneloop.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

/** The system's headless Chromium driven by Playwright; one per test class, as a launch costs seconds. */
public final class Browsers {

  static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
  private static final Path CHROMIUM = Paths.get(System.getProperty("chromium.path", "/usr/bin/chromium"));

  private Browsers() {
  }

  public static Playwright playwright() {
    if (!Files.isExecutable(CHROMIUM)) {
      throw new IllegalStateException(CHROMIUM + " is missing: the browser tests need Debian's chromium (apt-get install -y chromium)");
    }
    // Generous for a 2-core machine running the app, the browser and the build at once.
    PlaywrightAssertions.setDefaultAssertionTimeout(10_000);
    return Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
  }

  public static Browser chromium(Playwright playwright) {
    return playwright.chromium().launch(new BrowserType.LaunchOptions()
      .setExecutablePath(CHROMIUM)
      .setHeadless(true)
      .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run")));
  }

  /** Saves a screenshot of the whole page under target/screenshots/. */
  public static Path screenshot(Page page, String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path file = SCREENSHOTS.resolve(name + ".png");
    // From the top, or the sticky top bar lands mid-picture in a full-page shot.
    page.evaluate("() => window.scrollTo(0, 0)");
    page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
    return file;
  }
}
