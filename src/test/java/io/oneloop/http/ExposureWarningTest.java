package io.oneloop.http;

import io.oneloop.config.HttpConfig;
import io.oneloop.support.LogCapture;
import io.oneloop.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.oneloop.support.TestApp.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The warning at start for a server bound beyond loopback with auth off. Tests bind 127.0.0.1
 * only, so the warning's text and which hosts count as loopback are checked where they are made,
 * and its absence on a real start.
 */
@ExtendWith(VertxExtension.class)
class ExposureWarningTest {

  @Test
  @DisplayName("bound beyond loopback with auth off, the start warning names the address, the port and everything open to the network")
  void namesWhatIsOpen() {
    assertEquals("http.host is 0.0.0.0 and auth is off: anyone who can reach this machine on port 8080 can start and cancel jobs"
        + " (/api/jobs), chat under any name and read every bridge feed (/eventbus), and read /metrics; set auth.tokens or auth.jwt"
        + " (see \"Running it on a network\" in the README), or bind 127.0.0.1",
      HttpVerticle.exposureWarning(false, false, "0.0.0.0", 8080));
  }

  @Test
  @DisplayName("with auth on, or bound to loopback, there is no such warning")
  void noWarning() {
    assertNull(HttpVerticle.exposureWarning(false, true, "0.0.0.0", 8080));
    assertNull(HttpVerticle.exposureWarning(true, false, "127.0.0.1", 8080));
  }

  @ParameterizedTest(name = "http.host {0}")
  @ValueSource(strings = {"localhost", "LocalHost", "127.0.0.1", "127.1.2.3", "127.255.255.254", "::1", "[::1]",
    "0:0:0:0:0:0:0:1", "[0:0:0:0:0:0:0:1]", "::ffff:127.0.0.1"})
  @DisplayName("a loopback address in any spelling, or localhost, is loopback only: no warning with auth off")
  void loopbackSpellings(String host) {
    HttpConfig http = new HttpConfig(host, 8080, 1);
    assertTrue(http.loopbackOnly(), host + " is loopback");
    assertNull(HttpVerticle.exposureWarning(http.loopbackOnly(), false, host, 8080));
  }

  @ParameterizedTest(name = "http.host {0}")
  @ValueSource(strings = {"0.0.0.0", "::", "[::]", "192.168.1.10", "10.0.0.1", "128.0.0.1", "::2", "::ffff:10.0.0.1",
    "127.example.com", "127.0.0.1.nip.io", "localhost.example.com", "example.com"})
  @DisplayName("any other address, and any host name but localhost (not looked up), is open to the network: the warning comes")
  void openHosts(String host) {
    HttpConfig http = new HttpConfig(host, 8080, 1);
    assertFalse(http.loopbackOnly(), host + " is not loopback only");
    assertNotNull(HttpVerticle.exposureWarning(http.loopbackOnly(), false, host, 8080));
  }

  @Test
  @DisplayName("an app started on 127.0.0.1 with auth off logs no exposure warning")
  void loopbackStartIsQuiet(Vertx vertx) throws Exception {
    try (LogCapture log = LogCapture.of(HttpVerticle.class)) {
      TestApp.start(vertx, config());
      assertEquals(0, log.containing("auth is off").size(), "no warning: " + log.lines());
    }
  }
}
