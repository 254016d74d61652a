package io.oneloop.http;

import io.oneloop.support.LogCapture;
import io.oneloop.support.RawHttp;
import io.oneloop.support.TickingApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A client that cuts its upload short is no error of the server's: the log stays quiet. */
class AbortedUploadTest {

  private static final int ABORTS = 50;
  /** Where such failures end up, at debug: the test's sign that the server has seen every one. */
  private static final String ERROR_ANSWERS = "io.oneloop.http.ErrorAnswers";

  @RegisterExtension
  final TickingApp app = TickingApp.withDefaults();

  @Test
  @DisplayName("uploads cut short (a SockJS xhr_send, a job) log no ERROR line")
  void abortedUploadsAreQuiet() throws Exception {
    try (LogCapture all = LogCapture.everything(); LogCapture dropped = LogCapture.debug(ERROR_ANSWERS)) {
      for (int i = 0; i < ABORTS; i++) {
        try (RawHttp raw = RawHttp.connect(app.port())) {
          raw.send("POST /eventbus/000/abc" + i + "/xhr_send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n0123456789");
        }
        try (RawHttp raw = RawHttp.connect(app.port())) {
          raw.send("POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"type\":\"s");
        }
      }
      // Each cut is a failure, handled once: either dropped quietly or logged as an error.
      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
        .until(() -> !all.errors().isEmpty() || dropped.containing("closed connection").size() >= 2 * ABORTS);
      assertEquals(List.of(), all.errors());
    }
  }
}
