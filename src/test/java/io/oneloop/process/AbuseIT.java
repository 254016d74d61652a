package io.oneloop.process;

import io.oneloop.process.AbuseSuite.ClassResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The abuse suite against the running jar ({@code -Xmx256m}, exiting on an OutOfMemoryError), one
 * test per class of attack, so a failure names the class. After each class: the process is up, no
 * 5xx but 503, the heap after a full GC within 10 % of before, {@code /metrics} within twice its
 * size, under 100 KB/s of log, no tick gap over twice the interval, RSS back within a margin.
 * {@code -Dabuse.scale=short|medium|long} sizes it (short here, about 2 minutes; {@code bash bench/run --abuse}
 * runs it long); the figures go to {@code target/abuse-results/abuse-<scale>.json} and, with
 * {@code -Dabuse.out=<file>}, to that file too.
 */
@DisplayName("Abuse against the running server")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AbuseIT {

  private static AbuseSuite suite;

  @BeforeAll
  static void start() {
    suite = new AbuseSuite(AbuseSuite.Scale.fromProperty());
    System.out.println("AbuseIT scale " + suite.scale + " (-Dabuse.scale=short|medium|long)");
  }

  @AfterAll
  static void stop() throws Exception {
    if (suite == null) {
      return;
    }
    try {
      String name = "abuse-" + suite.scale.name().toLowerCase(java.util.Locale.ROOT) + ".json";
      suite.writeResults(Path.of("target", "abuse-results", name));
      String out = System.getProperty("abuse.out", "");
      if (!out.isBlank()) {
        suite.writeResults(Path.of(out));
      }
      System.out.println("AbuseIT results:\n" + suite.markdown());
    } finally {
      suite.close();
    }
  }

  private static void holds(ClassResult result) {
    assertEquals(List.of(), result.violations(), () -> "the invariants of \"" + result.name() + "\":\n" + result.summary());
  }

  @Test
  @Order(1)
  @DisplayName("A client that floods pings and never reads is reset, on the raw and the SockJS WebSocket path, and the server stays up")
  void pingFlood() throws Exception {
    long millis = suite.n(3000);
    holds(suite.run("ping flood (raw + SockJS WS)", suite.open, 0, null, (stats, warmUp) -> {
      if (!warmUp) {
        suite.pingFlood(stats, suite.open, "/eventbus/websocket", millis);
        suite.ensureRunning(suite.open);
        suite.pingFlood(stats, suite.open, "/eventbus/000/abcdefgh/websocket", millis);
      }
    }));
  }

  @Test
  @Order(2)
  @DisplayName("A SockJS WebSocket refused for lack of a token that floods pings and never reads is reset, and the server stays up")
  void pingFloodWithoutToken() throws Exception {
    long millis = suite.n(3000);
    try {
      holds(suite.run("ping flood, SockJS WS without a token (auth on)", suite.authed, 0, null, (stats, warmUp) -> {
        if (!warmUp) {
          suite.pingFlood(stats, suite.authed, "/eventbus/000/abcdefgh/websocket", millis);
        }
      }));
    } finally {
      // Only this class needs the second process.
      if (suite.authed.ticks != null) {
        suite.authed.ticks.close();
        suite.authed.ticks = null;
      }
      if (suite.authed.app != null) {
        suite.authed.app.close();
        suite.authed.app = null;
      }
    }
  }

  @Test
  @Order(3)
  @DisplayName("An empty first fragment, an empty continuation, then one-byte text frames do not flood the log")
  void emptyFragment() throws Exception {
    int frames = suite.n(2000);
    holds(suite.run("empty fragment, then one-byte frames", suite.open, 0, null, (stats, warmUp) -> {
      int count = warmUp ? 50 : frames;
      suite.emptyFragment(stats, suite.open, "raw", "/eventbus/websocket", count);
      suite.emptyFragment(stats, suite.open, "SockJS", "/eventbus/000/fragment/websocket", count);
    }));
  }

  @Test
  @Order(4)
  @DisplayName("A fragmented message over 300 KB and a single frame over 140 KB are closed with 1009, on the raw and the SockJS path")
  void oversize() throws Exception {
    int rounds = suite.n(1);
    holds(suite.run("oversize messages (1009)", suite.open, 0, null, (stats, warmUp) -> {
      if (warmUp) {
        suite.oversize(suite.open, false, false, 150_000);
        return;
      }
      List<String> wrong = new ArrayList<>();
      for (int i = 0; i < rounds; i++) {
        for (boolean sockJs : new boolean[] {false, true}) {
          for (boolean fragmented : new boolean[] {true, false}) {
            String what = (sockJs ? "SockJS" : "raw") + (fragmented ? ", 320 KB in 32 KiB fragments" : ", one 150 KB frame");
            String outcome = suite.oversize(suite.open, sockJs, fragmented, fragmented ? 320_000 : 150_000);
            stats.inputs.incrementAndGet();
            stats.details.putIfAbsent(what, outcome);
            if (!outcome.contains("1009")) {
              wrong.add(what + ": " + outcome);
            }
          }
        }
      }
      if (!wrong.isEmpty()) {
        stats.violations.add(wrong.size() + " oversize inputs not closed with 1009, e.g. " + wrong.subList(0, Math.min(4, wrong.size())));
      }
    }));
  }

  @Test
  @Order(5)
  @DisplayName("Requests with invented methods and odd headers leave /metrics, the heap and the log as they were")
  void inventedMethods() throws Exception {
    int count = suite.n(1500);
    holds(suite.run("invented methods and odd headers", suite.open, 0, null, (stats, warmUp) ->
      suite.inventedMethods(stats, suite.open, warmUp ? 50 : count, warmUp ? 1800 : 1801)));
  }

  @Test
  @Order(6)
  @DisplayName("Trickled headers and bodies are cut within twice http.requestTimeoutMs, an Upgrade header or not")
  void trickles() throws Exception {
    int perKind = suite.n(4);
    holds(suite.run("trickled headers and bodies", suite.open, 0, null, (stats, warmUp) -> {
      if (!warmUp) {
        suite.trickles(stats, suite.open, perKind);
      }
    }));
  }

  @Test
  @Order(7)
  @DisplayName("Raw and SockJS bridge sockets opened and closed in quick succession leave nothing behind")
  void reconnectChurn() throws Exception {
    int perPath = suite.n(250);
    holds(suite.run("reconnect churn (raw + SockJS WS)", suite.open, 0, null, (stats, warmUp) ->
      suite.churn(stats, suite.open, warmUp ? 20 : perPath)));
  }

  @Test
  @Order(7)
  @DisplayName("10,000 presence registrations stay within both presence bounds, and every entry leaves through churn")
  void presenceRegistrations() throws Exception {
    int registrations = suite.n(10_000);
    holds(suite.run("presence registrations and churn", suite.open, 0, null, (stats, warmUp) ->
      suite.presence(stats, suite.open, warmUp ? 200 : registrations)));
  }

  @Test
  @Order(8)
  @DisplayName("Clients filling a regex history with many addresses and large bodies do not run the heap out")
  void historyGrowth() throws Exception {
    int addresses = Math.min(1000, suite.n(400));
    long publishMs = suite.n(10_000);
    // The heap is weighed once the regex history's ttlMs has passed: until then what it kept stays, by design.
    holds(suite.run("regex history growth", suite.open, AbuseSuite.HISTORY_TTL_MS + 2000, null, (stats, warmUp) -> {
      if (warmUp) {
        // Small bodies on other addresses: the code paths are loaded, and what they keep weighs next to nothing.
        suite.history(stats, suite.open, "acme.w.", 2, 500, 1000);
      } else {
        suite.history(stats, suite.open, "acme.h.", addresses, publishMs, 60_000);
      }
    }));
  }

  @Test
  @Order(9)
  @DisplayName("Clients that never read are closed on every transport (raw WS, SockJS WS, xhr_streaming, eventsource)")
  void slowReaders() throws Exception {
    int perTransport = suite.n(3);
    long publishMs = suite.n(6000);
    holds(suite.run("slow readers on every transport", suite.open, 0, null, (stats, warmUp) ->
      suite.slowReaders(stats, suite.open, warmUp ? 1 : perTransport, warmUp ? 1000 : publishMs)));
  }

  @Test
  @Order(10)
  @DisplayName("POST /eventbus/chunking_test and uploads cut short answer no 5xx and do not flood the log")
  void chunkingTestAndAbortedUploads() throws Exception {
    int count = suite.n(200);
    holds(suite.run("chunking_test and aborted uploads", suite.open, 0, null, (stats, warmUp) ->
      suite.chunkingAndAborted(stats, suite.open, warmUp ? 10 : count)));
  }

  @Test
  @Order(11)
  @DisplayName("With auth off, requests and handshakes under a foreign Host (DNS rebinding) are refused 403 in every spelling; loopback spellings are served")
  void hostSpellings() throws Exception {
    int count = suite.n(100);
    holds(suite.run("Host spellings", suite.open, 0, null, (stats, warmUp) ->
      AccessAbuse.hostSpellings(stats, suite.open, warmUp ? 5 : count, 19L)));
  }

  @Test
  @Order(12)
  @DisplayName("With auth on, garbage, near-miss and validly signed but malformed tokens get 401 on the API and the bridge")
  void tokenShapes() throws Exception {
    int count = suite.n(60);
    holds(suite.run("token shapes", suite.authed, 0, null, (stats, warmUp) ->
      AccessAbuse.tokenShapes(stats, suite.authed, warmUp ? 5 : count, 23L)));
  }

  @Test
  @Order(13)
  @DisplayName("Sends to someone else's reply address, seen or guessed, are refused; the requester gets only the worker's answers")
  void replyGuessing() throws Exception {
    int rounds = suite.n(20);
    holds(suite.run("reply guessing", suite.open, 0, null, (stats, warmUp) ->
      AccessAbuse.replyGuessing(stats, suite.open, suite.vertx, warmUp ? 2 : rounds)));
  }

  @Test
  @Order(14)
  @DisplayName("Chat messages under invisible, bidi, separator, private-use and blank-looking names are refused and never published")
  void nameSpellings() throws Exception {
    int count = suite.n(60);
    holds(suite.run("chat name spellings", suite.open, 0, null, (stats, warmUp) ->
      AccessAbuse.nameSpellings(stats, suite.open, suite.vertx, warmUp ? 5 : count, 29L)));
  }

  @Test
  @Order(15)
  @DisplayName("A flood of POST /api/publish meets http.maxPublishPerSecond (429 with Retry-After) and every bad shape its 400 or 403")
  void publishFlood() throws Exception {
    int count = suite.n(400);
    holds(suite.run("publish flood", suite.open, 0, null, (stats, warmUp) ->
      AccessAbuse.publishFlood(stats, suite.open, warmUp ? 8 : count)));
  }

  @Test
  @Order(16)
  @DisplayName("An authorizer that never answers: each frame denied after bridge.authorizerTimeoutMs or rate_limited, the socket usable")
  void authorizerStalls() throws Exception {
    int sockets = suite.n(20);
    holds(suite.run("authorizer stalls", suite.open, 0, null, (stats, warmUp) ->
      AccessAbuse.authorizerStalls(stats, suite.open, suite.vertx, warmUp ? 1 : sockets)));
  }
}
