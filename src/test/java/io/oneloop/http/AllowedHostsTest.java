package io.oneloop.http;

import io.oneloop.http.Refusals;
import io.oneloop.support.LogCapture;
import io.oneloop.support.RawHttp;
import io.oneloop.support.TestApp;
import io.oneloop.support.TickingApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * http.allowedHosts against DNS rebinding: with auth off, a page served from a name that now
 * points here (its Host and Origin both that name) gets 403 on the API, the page, both WebSocket
 * paths and SockJS's HTTP sessions; IP literals, loopback names and listed names pass.
 */
class AllowedHostsTest {

  private static final String JOB = "{\"type\":\"sleep\",\"params\":{\"ms\":1}}";

  @RegisterExtension
  final TickingApp app = TickingApp.with(config -> config.getJsonObject("http")
    .put("allowedHosts", new JsonArray().add("App.Example.com")));

  /** One request on its own connection, with the given Host (null: none) and Origin (null: none); the whole answer. */
  private static String request(int port, String method, String path, String host, String origin, String extra) throws Exception {
    return request(port, "HTTP/1.1", method, path, host, origin, extra);
  }

  private static String request(int port, String version, String method, String path, String host, String origin, String extra)
    throws Exception {
    String body = method.equals("POST") && path.startsWith("/api/") ? JOB : "";
    try (RawHttp http = RawHttp.connect(port)) {
      http.send(method + " " + path + " " + version + "\r\n"
        + (host == null ? "" : "Host: " + host + "\r\n")
        + (origin == null ? "" : "Origin: " + origin + "\r\n")
        + (body.isEmpty() ? "" : "Content-Type: application/json\r\n")
        + "Content-Length: " + body.length() + "\r\n"
        + extra
        + "Connection: close\r\n\r\n" + body);
      return http.readUntilClosed();
    }
  }

  private static final String UPGRADE = "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    + "Sec-WebSocket-Version: 13\r\n";

  private static String upgrade(int port, String path, String host, String origin) throws Exception {
    try (RawHttp http = RawHttp.connect(port)) {
      http.send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nOrigin: " + origin + "\r\n" + UPGRADE
        + "Connection: Upgrade\r\n\r\n");
      return http.readHead();
    }
  }

  private static void assertHostRefused(String answer, String host) {
    assertEquals(403, RawHttp.status(answer), answer);
    String body = RawHttp.body(answer);
    assertEquals("host not allowed: " + host, new JsonObject(body.substring(body.indexOf('{'))).getString("error"), answer);
  }

  @Test
  @DisplayName("Host and Origin both a rebinding name: 403 on GET and POST /api/jobs, the page, both WebSocket paths and an xhr session, "
    + "logged as refused naming http.allowedHosts")
  void rebindingRefused() throws Exception {
    int port = app.port();
    String evil = "evil.example:" + port;
    String origin = "http://" + evil;
    try (LogCapture log = LogCapture.of(Refusals.class)) {
      assertHostRefused(request(port, "GET", "/api/jobs", evil, origin, ""), evil);
      assertHostRefused(request(port, "POST", "/api/jobs", evil, origin, ""), evil);
      assertHostRefused(request(port, "GET", "/", evil, origin, ""), evil);
      assertHostRefused(request(port, "POST", "/eventbus/000/" + UUID.randomUUID() + "/xhr", evil, origin, ""), evil);
      assertHostRefused(request(port, "GET", "/eventbus/info", evil, origin, ""), evil);
      for (Transport transport : Transport.values()) {
        String head = upgrade(port, transport.path(), evil, origin);
        assertEquals(403, RawHttp.status(head), transport + ": " + head);
      }
      List<String> lines = log.containing("Refused (host)");
      assertTrue(!lines.isEmpty() && lines.size() <= 2 && lines.get(0).contains("http.allowedHosts"), log.lines().toString());
    }
  }

  @Test
  @DisplayName("IP literals, localhost and *.localhost in any case, with or without a port, and a listed name pass; "
    + "an unlisted name's port or case changes nothing")
  void spellings() throws Exception {
    int port = app.port();
    for (String host : List.of("127.0.0.1:" + port, "127.0.0.1", "[::1]:" + port, "[::1]", "localhost:" + port, "LOCALHOST",
      "foo.localhost", "Foo.LocalHost:" + port, "app.example.com", "APP.example.COM:" + port, "app.example.com.:" + port,
      "10.1.2.3:8080")) {
      assertEquals(200, RawHttp.status(request(port, "GET", "/api/jobs", host, null, "")), host);
    }
    for (String host : List.of("evil.example", "EVIL.example:80", "app.example.com.evil.example", "localhost.evil.example",
      "127.0.0.1.evil.example:" + port, "[::1].evil", "evil.example:x")) {
      assertHostRefused(request(port, "GET", "/api/jobs", host, null, ""), host);
    }
    // A listed name is its own origin, so its page may open the bridge and start a job.
    String listed = "app.example.com:" + port;
    assertEquals(101, RawHttp.status(upgrade(port, Transport.RAW.path(), listed, "http://" + listed)));
    assertEquals(202, RawHttp.status(request(port, "POST", "/api/jobs", listed, "http://" + listed, "")));
  }

  @Test
  @DisplayName("the probes answer under any Host (and only they); HTTP/1.0 without Host is served")
  void probesAndNoHost() throws Exception {
    int port = app.port();
    for (String path : List.of("/health", "/health/live", "/health/ready")) {
      int status = RawHttp.status(request(port, "GET", path, "evil.example:" + port, null, ""));
      assertTrue(status == 200 || status == 503, path + ": " + status);
    }
    assertHostRefused(request(port, "GET", "/health/../api/jobs", "evil.example", null, ""), "evil.example");
    assertEquals(200, RawHttp.status(request(port, "HTTP/1.0", "GET", "/api/jobs", null, null, "")));
    assertNotEquals(200, RawHttp.status(request(port, "GET", "/api/jobs", null, null, "")), "HTTP/1.1 requires a Host");

  }

  @Test
  @DisplayName("with auth on the Host is not checked: a token is what a rebinding page's visitor's browser does not send")
  void authOn(Vertx vertx) throws Exception {
    JsonObject config = TestApp.config().put("auth", new JsonObject().put("tokens", new JsonArray()
      .add(new JsonObject().put("name", "ops").put("role", "admin").put("token", "admin-token-0123456789"))));
    int port = TestApp.start(vertx, config).port();
    String evil = "evil.example:" + port;
    assertEquals(401, RawHttp.status(request(port, "GET", "/api/jobs", evil, null, "")));
    assertEquals(200, RawHttp.status(request(port, "GET", "/api/jobs", evil, null, "Authorization: Bearer admin-token-0123456789\r\n")));
  }
}
