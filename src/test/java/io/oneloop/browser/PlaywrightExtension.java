package io.oneloop.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Playwright;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The browser of a test class: one headless Chromium for the class, as a launch costs seconds, and
 * a fresh context (cookies, storage, viewport) for each test, closed after it. Register it on a
 * static field with {@code @RegisterExtension}.
 */
final class PlaywrightExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  private final Browser.NewContextOptions contextOptions;
  private Playwright playwright;
  private Browser browser;
  private BrowserContext context;

  /** @param contextOptions what each test's context is opened with, e.g. its viewport */
  PlaywrightExtension(Browser.NewContextOptions contextOptions) {
    this.contextOptions = contextOptions;
  }

  /** The class's browser, for tests that open more contexts (a second user, a phone). */
  Browser browser() {
    return browser;
  }

  /** This test's context. */
  BrowserContext context() {
    return context;
  }

  @Override
  public void beforeAll(ExtensionContext extension) {
    playwright = Browsers.playwright();
    browser = Browsers.chromium(playwright);
  }

  @Override
  public void beforeEach(ExtensionContext extension) {
    context = browser.newContext(contextOptions);
  }

  @Override
  public void afterEach(ExtensionContext extension) {
    if (context != null) {
      context.close();
      context = null;
    }
  }

  @Override
  public void afterAll(ExtensionContext extension) {
    // Closing Playwright closes the browser and every context still open.
    if (playwright != null) {
      playwright.close();
      playwright = null;
    }
  }
}
