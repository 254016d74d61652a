package io.oneloop.http;

import io.oneloop.support.LogCapture;
import io.oneloop.support.RawHttp;
import io.oneloop.support.TickingApp;
import io.oneloop.testtasks.BuggyJob;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every error on every path is JSON with the right status, and no request troubles another client's stream. */
public class HttpErrorsTest {

  private static final String JOB = "{\"type\":\"sleep\",\"params\":{\"ms\":1}}";

  @RegisterExtension
  final TickingApp app = TickingApp.with(config -> {
    config.getJsonObject("http").put("requestTimeoutMs", 1000).put("maxBodyBytes", 1024);
    config.put("jobs", new JsonObject().put("types", new JsonObject().put("buggy", BuggyJob.class.getName())));
  });
  private WebClient web;

  @BeforeEach
  void client(Vertx vertx) {
    web = WebClient.create(vertx);
  }

  private HttpResponse<Buffer> call(HttpMethod method, String path, Map<String, String> headers, String body) throws Exception {
    HttpRequest<Buffer> request = web.request(method, app.port(), "127.0.0.1", path);
    headers.forEach(request::putHeader);
    return (body == null ? request.send() : request.sendBuffer(Buffer.buffer(body))).await(10, TimeUnit.SECONDS);
  }

  /** A JSON {@code {"error": "..."}} with this status, naming nothing of the server's insides. */
  public static JsonObject assertError(int status, int actualStatus, String contentType, String body) {
    assertEquals(status, actualStatus, body);
    assertNotNull(contentType);
    assertTrue(contentType.startsWith("application/json"), contentType);
    JsonObject error = new JsonObject(body);
    assertTrue(error.getValue("error") instanceof String, body);
    for (String inside : List.of("Exception", "\tat ", "io.vertx", "java.", "io.netty", "io.oneloop.")) {
      assertFalse(body.contains(inside), "the body shows " + inside + ": " + body);
    }
    return error;
  }

  private static JsonObject assertError(int status, HttpResponse<Buffer> response) {
    return assertError(status, response.statusCode(), response.getHeader("content-type"), response.bodyAsString());
  }

  @Test
  @DisplayName("an unknown path answers 404 as JSON, under /api and elsewhere")
  void unknownPaths() throws Exception {
    assertError(404, call(HttpMethod.GET, "/api/nothing", Map.of(), null));
    assertError(404, call(HttpMethod.GET, "/no/such/page.html", Map.of(), null));
    assertError(404, call(HttpMethod.GET, "/../../etc/passwd", Map.of(), null));
    assertError(404, call(HttpMethod.DELETE, "/api/nothing", Map.of(), null));
  }

  @Test
  @DisplayName("a method a path does not take answers 405 with Allow, as JSON")
  void wrongMethods() throws Exception {
    HttpResponse<Buffer> tasks = call(HttpMethod.DELETE, "/api/tasks", Map.of(), null);
    assertError(405, tasks);
    assertEquals("GET, HEAD", tasks.getHeader("Allow"));
    HttpResponse<Buffer> jobs = call(HttpMethod.PUT, "/api/jobs", Map.of(), null);
    assertError(405, jobs);
    assertEquals("GET, HEAD, POST", jobs.getHeader("Allow"));
    HttpResponse<Buffer> job = call(HttpMethod.POST, "/api/jobs/123", Map.of(), null);
    assertError(405, job);
    assertEquals("GET, HEAD, DELETE", job.getHeader("Allow"));
    HttpResponse<Buffer> page = call(HttpMethod.POST, "/index.html", Map.of(), null);
    assertError(405, page);
    assertEquals("GET, HEAD", page.getHeader("Allow"));
    assertError(405, call(HttpMethod.PATCH, "/health", Map.of(), null));
  }

  @Test
  @DisplayName("HEAD answers wherever GET does, with GET's status and no body")
  void headWhereGet() throws Exception {
    for (String path : List.of("/health", "/api/tasks", "/api/jobs", "/api/job-types", "/", "/index.html", "/js/main.js")) {
      HttpResponse<Buffer> get = call(HttpMethod.GET, path, Map.of(), null);
      HttpResponse<Buffer> head = call(HttpMethod.HEAD, path, Map.of(), null);
      assertEquals(200, get.statusCode(), path);
      assertEquals(200, head.statusCode(), path);
      assertTrue(head.body() == null || head.body().length() == 0, path);
    }
  }

  @Test
  @DisplayName("a query string that cannot be decoded, or a bad limit, answers 400, not 500")
  void badQueries() throws Exception {
    assertError(400, call(HttpMethod.GET, "/api/jobs?limit=%zz", Map.of(), null));
    assertError(400, call(HttpMethod.GET, "/api/jobs?limit=%", Map.of(), null));
    assertError(400, call(HttpMethod.GET, "/api/jobs?limit=abc", Map.of(), null));
    assertError(400, call(HttpMethod.GET, "/index.html?x=%E0%A4%A", Map.of(), null));
  }

  @Test
  @DisplayName("a body over http.maxBodyBytes answers 413, on the API and on any other path")
  void bodyTooLarge() throws Exception {
    String big = "{\"type\":\"sleep\",\"params\":{\"ms\":1,\"pad\":\"" + "x".repeat(2000) + "\"}}";
    assertError(413, call(HttpMethod.POST, "/api/jobs", Map.of("Content-Type", "application/json"), big));
    assertError(413, call(HttpMethod.POST, "/eventbus/123/abc/xhr_send", Map.of(), "[\"" + "x".repeat(2000) + "\"]"));
    assertError(413, call(HttpMethod.GET, "/index.html", Map.of(), "x".repeat(2000)));
  }

  @Test
  @DisplayName("an API body that is not declared JSON answers 415, so a plain HTML form cannot start a job")
  void notJson() throws Exception {
    assertError(415, call(HttpMethod.POST, "/api/jobs", Map.of("Content-Type", "text/plain"), JOB));
    assertError(415, call(HttpMethod.POST, "/api/jobs", Map.of("Content-Type", "application/x-www-form-urlencoded"), "type=sleep"));
    assertError(415, call(HttpMethod.POST, "/api/jobs", Map.of(), JOB));
    assertEquals(202, call(HttpMethod.POST, "/api/jobs", Map.of("Content-Type", "application/json; charset=utf-8"), JOB).statusCode());
  }

  @Test
  @DisplayName("a change to /api from another origin answers 403; the own origin, localhost's and none pass")
  void foreignOrigins() throws Exception {
    Map<String, String> json = Map.of("Content-Type", "application/json");
    JsonObject refused = assertError(403, call(HttpMethod.POST, "/api/jobs",
      Map.of("Content-Type", "application/json", "Origin", "https://evil.example"), JOB));
    assertTrue(refused.getString("error").contains("origin"), refused.encode());
    assertError(403, call(HttpMethod.DELETE, "/api/jobs/123", Map.of("Origin", "null"), null));
    String own = "http://127.0.0.1:" + app.port();
    assertEquals(202, call(HttpMethod.POST, "/api/jobs", Map.of("Content-Type", "application/json", "Origin", own), JOB).statusCode());
    assertEquals(202, call(HttpMethod.POST, "/api/jobs",
      Map.of("Content-Type", "application/json", "Origin", "http://localhost:5173"), JOB).statusCode());
    assertEquals(202, call(HttpMethod.POST, "/api/jobs", json, JOB).statusCode());
    assertEquals(200, call(HttpMethod.GET, "/api/jobs", Map.of("Origin", "https://evil.example"), null).statusCode(),
      "reading is not origin-checked: the browser keeps the answer from the other page");
  }

  @Test
  @DisplayName("a request Vert.x cannot parse answers 400 as JSON, and the connection is closed")
  void unparsable() throws Exception {
    try (RawHttp raw = RawHttp.connect(app.port())) {
      String response = raw.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header Name: y\r\n\r\n").readUntilClosed();
      assertError(400, RawHttp.status(response), header(response, "content-type"), RawHttp.body(response));
    }
    try (RawHttp raw = RawHttp.connect(app.port())) {
      String response = raw.send("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").readUntilClosed();
      assertError(414, RawHttp.status(response), header(response, "content-type"), RawHttp.body(response));
    }
  }

  @Test
  @DisplayName("headers or a body that do not arrive within http.requestTimeoutMs answer 408; a silent connection is closed")
  void requestTimeout() throws Exception {
    try (RawHttp raw = RawHttp.connect(app.port())) {
      String response = raw.send("GET /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n").readUntilClosed();
      assertError(408, RawHttp.status(response), header(response, "content-type"), RawHttp.body(response));
    }
    try (RawHttp raw = RawHttp.connect(app.port())) {
      String response = raw.send("POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"ty")
        .readUntilClosed();
      assertEquals(408, RawHttp.status(response), response);
    }
    try (RawHttp raw = RawHttp.connect(app.port())) {
      assertEquals("", raw.readUntilClosed(), "nothing is answered to a connection that sent nothing");
    }
  }

  @Test
  @DisplayName("an Upgrade header that is never honoured does not exempt a trickled body from http.requestTimeoutMs")
  void upgradeHeaderDoesNotExempt() throws Exception {
    String trickled = "POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: foo\r\nConnection: Upgrade\r\n"
      + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{";
    try (RawHttp raw = RawHttp.connect(app.port())) {
      String response = raw.send(trickled).trickleUntilClosed(200, 8000);
      assertError(408, RawHttp.status(response), header(response, "content-type"), RawHttp.body(response));
    }
  }

  @Test
  @DisplayName("after a request with an Upgrade header is answered, the next request on the connection is timed too")
  void keepAliveAfterUpgradeHeader() throws Exception {
    try (RawHttp raw = RawHttp.connect(app.port())) {
      String first = raw.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: foo\r\nConnection: Upgrade\r\n\r\n").readResponse();
      assertEquals(200, RawHttp.status(first), first);
      String response = raw.send("POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: 1000\r\n\r\n{").trickleUntilClosed(200, 8000);
      assertError(408, RawHttp.status(response), header(response, "content-type"), RawHttp.body(response));
    }
  }

  @Test
  @DisplayName("SockJS's chunking_test is not found, whatever the method, and logs no error")
  void chunkingTestNotFound() throws Exception {
    try (LogCapture log = LogCapture.everything()) {
      for (HttpMethod method : List.of(HttpMethod.POST, HttpMethod.OPTIONS, HttpMethod.GET, HttpMethod.PUT)) {
        for (String path : List.of("/eventbus/chunking_test", "/eventbus//chunking_test", "/eventbus/chunking_test/")) {
          HttpResponse<Buffer> response = call(method, path, Map.of(), method == HttpMethod.GET ? null : "");
          assertEquals(new JsonObject().put("error", "not found"), assertError(404, response), method + " " + path);
        }
      }
      assertEquals(List.of(), log.errors());
    }
  }

  @Test
  @DisplayName("a bug met while handling one request answers 500 with an id, and the server goes on")
  void bugsAreCaught() throws Exception {
    HttpResponse<Buffer> response = call(HttpMethod.POST, "/api/jobs", Map.of("Content-Type", "application/json"),
      "{\"type\":\"buggy\",\"params\":{\"bug\":true}}");
    JsonObject error = assertError(500, response);
    assertTrue(error.getString("id").matches("[0-9a-f]+"), error.encode());
    assertEquals(200, call(HttpMethod.GET, "/health", Map.of(), null).statusCode());
  }

  private static String header(String response, String name) {
    for (String line : response.split("\r\n")) {
      if (line.toLowerCase().startsWith(name + ":")) {
        return line.substring(name.length() + 1).trim();
      }
      if (line.isEmpty()) {
        break;
      }
    }
    return null;
  }
}
