package io.oneloop.process;

import io.oneloop.process.AbuseSuite.Stats;
import io.oneloop.process.AbuseSuite.Target;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.JoseMint;
import io.oneloop.support.RawHttp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * The abuse suite's classes of "who may do what": many spellings of a foreign {@code Host}, of a
 * token, of a guessed reply address and of a chat name, each of which must be refused, while the
 * process keeps the invariants every class is held to.
 */
final class AccessAbuse {

  /** The authed target's JWT secret (HS256), given through {@code ONELOOP_AUTH_JWT}. */
  static final String JWT_SECRET = "abuse-suite-jwt-secret-0123456789abcdef";
  static final String RPC = "acme.rpc.worker";
  private static final int MAX_NOTED = 10;
  /** What the publish flood publishes to (outbound on the targets). */
  static final String PUBLISHED = "abuse.published";
  /** The open target's bridge.authorizerTimeoutMs. */
  static final long AUTHORIZER_TIMEOUT_MS = 1000;

  private AccessAbuse() {
  }

  /**
   * Spaces sends out to {@code perSecond} at most: each client is held to
   * {@code bridge.maxInboundPerSecond} (50), and a refused frame would leave a request unanswered.
   */
  private static final class Pacer {
    private final long intervalNanos;
    private long next = System.nanoTime();

    Pacer(int perSecond) {
      this.intervalNanos = 1_000_000_000L / perSecond;
    }

    void pace() {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(wait);
      }
      next = Math.max(next, System.nanoTime()) + intervalNanos;
    }
  }

  private static void violation(Stats stats, String what) {
    if (stats.violations.size() < MAX_NOTED) {
      stats.violations.add(what);
    }
  }

  // --- Host spellings ---------------------------------------------------------------------------

  private static final String[] LABELS = {"evil", "rebind", "attacker", "x", "localhost", "127.0.0.1", "app", "xn--80ak6aa92e", "a-b"};
  private static final String[] SUFFIXES = {".example", ".test", ".nip.io", ".localhost.example", ".com", ".", ".EXAMPLE"};

  /** A DNS name that is not loopback: what a rebinding page's browser sends. */
  static String foreignHost(Random random, int port) {
    String host = LABELS[random.nextInt(LABELS.length)] + "-" + random.nextInt(1000) + SUFFIXES[random.nextInt(SUFFIXES.length)];
    if (random.nextBoolean()) {
      host = host.toUpperCase(java.util.Locale.ROOT);
    }
    return random.nextInt(3) == 0 ? host : host + ":" + port;
  }

  /**
   * With auth off, requests to the API, the page and the bridge (WebSocket handshakes and SockJS
   * HTTP) under a foreign {@code Host} with the same {@code Origin} are refused 403, while the
   * loopback spellings are served.
   */
  static void hostSpellings(Stats stats, Target t, int count, long seed) throws Exception {
    Random random = new Random(seed);
    int port = t.port();
    for (int i = 0; i < count; i++) {
      String host = foreignHost(random, port);
      String request = switch (i % 5) {
        case 0 -> "GET /api/jobs HTTP/1.1\r\n";
        case 1 -> "POST /api/jobs HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n";
        case 2 -> "GET /eventbus/websocket HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
        case 3 -> "POST /eventbus/000/host" + i + "/xhr HTTP/1.1\r\nContent-Length: 0\r\n";
        default -> "GET /index.html HTTP/1.1\r\n";
      };
      String body = i % 5 == 1 ? "{}" : "";
      int status = send(port, request + "Host: " + host + "\r\nOrigin: http://" + host + "\r\nConnection: close\r\n\r\n" + body);
      stats.inputs.incrementAndGet();
      stats.status(status, "a request with Host " + host);
      if (status != 403) {
        violation(stats, "Host " + host + " was answered " + status + ", not 403: " + request.lines().findFirst().orElse(""));
      }
    }
    for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "LOCALHOST", "[::1]:" + port, "app.localhost:" + port)) {
      int status = send(port, "GET /api/tasks HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
      stats.inputs.incrementAndGet();
      stats.status(status, "GET /api/tasks with Host " + host);
      if (status != 200) {
        violation(stats, "the loopback spelling " + host + " was answered " + status + ", not 200");
      }
    }
    int health = send(port, "GET /health HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
    if (health != 200) {
      violation(stats, "/health under a foreign Host was answered " + health + ", not 200");
    }
  }

  private static int send(int port, String request) throws Exception {
    try (RawHttp http = RawHttp.connect(port)) {
      String head = http.send(request).readHead();
      return RawHttp.status(head);
    }
  }

  // --- Token shapes -----------------------------------------------------------------------------

  /** Tokens a client may try: garbage, near misses and validly signed JWTs with claims that must not pass. */
  static List<String> badTokens(Random random, int count) throws Exception {
    long now = System.currentTimeMillis() / 1000;
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    List<String> tokens = new ArrayList<>(List.of(
      "", " ", "null", "undefined", "Bearer", AbuseSuite.TOKEN.substring(1), AbuseSuite.TOKEN + "x", AbuseSuite.TOKEN.toUpperCase(java.util.Locale.ROOT),
      "a.b.c", "..", "x".repeat(8000),
      url.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + url.encodeToString(("{\"sub\":\"root\",\"exp\":" + (now + 600) + "}").getBytes(StandardCharsets.UTF_8)) + ".",
      JoseMint.hs256(JWT_SECRET, new JsonObject().put("sub", "mallory")),
      JoseMint.hs256(JWT_SECRET, new JsonObject().put("sub", "mallory").put("exp", "soon")),
      JoseMint.hs256(JWT_SECRET, new JsonObject().put("sub", "mallory").put("exp", now - 600)),
      JoseMint.hs256(JWT_SECRET, new JsonObject().put("sub", 5).put("exp", now + 600)),
      JoseMint.hs256(JWT_SECRET, new JsonObject().put("sub", "admin\u200b").put("exp", now + 600)),
      JoseMint.hs256(JWT_SECRET, new JsonObject().put("sub", "\u3164").put("exp", now + 600)),
      JoseMint.hs256(JWT_SECRET, new JsonObject().put("sub", "x").put("exp", now + 600).put("nbf", "later")),
      JoseMint.hs256(JWT_SECRET, new JsonObject().put("sub", "x").put("exp", now + 600).put("oneloop.role", "root")),
      JoseMint.hs256(JWT_SECRET + "!", new JsonObject().put("sub", "x").put("exp", now + 600))));
    String valid = JoseMint.hs256(JWT_SECRET, new JsonObject().put("sub", "x").put("exp", now + 600));
    while (tokens.size() < count) {
      StringBuilder token = new StringBuilder();
      switch (random.nextInt(4)) {
        case 0 -> random.ints(random.nextInt(200), 0x20, 0x7f).forEach(token::appendCodePoint);
        case 1 -> random.ints(random.nextInt(60), 0x80, 0x3000).forEach(token::appendCodePoint);
        case 2 -> {
          // A valid token with one character of its signature changed (not the last: its low bits are padding).
          char[] chars = valid.toCharArray();
          int signature = valid.lastIndexOf('.') + 1;
          int at = signature + random.nextInt(chars.length - signature - 1);
          chars[at] = chars[at] == 'A' ? 'B' : 'A';
          token.append(chars);
        }
        default -> token.append(url.encodeToString(new byte[random.nextInt(40) + 1])).append('.')
          .append(url.encodeToString(new byte[random.nextInt(40) + 1])).append('.').append(url.encodeToString(new byte[32]));
      }
      tokens.add(token.toString());
    }
    return tokens;
  }

  /** With auth on, every bad token gets 401 on the API and at the raw bridge's handshake; a good one is served. */
  static void tokenShapes(Stats stats, Target t, int count, long seed) throws Exception {
    int port = t.port();
    for (String token : badTokens(new Random(seed), count)) {
      String header = token.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? "Authorization: Bearer " + token + "\r\n" : "";
      int api = send(port, "GET /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n" + header + "Connection: close\r\n\r\n");
      int bridge = send(port, "GET /eventbus/websocket?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n");
      stats.inputs.addAndGet(2);
      stats.status(api, "the API with a bad token");
      stats.status(bridge, "the bridge with a bad token");
      String shown = token.length() > 40 ? token.substring(0, 40) + "…" : token;
      if (api != 401 && !header.isEmpty()) {
        violation(stats, "the API answered " + api + " to the token " + shown);
      }
      // A URL too long for the server (414) is refused before any token is read: as good as a 401.
      if (bridge != 401 && bridge != 414) {
        violation(stats, "the bridge handshake answered " + bridge + " to the token " + shown);
      }
    }
    long now = System.currentTimeMillis() / 1000;
    String good = JoseMint.hs256(JWT_SECRET, new JsonObject().put("sub", "carol").put("exp", now + 600));
    int api = send(port, "GET /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + good + "\r\nConnection: close\r\n\r\n");
    if (api != 200) {
      violation(stats, "a valid JWT was answered " + api + ", not 200");
    }
  }

  // --- Reply guessing ---------------------------------------------------------------------------

  /**
   * A worker gets requests on {@link #RPC}; other sockets send to the reply address it saw and to
   * guesses of Vert.x's sequential ones: every such send is refused, the requester gets only the
   * worker's answers.
   */
  static void replyGuessing(Stats stats, Target t, Vertx vertx, int rounds) throws Exception {
    BridgeClient worker = BridgeClient.connect(vertx, t.port(), Transport.RAW).register(RPC);
    BridgeClient requester = BridgeClient.connect(vertx, t.port(), Transport.RAW);
    List<BridgeClient> guessers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      guessers.add(BridgeClient.connect(vertx, t.port(), i % 2 == 0 ? Transport.RAW : Transport.SOCKJS));
    }
    try {
      // The worker's register is in once the requester's first request reaches it.
      // A round is one frame from the requester and the worker, and six from one of four guessers.
      Pacer pacer = new Pacer(5);
      for (int round = 0; round < rounds; round++) {
        pacer.pace();
        String replyTo = "req-" + round;
        io.vertx.core.Future<JsonObject> answer = requester.next(f -> replyTo.equals(f.getString("address")));
        requester.send(RPC, new JsonObject().put("n", round), replyTo);
        JsonObject request = worker.await(f -> "rec".equals(f.getString("type")) && RPC.equals(f.getString("address")));
        String seen = request.getString("replyAddress");
        stats.inputs.incrementAndGet();
        if (seen == null) {
          violation(stats, "the worker got no reply address");
          continue;
        }
        if (seen.startsWith("__vertx.reply.")) {
          violation(stats, "the worker saw Vert.x's sequential reply address " + seen);
        }
        BridgeClient guesser = guessers.get(round % guessers.size());
        List<String> guesses = new ArrayList<>(List.of(seen));
        long n = seen.startsWith("__vertx.reply.") ? Long.parseLong(seen.substring("__vertx.reply.".length())) : round + 1;
        for (long k = Math.max(1, n - 2); k <= n + 2; k++) {
          guesses.add("__vertx.reply." + k);
        }
        for (String guess : guesses) {
          guesser.send(guess, new JsonObject().put("answer", "forged"), null);
          stats.inputs.incrementAndGet();
          String err = guesser.awaitErr();
          if (!"access_denied".equals(err) && !"rate_limited".equals(err)) {
            violation(stats, "a send to someone else's reply address " + guess + " got " + err);
          }
        }
        worker.send(seen, new JsonObject().put("answer", "real-" + round), null);
        JsonObject got = answer.await(BridgeClient.WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        if (got.getJsonObject("body") == null || !("real-" + round).equals(got.getJsonObject("body").getString("answer"))) {
          violation(stats, "the requester got " + got + " instead of the worker's answer");
        }
      }
      Predicate<JsonObject> forged = f -> f.getJsonObject("body") != null && "forged".equals(f.getJsonObject("body").getString("answer"));
      if (requester.backlog().stream().anyMatch(forged)) {
        violation(stats, "the requester received a forged answer");
      }
    } finally {
      worker.close();
      requester.close();
      guessers.forEach(BridgeClient::close);
    }
  }

  // --- Name spellings ---------------------------------------------------------------------------

  /** Names that must be refused: invisible, bidi, separators, private use, lone surrogates, blank-looking. */
  static List<String> badNames(Random random, int count) {
    List<String> names = new ArrayList<>(List.of("admin\u200b", "\u200eops", "ops\u200f", "\u061cops", "a\u2028b", "\ufeffops",
      "ops\udb40\udc41", "\ue000ops", "ops\ud800", "\u3000", "\u3164", "\u115f\u1160", " ", "", "\u202eevil", "x\u0000",
      "a" + "\u0301".repeat(20), "\u2800"));
    int[] invisible = {0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x2066, 0x2067, 0x2068,
      0x2069, 0x206A, 0x206F, 0xFEFF, 0xE0001, 0xE0020, 0xE007F, 0x061C, 0x180E, 0x2028, 0x2029, 0xF8FF, 0xFFFF, 0x0378};
    while (names.size() < count) {
      StringBuilder name = new StringBuilder("user" + random.nextInt(100));
      name.insert(random.nextInt(name.length() + 1), Character.toChars(invisible[random.nextInt(invisible.length)]));
      names.add(name.toString());
    }
    return names;
  }

  /** Chat messages under bad names are refused with 400, and none is published. */
  static void nameSpellings(Stats stats, Target t, Vertx vertx, int count, long seed) throws Exception {
    BridgeClient watcher = BridgeClient.connect(vertx, t.port(), Transport.RAW).register("oneloop.chat");
    List<BridgeClient> senders = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      senders.add(BridgeClient.connect(vertx, t.port(), i % 2 == 0 ? Transport.RAW : Transport.SOCKJS));
    }
    try {
      int i = 0;
      // Four senders, each well under its 50 frames a second.
      Pacer pacer = new Pacer(100);
      for (String name : badNames(new Random(seed), count)) {
        pacer.pace();
        BridgeClient sender = senders.get(i++ % senders.size());
        // Written by hand with every non-ASCII character escaped: a lone surrogate survives only as \\uXXXX in the JSON.
        String replyTo = java.util.UUID.randomUUID().toString();
        io.vertx.core.Future<JsonObject> reply = sender.next(f -> replyTo.equals(f.getString("address")));
        sender.writeText("{\"type\":\"send\",\"address\":\"oneloop.chat.send\",\"replyAddress\":\"" + replyTo
          + "\",\"body\":{\"user\":\"" + jsonEscape(name) + "\",\"text\":\"hello\"}}");
        JsonObject answer = reply.await(BridgeClient.WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        stats.inputs.incrementAndGet();
        boolean refused = "err".equals(answer.getString("type")) && Integer.valueOf(400).equals(answer.getInteger("failureCode"));
        boolean limited = "err".equals(answer.getString("type")) && "rate_limited".equals(answer.getString("body"));
        if (!refused && !limited) {
          violation(stats, "the chat name " + escape(name) + " got " + answer.encode());
        }
      }
      if (watcher.backlog().stream().anyMatch(f -> "rec".equals(f.getString("type")) && f.getJsonObject("body") != null
        && f.getJsonObject("body").containsKey("text"))) {
        violation(stats, "a message under a refused name was published: " + watcher.backlog());
      }
    } finally {
      watcher.close();
      senders.forEach(BridgeClient::close);
    }
  }

  /** {@code text} as the inside of a JSON string, every character outside printable ASCII as a \\uXXXX escape. */
  private static String jsonEscape(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        out.append(c);
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out.toString();
  }

  private static String escape(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints().forEach(c -> out.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\u{%x}", c)));
    return out.toString();
  }

  // --- Publish floods ---------------------------------------------------------------------------

  /**
   * {@code count} calls of {@code POST /api/publish} from 4 threads as fast as they go: large
   * {@code addresses} lists that meet http.maxPublishPerSecond, single publishes, oneloop.* headers
   * and addresses not permitted. Each answer is 200, 400, 403 or 429 (with Retry-After) as its
   * shape says, and the flood meets the rate limit.
   */
  static void publishFlood(Stats stats, Target t, int count) throws Exception {
    java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + t.port() + "/api/publish");
    io.vertx.core.json.JsonArray many = new io.vertx.core.json.JsonArray();
    for (int i = 0; i < 100; i++) {
      many.add(PUBLISHED);
    }
    java.util.concurrent.atomic.AtomicLong limited = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      Thread thread = new Thread(() -> {
        for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
          JsonObject body = new JsonObject().put("body", new JsonObject().put("n", i));
          java.util.Set<Integer> expected = switch (i % 4) {
            case 0 -> { body.put("addresses", many); yield java.util.Set.of(200, 429); }
            case 1 -> { body.put("address", PUBLISHED); yield java.util.Set.of(200, 429); }
            case 2 -> { body.put("address", PUBLISHED).put("headers", new JsonObject().put("oneloop.seq", "1")); yield java.util.Set.of(400); }
            default -> { body.put("address", "not.outbound." + i); yield java.util.Set.of(403); }
          };
          try {
            java.net.http.HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .timeout(java.time.Duration.ofSeconds(30))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body.encode())).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
            stats.inputs.incrementAndGet();
            stats.status(response.statusCode(), "POST /api/publish shape " + (i % 4));
            if (!expected.contains(response.statusCode())) {
              violation(stats, "publish shape " + (i % 4) + " was answered " + response.statusCode() + ": " + response.body());
            }
            if (response.statusCode() == 429) {
              limited.incrementAndGet();
              if (response.headers().firstValue("Retry-After").isEmpty()) {
                violation(stats, "a 429 came without Retry-After");
              }
            }
          } catch (Exception e) {
            violation(stats, "publish " + i + " failed: " + e);
          }
        }
      }, "abuse-publish-" + w);
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join(600_000);
    }
    stats.details.put("rateLimited", limited.get());
    if (count >= 100 && limited.get() == 0) {
      violation(stats, count + " publishes of up to 100 addresses each never met http.maxPublishPerSecond");
    }
  }

  // --- Authorizer stalls ------------------------------------------------------------------------

  /**
   * {@code sockets} raw and SockJS clients each send 20 frames to addresses the authorizer never
   * answers about: each frame gets access_denied (after bridge.authorizerTimeoutMs; at most 64 a
   * socket may have waiting) or rate_limited at once, and the socket stays usable.
   */
  static void authorizerStalls(Stats stats, Target t, Vertx vertx, int sockets) throws Exception {
    List<BridgeClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < sockets; i++) {
        clients.add(BridgeClient.connect(vertx, t.port(), i % 2 == 0 ? Transport.RAW : Transport.SOCKJS));
      }
      for (BridgeClient client : clients) {
        for (int k = 0; k < 20; k++) {
          if (k % 2 == 0) {
            client.register("hang." + k);
          } else {
            client.publish("hang." + k, k);
          }
          stats.inputs.incrementAndGet();
        }
      }
      long denied = 0;
      long limited = 0;
      for (BridgeClient client : clients) {
        for (int k = 0; k < 20; k++) {
          String err = client.await(BridgeClient.isErr()).getString("body");
          if ("access_denied".equals(err)) {
            denied++;
          } else if ("rate_limited".equals(err)) {
            limited++;
          } else {
            violation(stats, "a frame held by a stalled authorizer got " + err);
          }
        }
        client.register("oneloop.ticker");
        client.await(BridgeClient.isRec("oneloop.ticker"));
      }
      stats.details.put("accessDenied", denied);
      stats.details.put("rateLimited", limited);
      if (denied + limited != 20L * sockets || denied == 0) {
        violation(stats, "expected " + 20L * sockets + " frames denied or rate_limited, some denied; got " + denied
          + " access_denied, " + limited + " rate_limited");
      }
    } finally {
      clients.forEach(BridgeClient::close);
    }
  }
}
