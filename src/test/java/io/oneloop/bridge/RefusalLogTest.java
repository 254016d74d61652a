package io.oneloop.bridge;

import io.oneloop.bridge.FanoutBridge;
import io.oneloop.http.Refusals;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.LogCapture;
import io.oneloop.support.TickingApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A flood of refusals cannot flood the log: each kind is logged at most once a second (the HTTP ones with how many a line stands for). */
class RefusalLogTest {

  private static final Pattern SUMMED = Pattern.compile("\\((\\d+) refused for this reason in the last second\\)");

  @RegisterExtension
  final TickingApp app = TickingApp.with(config -> {
    config.getJsonObject("http").put("maxBodyBytes", 1024);
    config.put("bridge", new JsonObject().put("maxMessageBytes", 1000));
  });

  private static int refuse(WebClient web, int port, String kind) throws Exception {
    return switch (kind) {
      case "origin" -> web.post(port, "127.0.0.1", "/api/jobs").putHeader("Origin", "https://evil.example")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{}")).await(10, TimeUnit.SECONDS).statusCode();
      case "too_large" -> web.post(port, "127.0.0.1", "/api/jobs").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{\"pad\":\"" + "x".repeat(2000) + "\"}")).await(10, TimeUnit.SECONDS).statusCode();
      default -> throw new IllegalArgumentException(kind);
    };
  }

  @Test
  @DisplayName("200 refusals of two kinds in a burst log at most one line per kind and second; the next line counts the ones it stood for")
  void refusalsLoggedOncePerSecondPerKind(Vertx vertx) throws Exception {
    WebClient web = WebClient.create(vertx, new WebClientOptions().setKeepAlive(false));
    try (LogCapture log = LogCapture.of(Refusals.class)) {
      long start = System.nanoTime();
      for (int i = 0; i < 100; i++) {
        assertEquals(403, refuse(web, app.port(), "origin"));
        assertEquals(413, refuse(web, app.port(), "too_large"));
      }
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      for (String kind : List.of("origin", "too_large")) {
        int lines = log.containing("Refused (" + kind + ")").size();
        assertTrue(lines >= 1 && lines <= seconds + 1, kind + ": " + lines + " lines for 100 refusals in " + seconds + " s: " + log.lines());
      }
      // One more a tenth of a second until the next origin line (bounded): it counts what it stood for.
      int before = log.containing("Refused (origin)").size();
      for (int i = 0; i < 30 && log.containing("Refused (origin)").size() == before; i++) {
        vertx.timer(100).await(10, TimeUnit.SECONDS);
        refuse(web, app.port(), "origin");
      }
      List<String> origin = log.containing("Refused (origin)");
      assertEquals(before + 1, origin.size(), "the next origin line came: " + log.lines());
      Matcher summed = SUMMED.matcher(origin.get(origin.size() - 1));
      assertTrue(summed.find() && Integer.parseInt(summed.group(1)) > 1, "it says how many it stands for: " + origin.get(origin.size() - 1));
    }
  }

  @Test
  @DisplayName("30 bridge sockets closed in a burst for frames over bridge.maxMessageBytes log at most one line a second")
  void bridgeClosesLoggedOncePerSecond(Vertx vertx) throws Exception {
    try (LogCapture log = LogCapture.of(FanoutBridge.class)) {
      long start = System.nanoTime();
      for (int i = 0; i < 30; i++) {
        BridgeClient client = BridgeClient.connect(vertx, app.port(), Transport.RAW);
        client.writeText(new JsonObject().put("type", "register").put("address", "x".repeat(2000)).encode());
        assertEquals(1009, client.closed().await(10, TimeUnit.SECONDS).code(), "each offender is closed");
      }
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      int lines = log.containing("too_large").size();
      assertTrue(lines >= 1 && lines <= seconds + 1, lines + " lines for 30 closes in " + seconds + " s: " + log.lines());
    }
  }
}
