package io.oneloop.process;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * A seeded generator of hostile inputs: HTTP requests (methods, paths with traversal and encodings,
 * headers, bodies of every JSON type and size) and bridge frames (random bytes, truncated and
 * deeply nested JSON, every field of every frame type with every JSON type, huge strings,
 * unicode). The same seed gives the same inputs.
 */
final class MalformedInputs {

  private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE",
    "CONNECT", "BREW", "get", "G\tET", "", "POST ", "X".repeat(300));
  private static final List<String> PATHS = List.of("/", "/index.html", "/js/main.js", "/css/app.css", "/favicon.svg",
    "/health", "/health/live", "/health/ready", "/metrics", "/api/info", "/api/tasks", "/api/jobs", "/api/job-types",
    "/api/jobs/", "/api/jobs/00000000-0000-0000-0000-000000000000", "/api/bridge", "/api", "/api/",
    "/eventbus/info", "/eventbus/iframe.html", "/eventbus/websocket", "/eventbus/123/abcdef/xhr", "/eventbus/123/abcdef/xhr_send",
    "/eventbus/123/abcdef/xhr_streaming", "/eventbus/123/abcdef/eventsource", "/eventbus/123/abcdef/htmlfile?c=cb",
    "/eventbus/123/abcdef/jsonp?c=cb", "/eventbus/123/abcdef/jsonp_send", "/eventbus//websocket", "/eventbus/./websocket",
    "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/js/..%2f..%2fpom.xml", "//etc/passwd", "/webroot/../../pom.xml",
    "/api/jobs/%00", "/api/jobs/..%2f..", "/%", "/%zz", "/\u00e9t\u00e9", "/api/jobs?limit=", "/api/jobs?limit=-1",
    "/api/jobs?limit=99999999999999999999", "/api/jobs?limit=%zz", "/api/jobs?limit=1&limit=2", "/eventbus/info?token=%",
    "/index.html?%", "/api/tasks?a=%E0%A4%A", "/api/jobs/" + "x".repeat(3000));
  private static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=utf-8", "text/plain",
    "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/json;;;", "*/*", "\u00ff");
  private static final List<String> ORIGINS = List.of("https://evil.example", "null", "http://localhost:1", "http://127.0.0.1:9",
    "file://", "http://[::1]", "javascript:alert(1)", "x".repeat(500), "");
  private static final List<String> ADDRESSES = List.of("oneloop.chat.send", "oneloop.chat.history", "oneloop.tasks.list",
    "oneloop.ticker", "oneloop.chat", "oneloop.server", "oneloop.jobs", "oneloop.metrics", "oneloop.internal.bridge.sockets",
    "", " ", "x".repeat(250), "\u0000", "a.b.c", "00000000-0000-0000-0000-000000000000");
  private static final List<String> TYPES = List.of("register", "unregister", "send", "publish", "ping", "rec", "err", "",
    "REGISTER", "send ", "x".repeat(100));

  private final Random random;

  MalformedInputs(long seed) {
    this.random = new Random(seed);
  }

  private <T> T pick(List<T> list) {
    return list.get(random.nextInt(list.size()));
  }

  /** A string that may hold anything: controls, surrogates (paired or not), bidi marks, emoji, NULs. */
  String text(int maxLength) {
    int length = random.nextInt(10) == 0 ? random.nextInt(maxLength + 1) : random.nextInt(Math.min(maxLength, 40) + 1);
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      switch (random.nextInt(8)) {
        case 0 -> s.append((char) random.nextInt(0x20));
        case 1 -> s.append((char) (0xD800 + random.nextInt(0x800)));
        case 2 -> s.append("\u202E\u2066\uFEFF\u200B".charAt(random.nextInt(4)));
        case 3 -> s.append("\uD83D\uDE00");
        case 4 -> s.append((char) random.nextInt(0x10000));
        default -> s.append((char) ('a' + random.nextInt(26)));
      }
    }
    return s.toString();
  }

  /** Any JSON value, nested up to {@code depth}. */
  Object json(int depth) {
    int kind = random.nextInt(depth > 0 ? 10 : 7);
    return switch (kind) {
      case 0 -> null;
      case 1 -> random.nextBoolean();
      case 2 -> random.nextInt();
      case 3 -> random.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
      case 4 -> random.nextBoolean() ? random.nextDouble() * 1e300 : -0.0;
      case 5, 6 -> text(random.nextInt(20) == 0 ? 70_000 : 200);
      case 7 -> {
        JsonArray array = new JsonArray();
        for (int i = random.nextInt(5); i > 0; i--) {
          array.add(json(depth - 1));
        }
        yield array;
      }
      default -> {
        JsonObject object = new JsonObject();
        for (int i = random.nextInt(5); i > 0; i--) {
          object.put(random.nextBoolean() ? pick(List.of("type", "address", "body", "headers", "replyAddress", "user", "text",
            "ms", "params", "id", "limit")) : text(20), json(depth - 1));
        }
        yield object;
      }
    };
  }

  /** The text of one bridge frame, most of them almost right. */
  String frame() {
    int kind = random.nextInt(20);
    if (kind == 0) {
      return new String(bytes(random.nextInt(200)), StandardCharsets.ISO_8859_1);
    }
    if (kind == 1) {
      String full = frameObject().encode();
      return full.substring(0, random.nextInt(full.length() + 1));
    }
    if (kind == 2) {
      int depth = 100 + random.nextInt(5000);
      return "[".repeat(depth) + (random.nextBoolean() ? "]".repeat(depth) : "");
    }
    if (kind == 3) {
      return "{\"type\":\"send\",\"address\":\"oneloop.chat.history\",\"body\":" + "{\"a\":".repeat(2000) + "1" + "}".repeat(2000) + "}";
    }
    if (kind == 4) {
      return random.nextBoolean() ? Json.encode(json(3)) : "";
    }
    return frameObject().encode();
  }

  /** A frame with every field drawn from its likely values or from any JSON at all. */
  JsonObject frameObject() {
    JsonObject frame = new JsonObject();
    frame.put("type", random.nextInt(4) == 0 ? json(1) : pick(TYPES));
    if (random.nextInt(6) != 0) {
      frame.put("address", random.nextInt(4) == 0 ? json(1) : pick(ADDRESSES));
    }
    if (random.nextBoolean()) {
      frame.put("body", json(3));
    }
    if (random.nextInt(3) == 0) {
      frame.put("headers", random.nextInt(3) == 0 ? json(2) : headersObject());
    }
    if (random.nextInt(3) == 0) {
      frame.put("replyAddress", random.nextInt(3) == 0 ? json(1) : text(random.nextInt(5) == 0 ? 300 : 36));
    }
    return frame;
  }

  private JsonObject headersObject() {
    JsonObject headers = new JsonObject();
    for (int i = random.nextInt(70); i > 0; i--) {
      headers.put(random.nextBoolean() ? "oneloop.user" : text(30), random.nextInt(4) == 0 ? json(1) : text(100));
    }
    return headers;
  }

  /** One frame as the SockJS WebSocket transport carries it, or SockJS framing gone wrong. */
  String sockJsFrame() {
    int kind = random.nextInt(10);
    if (kind == 0) {
      return frame(); // not SockJS framing at all
    }
    if (kind == 1) {
      return Json.encode(new JsonArray().add(json(2)).add(json(1))); // entries that are not strings
    }
    if (kind == 2) {
      return Json.encode(frame()); // one JSON string, which SockJS also takes
    }
    JsonArray messages = new JsonArray();
    for (int i = 1 + random.nextInt(3); i > 0; i--) {
      messages.add(frame());
    }
    return messages.encode();
  }

  byte[] bytes(int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  /** One HTTP/1.1 request as bytes, with {@code Connection: close} so its answer ends with the connection. */
  byte[] httpRequest(int port) {
    String method = random.nextInt(8) == 0 ? pick(METHODS) : pick(List.of("GET", "POST", "HEAD", "DELETE", "PUT"));
    String path = pick(PATHS);
    if (random.nextInt(5) == 0) {
      path += (path.contains("?") ? "&" : "?") + pick(List.of("limit", "token", "t", "c", "x")) + "="
        + pick(List.of("%", "%zz", "%E0%A4%A", "%00", "1", "-5", "abc", "%F0%9F%98%80", "+"));
    }
    StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    if (random.nextInt(10) != 0) {
      head.append("Host: ").append(random.nextInt(6) == 0 ? text(20).replaceAll("[\r\n]", "") : "127.0.0.1:" + port).append("\r\n");
    }
    head.append("Connection: close\r\n");
    byte[] body = new byte[0];
    if (random.nextInt(3) == 0) {
      Object json = json(4);
      body = (random.nextInt(10) == 0 ? new String(bytes(random.nextInt(2000)), StandardCharsets.ISO_8859_1)
        : random.nextInt(15) == 0 ? "{\"type\":\"sleep\",\"params\":{\"ms\":1}}" : Json.encode(json)).getBytes(StandardCharsets.UTF_8);
      if (random.nextInt(20) == 0) {
        body = new byte[70_000 + random.nextInt(50_000)];
      }
      head.append("Content-Type: ").append(pick(CONTENT_TYPES)).append("\r\n");
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    if (random.nextInt(4) == 0) {
      head.append("Origin: ").append(pick(ORIGINS)).append("\r\n");
    }
    if (random.nextInt(6) == 0) {
      head.append("Authorization: ").append(pick(List.of("Bearer ", "Bearer a.b.c", "Basic eDp5", "Bearer " + "x".repeat(9000), "")))
        .append("\r\n");
    }
    if (random.nextInt(8) == 0) {
      head.append("X-Forwarded-For: ").append(pick(List.of("1.2.3.4", "unknown, ::1", ",,,", "999.999.999.999", "x".repeat(200))))
        .append("\r\n");
    }
    if (random.nextInt(10) == 0) {
      head.append(pick(List.of("Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: x\r\n",
        "Expect: 100-continue\r\n", "Accept-Encoding: gzip, deflate, br\r\n", "Range: bytes=5-1\r\n",
        "If-Modified-Since: yesterday\r\n", "Cookie: " + "a=b; ".repeat(100) + "\r\n", "X-Empty:\r\n")));
    }
    head.append("\r\n");
    byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
    byte[] request = new byte[headBytes.length + body.length];
    System.arraycopy(headBytes, 0, request, 0, headBytes.length);
    System.arraycopy(body, 0, request, headBytes.length, body.length);
    return request;
  }
}
