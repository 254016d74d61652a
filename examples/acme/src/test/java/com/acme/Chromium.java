package com.acme;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Debian's Chromium (apt-get install -y chromium), headless; Playwright downloads no browser. */
final class Chromium {

  private static final Path EXECUTABLE = Path.of(System.getProperty("chromium.path", "/usr/bin/chromium"));

  private Chromium() {
  }

  static Playwright playwright() {
    return Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
  }

  static Browser launch(Playwright playwright) {
    return playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(EXECUTABLE).setHeadless(true)
      .setArgs(List.of("--no-sandbox", "--disable-gpu")));
  }
}
