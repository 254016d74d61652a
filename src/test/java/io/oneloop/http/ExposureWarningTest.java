package io.oneloop.http;

import io.oneloop.support.LogCapture;
import io.oneloop.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.oneloop.support.TestApp.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The warning at start for a server bound beyond loopback with auth off. Tests bind 127.0.0.1
 * only, so the warning's text is checked where it is made, and its absence on a real start.
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

  @Test
  @DisplayName("an app started on 127.0.0.1 with auth off logs no exposure warning")
  void loopbackStartIsQuiet(Vertx vertx) throws Exception {
    try (LogCapture log = LogCapture.of(HttpVerticle.class)) {
      TestApp.start(vertx, config());
      assertEquals(0, log.containing("auth is off").size(), "no warning: " + log.lines());
    }
  }
}
