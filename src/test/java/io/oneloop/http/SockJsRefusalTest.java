package io.oneloop.http;

import io.oneloop.support.TickingApp;
import io.oneloop.testtasks.TestAuthorizer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A SockJS session refused at connect on an HTTP transport gets the same close code as on the
 * WebSocket transport, in the transport's own framing: 4401 without a valid token, 4403 when the
 * authorizer says no; and the refused session is never made.
 */
class SockJsRefusalTest {

  private static final String TOKEN = "viewer-token-0123456789";
  private static final String ADMIN = "admin-token-0123456789";
  /** Not the bystander's: a disconnect of this user closes the test's session only. */
  private static final String KIOSK = "kiosk-token-0123456789";
  private static final String UNAUTHORIZED = "c[4401,\"unauthorized\"]";
  private static final String FORBIDDEN = "c[4403,\"forbidden\"]";
  private static final String SOCKJS_CLOSE = "c[3000,\"Go away!\"]";

  @RegisterExtension
  final TickingApp app = TickingApp.with(config -> config
    .put("auth", new JsonObject().put("tokens", new JsonArray()
      .add(new JsonObject().put("name", "wall").put("role", "viewer").put("token", TOKEN))
      .add(new JsonObject().put("name", "ops").put("role", "admin").put("token", ADMIN))
      .add(new JsonObject().put("name", "kiosk").put("role", "viewer").put("token", KIOSK))))
    .put("bridge", new JsonObject().put("authorizer", TestAuthorizer.class.getName())
      .put("outbound", new JsonArray().add(new JsonObject().put("addressRegex", "oneloop\\..*")))))
    .bystanderQuery("token=" + TOKEN);

  /** The frames a receiving request got, unwrapped from the transport's framing, in order. */
  private static List<String> frames(String transport, String body) {
    List<String> frames = new ArrayList<>();
    switch (transport) {
      case "xhr", "xhr_streaming" -> {
        for (String line : body.split("\n")) {
          if (!line.isEmpty() && !line.matches("h+")) {
            frames.add(line);
          }
        }
      }
      case "eventsource" -> {
        assertTrue(body.startsWith("\r\n"), body);
        for (String event : body.substring(2).split("\r\n\r\n")) {
          assertTrue(event.startsWith("data: "), event);
          frames.add(event.substring("data: ".length()));
        }
      }
      case "htmlfile" -> {
        assertTrue(body.contains("var c = parent.cb;"), body);
        Matcher m = Pattern.compile("<script>\np\\((\"(?:[^\"\\\\]|\\\\.)*\")\\);\n</script>\r\n").matcher(body);
        while (m.find()) {
          frames.add((String) new JsonArray("[" + m.group(1) + "]").getValue(0));
        }
      }
      default -> {
        Matcher m = Pattern.compile("^/\\*\\*/cb\\((\"(?:[^\"\\\\]|\\\\.)*\")\\);\r\n$").matcher(body);
        assertTrue(m.matches(), body);
        frames.add((String) new JsonArray("[" + m.group(1) + "]").getValue(0));
      }
    }
    return frames;
  }

  private static HttpResponse<Buffer> open(WebClient web, int port, String transport, String session, String token, boolean deny)
    throws Exception {
    boolean post = transport.startsWith("xhr");
    String query = (transport.equals("htmlfile") || transport.equals("jsonp") ? "c=cb" : "")
      + (token == null ? "" : "&token=" + token);
    String uri = "/eventbus/000/" + session + "/" + transport + (query.isEmpty() ? "" : "?" + query.replaceFirst("^&", ""));
    HttpRequest<Buffer> request = web.request(post ? HttpMethod.POST : HttpMethod.GET, port, "127.0.0.1", uri);
    if (deny) {
      request.putHeader("X-Deny", "1");
    }
    return (post ? request.sendBuffer(Buffer.buffer()) : request.send()).await(10, TimeUnit.SECONDS);
  }

  private static JsonObject sockets(WebClient web, int port) throws Exception {
    return web.get(port, "127.0.0.1", "/api/bridge").putHeader("Authorization", "Bearer " + TOKEN).send()
      .await(10, TimeUnit.SECONDS).bodyAsJsonObject().getJsonObject("sockets");
  }

  @ParameterizedTest(name = "over {0}")
  @ValueSource(strings = {"xhr", "xhr_streaming", "eventsource", "htmlfile", "jsonp"})
  @DisplayName("no token: c[4401,\"unauthorized\"]; the authorizer says no: c[4403,\"forbidden\"]; neither opens a session")
  void refusedWithTheirCode(String transport, Vertx vertx) throws Exception {
    // A connection per request, as SockJS's polls end theirs.
    WebClient web = WebClient.create(vertx, new WebClientOptions().setKeepAlive(false));
    int before = sockets(web, app.port()).getInteger("sockjs-fallback");
    boolean polling = transport.equals("jsonp");
    String session = UUID.randomUUID().toString();

    HttpResponse<Buffer> unauthorized = open(web, app.port(), transport, session, null, false);
    assertEquals(200, unauthorized.statusCode(), unauthorized.bodyAsString());
    assertEquals(polling ? List.of(UNAUTHORIZED) : List.of("o", UNAUTHORIZED), frames(transport, unauthorized.bodyAsString()));

    HttpResponse<Buffer> forbidden = open(web, app.port(), transport, session, TOKEN, true);
    assertEquals(polling ? List.of(FORBIDDEN) : List.of("o", FORBIDDEN), frames(transport, forbidden.bodyAsString()));

    // Nothing was made of either: the same session id opens afresh with a token the authorizer lets in.
    assertEquals(before, sockets(web, app.port()).getInteger("sockjs-fallback"));
    if (!transport.equals("xhr_streaming") && !transport.equals("eventsource") && !transport.equals("htmlfile")) {
      assertEquals(List.of("o"), frames(transport, open(web, app.port(), transport, session, TOKEN, false).bodyAsString()));
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertEquals(before + 1, sockets(web, app.port()).getInteger("sockjs-fallback"), "the session the token opened"));
    }
  }

  @ParameterizedTest(name = "over {0}")
  @ValueSource(strings = {"xhr", "jsonp"})
  @DisplayName("an open session an administrator disconnects gets the code and reason first, as err \"closed\", then SockJS's close")
  void disconnectAnnounced(String transport, Vertx vertx) throws Exception {
    WebClient web = WebClient.create(vertx, new WebClientOptions().setKeepAlive(false));
    String session = UUID.randomUUID().toString();
    assertEquals(List.of("o"), frames(transport, open(web, app.port(), transport, session, KIOSK, false).bodyAsString()));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(1, sockets(web, app.port()).getInteger("sockjs-fallback")));

    HttpResponse<Buffer> answer = web.post(app.port(), "127.0.0.1", "/api/disconnect").putHeader("Authorization", "Bearer " + ADMIN)
      .sendJsonObject(new JsonObject().put("user", "kiosk").put("reason", "time out")).await(10, TimeUnit.SECONDS);
    assertEquals(new JsonObject().put("closed", 1), answer.bodyAsJsonObject());

    List<String> frames = new ArrayList<>();
    for (int poll = 0; poll < 10 && !frames.contains(SOCKJS_CLOSE); poll++) {
      frames.addAll(frames(transport, open(web, app.port(), transport, session, KIOSK, false).bodyAsString()));
    }
    String announced = "a" + new JsonArray().add(new JsonObject().put("type", "err").put("body", "closed")
      .put("failureCode", 4403).put("message", "time out").encode()).encode();
    assertEquals(List.of(announced, SOCKJS_CLOSE), frames.stream().filter(f -> !f.equals("h")).toList());
  }
}
