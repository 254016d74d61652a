package io.oneloop.process;

import io.oneloop.support.AppProcess;
import io.oneloop.support.RawSocket;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Attacks on the running jar, one method per class of attack, each sized by {@link Scale}, and the
 * invariants measured around each: the process stays up, nothing answers 5xx but the documented
 * 503, the heap after a full GC comes back to within 10 %, {@code /metrics} stays within twice its
 * size, the log grows by less than 100 KB/s, a client watching the ticker sees no gap over twice
 * the tick interval, and the resident set comes back to within a margin once the clients are gone.
 * A class that kills the process is recorded and the next class starts a fresh one. The inputs are
 * drawn from fixed seeds; every loop and wait is bounded.
 */
final class AbuseSuite implements AutoCloseable {

  static final long TICK_MS = 500;
  static final int REQUEST_TIMEOUT_MS = 1000;
  static final String TOKEN = "abuse-viewer-0123456789abcdefghij";
  static final String HISTORY_REGEX = "acme\\.[a-z0-9.]+";
  static final String SLOW_FEED = "slow.feed";
  /** Addresses with presence (and join/leave events): {@value #ROOMS} rooms. */
  static final String ROOM_REGEX = "room\\.[0-9]+";
  static final int ROOMS = 200;
  /** Low bounds, so 10,000 registrations pass both: 50 per room over a bound of 40, 8,000 over a bound of 5,000. */
  static final int MAX_PRESENCE_ENTRIES = 5000;
  static final int MAX_PRESENCE_PER_ADDRESS = 40;
  /** How long a regex history lives after its last client left: the history class waits this out before weighing the heap. */
  static final int HISTORY_TTL_MS = 20_000;
  static final double HEAP_MARGIN = 0.10;
  static final long LOG_BYTES_PER_SECOND = 100 * 1024;
  /** Loose: the JVM keeps some of what it once committed (heap regions, Netty's direct arenas). */
  static final long RSS_MARGIN_KB = 160 * 1024;
  static final List<String> JVM_ARGS = List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError");
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
  private static final Pattern VM_RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** How big each class is: short in CI, long as a benchmark. */
  enum Scale {
    SHORT(1), MEDIUM(3), LONG(10);

    final int factor;

    Scale(int factor) {
      this.factor = factor;
    }

    static Scale fromProperty() {
      return valueOf(System.getProperty("abuse.scale", "short").toUpperCase(Locale.ROOT));
    }
  }

  /** One app process (restarted when a class killed it), with the ticker watcher on it. */
  static final class Target {
    final String name;
    final Map<String, String> env;
    final String token;
    AppProcess app;
    TickWatch ticks;
    int starts;
    final List<String> exits = new ArrayList<>();

    Target(String name, Map<String, String> env, String token) {
      this.name = name;
      this.env = env;
      this.token = token;
    }

    int port() {
      return app.port();
    }

    /** {@code ?token=...} for bridge URLs when auth is on, else empty. */
    String tokenQuery() {
      return token == null ? "" : "?token=" + token;
    }
  }

  /** What one run of an attack did; thread-safe. */
  static final class Stats {
    final AtomicLong inputs = new AtomicLong();
    final List<String> serverErrors = Collections.synchronizedList(new ArrayList<>());
    final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    final Map<String, Object> details = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();

    void status(int status, String what) {
      statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
      if (status >= 500 && status != 503 && serverErrors.size() < 20) {
        serverErrors.add(status + " for " + what);
      }
    }

    long fiveXx() {
      return statuses.entrySet().stream().filter(e -> e.getKey() >= 500 && e.getKey() != 503).mapToLong(e -> e.getValue().get()).sum();
    }
  }

  @FunctionalInterface
  interface Attack {
    /** Runs the attack; {@code warmUp}: a token amount, so what the server keeps for good once used is there before it is weighed. */
    void run(Stats stats, boolean warmUp) throws Exception;
  }

  /** The figures of one class. */
  record ClassResult(String name, String scale, long inputs, int exits, long fiveXx, long heapBeforeBytes, long heapAfterBytes,
                     long metricsBeforeBytes, long metricsAfterBytes, long logBytesPerSecond, long tickGapMs, long rssBeforeKb,
                     long rssAfterKb, long durationMs, Map<String, Object> details, List<String> violations) {

    JsonObject toJson() {
      return new JsonObject().put("class", name).put("scale", scale).put("inputs", inputs).put("exits", exits).put("fiveXx", fiveXx)
        .put("heapBeforeBytes", heapBeforeBytes).put("heapAfterGcBytes", heapAfterBytes)
        .put("metricsBeforeBytes", metricsBeforeBytes).put("metricsAfterBytes", metricsAfterBytes)
        .put("logBytesPerSecond", logBytesPerSecond).put("tickGapMs", tickGapMs)
        .put("rssBeforeKb", rssBeforeKb).put("rssAfterKb", rssAfterKb).put("durationMs", durationMs)
        .put("details", new JsonObject(new LinkedHashMap<>(details))).put("violations", new JsonArray(List.copyOf(violations)));
    }

    String summary() {
      return toJson().encodePrettily();
    }
  }

  final Scale scale;
  final Vertx vertx = Vertx.vertx();
  /** Auth off, with an authorizer that never answers about hang.* (the authorizer-stall class) and allows the rest. */
  final Target open = new Target("abuse", Map.of("ONELOOP_BRIDGE_AUTHORIZER", "io.oneloop.testtasks.TestAuthorizer",
    "ONELOOP_BRIDGE_AUTHORIZERTIMEOUTMS", Long.toString(AccessAbuse.AUTHORIZER_TIMEOUT_MS)), null);
  final Target authed = new Target("abuse-auth", Map.of("ONELOOP_AUTH_TOKENS", "watch:viewer:" + TOKEN,
    "ONELOOP_AUTH_JWT", new JsonObject().put("algorithm", "HS256").put("secret", AccessAbuse.JWT_SECRET).encode()), TOKEN);
  final List<ClassResult> results = Collections.synchronizedList(new ArrayList<>());
  /** Makes every SockJS session id of a run its own. */
  private final java.util.concurrent.atomic.AtomicInteger sessions = new java.util.concurrent.atomic.AtomicInteger();
  private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "abuse-watchdog");
    t.setDaemon(true);
    return t;
  });

  AbuseSuite(Scale scale) {
    this.scale = scale;
    // A run interrupted (Ctrl-C on Maven) still ends the processes it started, by their PIDs.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (Target t : List.of(open, authed)) {
        AppProcess app = t.app;
        if (app != null) {
          app.close();
        }
      }
    }, "abuse-cleanup"));
  }

  int n(int shortSize) {
    return shortSize * scale.factor;
  }

  // ---------------------------------------------------------------------------------------------
  // The app processes and the measurements
  // ---------------------------------------------------------------------------------------------

  static JsonObject config(int port) {
    JsonArray history = new JsonArray()
      .add(new JsonObject().put("address", "oneloop.ticker"))
      .add(new JsonObject().put("addressRegex", HISTORY_REGEX).put("ttlMs", HISTORY_TTL_MS));
    JsonArray outbound = new JsonArray().add(new JsonObject().put("address", "oneloop.ticker"))
      .add(new JsonObject().put("address", SLOW_FEED)).add(new JsonObject().put("addressRegex", HISTORY_REGEX))
      .add(new JsonObject().put("address", "oneloop.chat")).add(new JsonObject().put("address", AccessAbuse.PUBLISHED))
      .add(new JsonObject().put("addressRegex", "hang\\..*")).add(new JsonObject().put("addressRegex", ROOM_REGEX));
    JsonArray inbound = new JsonArray().add(new JsonObject().put("address", SLOW_FEED))
      .add(new JsonObject().put("addressRegex", HISTORY_REGEX)).add(new JsonObject().put("address", "oneloop.chat.send"))
      .add(new JsonObject().put("addressRegex", "hang\\..*"));
    return new JsonObject()
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", port).put("requestTimeoutMs", REQUEST_TIMEOUT_MS))
      .put("shutdownTimeoutMs", 5000)
      .put("bridge", new JsonObject().put("history", history).put("outbound", outbound).put("inbound", inbound)
        .put("presence", new JsonArray().add(new JsonObject().put("addressRegex", ROOM_REGEX).put("joinLeave", true)))
        .put("maxPresenceEntries", MAX_PRESENCE_ENTRIES).put("maxPresencePerAddress", MAX_PRESENCE_PER_ADDRESS))
      .put("tasks", new JsonArray().add(new JsonObject().put("name", "ticker").put("type", "ticker")
        .put("config", new JsonObject().put("intervalMs", TICK_MS).put("address", "oneloop.ticker"))));
  }

  /** Starts the target's process when it has none or it died (noting how), and its watcher when that was closed. */
  void ensureRunning(Target t) throws Exception {
    if (t.app != null && !t.app.alive()) {
      t.exits.add("exit code " + t.app.exitCode());
      t.app = null;
    }
    if (t.app == null) {
      if (t.ticks != null) {
        t.ticks.close();
        t.ticks = null;
      }
      t.starts++;
      String name = t.name + "-" + t.starts;
      t.app = AppProcess.launch(name, config(AppProcess.freePort()), t.env, JVM_ARGS);
      t.app.awaitServing();
    }
    if (t.ticks == null || t.ticks.closed()) {
      if (t.ticks != null) {
        t.ticks.close();
      }
      t.ticks = TickWatch.start(vertx, t.port(), t.token);
    }
  }

  /** Runs one class: warm-up, the measurements before, the attack, the measurements after. */
  ClassResult run(String name, Target t, long settleAfterMs, String gapNote, Attack attack) throws Exception {
    ensureRunning(t);
    Stats warm = new Stats();
    attack.run(warm, true);
    ensureRunning(t);
    int exitsBefore = t.exits.size();
    Stats stats = new Stats();
    long heapBefore = heapAfterGc(t);
    long metricsBefore = metricsBytes(t, stats);
    long rssBefore = rssKb(t);
    AppProcess app = t.app;
    long logBefore = app.outputBytes();
    t.ticks.phase = name;
    t.ticks.beginMeasuring();
    long start = System.nanoTime();
    try {
      attack.run(stats, false);
    } catch (Exception | AssertionError e) {
      stats.violations.add("the attack itself failed: " + e);
    }
    // Two more ticks (bounded): lines the server logs as it notices closed connections land in this class.
    t.ticks.awaitTicks(2, 3000);
    long gap = t.ticks.endMeasuring();
    long durationMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    long logBytes = app.outputBytes() - logBefore;
    long logRate = logBytes * 1000 / Math.max(1000, durationMs);
    List<String> violations = new ArrayList<>(stats.violations);
    long heapAfter = -1;
    long metricsAfter = -1;
    long rssAfter = -1;
    if (t.app == null || !t.app.alive()) {
      AppProcess dead = t.app == null ? app : t.app;
      violations.add("the process exited (code " + dead.exitCode() + ") during the class; last lines:\n" + tail(dead.output(), 6));
      if (t.app != null) {
        t.exits.add("exit code " + dead.exitCode() + " during " + name);
        t.app = null;
      }
    } else {
      if (settleAfterMs > 0) {
        t.ticks.awaitTicks((int) (settleAfterMs / TICK_MS), settleAfterMs + 5000);
      }
      heapAfter = heapAfterGc(t);
      for (int i = 0; i < 5 && heapAfter > heapBefore * (1 + HEAP_MARGIN); i++) {
        t.ticks.awaitTicks(2, 3000);
        heapAfter = heapAfterGc(t);
      }
      metricsAfter = metricsBytes(t, stats);
      rssAfter = rssKb(t);
      probe(t, stats, "health");
      if (heapAfter > heapBefore * (1 + HEAP_MARGIN)) {
        violations.add(String.format("heap after GC %,d KiB, before %,d KiB (more than %d %%)", heapAfter / 1024, heapBefore / 1024,
          (int) (HEAP_MARGIN * 100)));
      }
      if (metricsAfter > 2 * metricsBefore) {
        violations.add(String.format("/metrics %,d bytes, before %,d", metricsAfter, metricsBefore));
      }
      if (rssAfter > rssBefore + RSS_MARGIN_KB) {
        violations.add(String.format("RSS %,d KiB, before %,d KiB (margin %,d KiB)", rssAfter, rssBefore, RSS_MARGIN_KB));
      }
    }
    if (stats.fiveXx() > 0) {
      violations.add(stats.fiveXx() + " answers 5xx (not 503), e.g. " + stats.serverErrors.subList(0, Math.min(3, stats.serverErrors.size())));
    }
    if (logRate > LOG_BYTES_PER_SECOND) {
      violations.add(String.format("log %,d bytes/s (%,d bytes in %,d ms)", logRate, logBytes, durationMs));
    }
    if (gap > 2 * TICK_MS) {
      violations.add("tick gap " + gap + " ms (interval " + TICK_MS + " ms)" + (gapNote == null ? "" : "; " + gapNote));
    }
    Map<String, Object> details = new LinkedHashMap<>(stats.details);
    if (!stats.statuses.isEmpty()) {
      Map<String, Object> statuses = new java.util.TreeMap<>();
      stats.statuses.forEach((k, v) -> statuses.put(Integer.toString(k), v.get()));
      details.put("statuses", statuses);
    }
    ClassResult result = new ClassResult(name, scale.name().toLowerCase(Locale.ROOT), stats.inputs.get(), t.exits.size() - exitsBefore,
      stats.fiveXx(), heapBefore, heapAfter, metricsBefore, metricsAfter, logRate, gap, rssBefore, rssAfter, durationMs, details,
      violations);
    results.add(result);
    System.out.println("AbuseSuite " + result.summary());
    return result;
  }

  /** The server's heap in use right after a full GC, from {@code jcmd}; -1 if it could not be read. */
  private static long heapAfterGc(Target t) throws Exception {
    jcmd(t.app.pid(), "GC.run");
    Matcher used = HEAP_USED.matcher(jcmd(t.app.pid(), "GC.heap_info"));
    return used.find() ? Long.parseLong(used.group(1)) * 1024 : -1;
  }

  private static String jcmd(long pid, String command) throws Exception {
    Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
    String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
      jcmd.destroyForcibly();
    }
    return output;
  }

  private static long rssKb(Target t) {
    try {
      Matcher rss = VM_RSS.matcher(Files.readString(Path.of("/proc", Long.toString(t.app.pid()), "status")));
      return rss.find() ? Long.parseLong(rss.group(1)) : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  private long metricsBytes(Target t, Stats stats) {
    HttpResponse<byte[]> response = get(t, "metrics", Duration.ofSeconds(30));
    if (response == null) {
      stats.violations.add("GET /metrics got no answer");
      return -1;
    }
    stats.status(response.statusCode(), "GET /metrics");
    return response.body().length;
  }

  private void probe(Target t, Stats stats, String path) {
    HttpResponse<byte[]> response = get(t, path, Duration.ofSeconds(5));
    if (response == null) {
      stats.violations.add("GET /" + path + " got no answer after the class");
    } else {
      stats.status(response.statusCode(), "GET /" + path + " after the class");
    }
  }

  private static HttpResponse<byte[]> get(Target t, String path, Duration timeout) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(t.app.url() + path)).timeout(timeout);
    if (t.token != null) {
      request.header("Authorization", "Bearer " + t.token);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static String tail(String text, int lines) {
    List<String> all = text.lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /** Closes {@code c} after {@code ms}, so a write the server stopped reading cannot block past it. */
  private java.util.concurrent.ScheduledFuture<?> closeAfter(AutoCloseable c, long ms) {
    return watchdog.schedule(() -> {
      try {
        c.close();
      } catch (Exception e) {
        // already closed
      }
    }, ms, TimeUnit.MILLISECONDS);
  }

  private static void runAll(int threads, List<java.util.concurrent.Callable<Void>> tasks, long timeoutMs) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Void>> done = pool.invokeAll(tasks, timeoutMs, TimeUnit.MILLISECONDS);
      for (Future<Void> f : done) {
        if (!f.isCancelled()) {
          f.get();
        }
      }
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Control frames and fragmentation
  // ---------------------------------------------------------------------------------------------

  /**
   * One socket with a 4 KiB receive buffer that never reads and sends masked 125-byte pings as fast
   * as it can for {@code millis}: a server that bounds what waits for a client resets it.
   */
  void pingFlood(Stats stats, Target t, String path, long millis) throws Exception {
    byte[] one = RawSocket.frame(true, 0x9, "p".repeat(125).getBytes(StandardCharsets.US_ASCII));
    byte[] batch = new byte[one.length * 32];
    for (int i = 0; i < 32; i++) {
      System.arraycopy(one, 0, batch, i * one.length, one.length);
    }
    String label = path.contains("/000/") ? "SockJS" : "raw";
    RawSocket socket;
    try {
      socket = RawSocket.connect(t.port(), path, 4096);
    } catch (IOException e) {
      stats.details.put(label + ": handshake", e.getMessage());
      return;
    }
    AtomicLong sent = new AtomicLong();
    AtomicLong resetAfterMs = new AtomicLong(-1);
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(millis);
    var closer = closeAfter(socket, millis + 1000);
    Thread sender = new Thread(() -> {
      try {
        while (System.nanoTime() < deadline) {
          socket.sendRaw(batch);
          sent.addAndGet(32);
        }
      } catch (IOException e) {
        if (System.nanoTime() < deadline + TimeUnit.MILLISECONDS.toNanos(900)) {
          resetAfterMs.set(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
      }
    }, "abuse-ping-flood");
    sender.start();
    sender.join(millis + 5000);
    closer.cancel(false);
    socket.close();
    sender.join(5000);
    stats.inputs.addAndGet(sent.get());
    stats.details.put(label + ": pings sent", sent.get());
    if (resetAfterMs.get() >= 0 && !t.app.alive()) {
      // The connection ended because the process did (an OutOfMemoryError): no reset by a working server.
      stats.details.put(label + ": reset after ms", "never: the process exited after " + resetAfterMs.get() + " ms");
      stats.violations.add(String.format("the %s ping flooder was not reset; the process exited after %,d ms (%,d pings sent)", label,
        resetAfterMs.get(), sent.get()));
      return;
    }
    stats.details.put(label + ": reset after ms", resetAfterMs.get() < 0 ? "never" : resetAfterMs.get());
    if (resetAfterMs.get() < 0) {
      stats.violations.add(String.format("the %s ping flooder (never reading) was not reset in %,d ms; %,d pings sent", label, millis,
        sent.get()));
    }
  }

  /**
   * An empty first text fragment, an empty final continuation, then {@code frames} one-byte text
   * frames, in batches: each may cost the server a logged stack trace.
   */
  void emptyFragment(Stats stats, Target t, String label, String path, int frames) throws Exception {
    try (RawSocket socket = RawSocket.connect(t.port(), path, 1 << 20)) {
      var closer = closeAfter(socket, 20_000L + frames);
      byte[] one = RawSocket.frame(true, 0x1, new byte[] {'1'});
      byte[] batch = new byte[one.length * 50];
      for (int i = 0; i < 50; i++) {
        System.arraycopy(one, 0, batch, i * one.length, one.length);
      }
      int sent = 0;
      String end = "still open";
      try {
        socket.sendFrame(false, 0x1, new byte[0]);
        socket.sendFrame(true, 0x0, new byte[0]);
        while (sent < frames) {
          socket.sendRaw(batch);
          sent += 50;
        }
      } catch (IOException e) {
        end = "closed by the server after " + sent + " frames";
      }
      closer.cancel(false);
      stats.inputs.addAndGet(sent + 2);
      stats.details.put(label + ": one-byte frames sent", sent);
      stats.details.put(label + ": socket", end);
    }
  }

  /**
   * A message over {@code bytes}, fragmented in 32 KiB pieces or as one frame, then what the server
   * answers: it is to close with 1009 (on SockJS a close frame or {@code c[1009,...]}).
   */
  String oversize(Target t, boolean sockJs, boolean fragmented, int bytes) throws Exception {
    String frame = "{\"type\":\"publish\",\"address\":\"acme.big\",\"body\":\"" + "x".repeat(bytes) + "\"}";
    String text = sockJs ? new JsonArray().add(frame).encode() : frame;
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    String path = sockJs ? "/eventbus/000/oversize/websocket" : "/eventbus/websocket";
    try (RawSocket socket = RawSocket.connect(t.port(), path, 1 << 20)) {
      var closer = closeAfter(socket, 20_000);
      String writeNote = "";
      try {
        if (fragmented) {
          int piece = 32 * 1024;
          for (int at = 0; at < payload.length; at += piece) {
            int end = Math.min(payload.length, at + piece);
            byte[] part = java.util.Arrays.copyOfRange(payload, at, end);
            socket.sendFrame(end == payload.length, at == 0 ? 0x1 : 0x0, part);
          }
        } else {
          socket.sendFrame(true, 0x1, payload);
        }
      } catch (IOException e) {
        writeNote = " (the write failed: " + e.getMessage() + ")";
      }
      String outcome = "no answer in 3 s, socket open";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      try {
        while (System.nanoTime() < deadline) {
          RawSocket.Frame got = socket.readFrame(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
          if (got == null) {
            break;
          }
          if (got.opcode() == 0x8) {
            outcome = "close " + got.closeCode();
            break;
          }
          String body = got.text();
          if (body.startsWith("c[")) {
            outcome = "SockJS " + body;
            break;
          }
          if (body.contains("\"err\"") || body.contains("\\\"err\\\"")) {
            outcome = "err frame " + body.substring(0, Math.min(120, body.length())) + ", socket open";
          }
        }
      } catch (EOFException e) {
        outcome = outcome.startsWith("err") ? outcome.replace(", socket open", "") + ", then EOF without a close frame" : "EOF without a close frame";
      } catch (SocketException e) {
        outcome = "reset without a close frame";
      }
      closer.cancel(false);
      return outcome + writeNote;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP: invented methods, odd headers, trickles, chunking_test, aborted uploads
  // ---------------------------------------------------------------------------------------------

  private static String letters(Random random, int length) {
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      int c = random.nextInt(52);
      s.append((char) (c < 26 ? 'A' + c : 'a' + c - 26));
    }
    return s.toString();
  }

  /** {@code count} requests {@code <invented method> /x HTTP/1.1} with odd headers, each on its own connection, four at a time. */
  void inventedMethods(Stats stats, Target t, int count, long seed) throws Exception {
    Random random = new Random(seed);
    List<java.util.concurrent.Callable<Void>> tasks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int kind = random.nextInt(10);
      String method = letters(random, kind < 7 ? 3 + random.nextInt(10) : kind < 9 ? 13 + random.nextInt(90) : 100 + random.nextInt(900));
      StringBuilder head = new StringBuilder(method).append(" /x HTTP/1.1\r\nHost: 127.0.0.1:").append(t.port()).append("\r\n");
      for (int h = random.nextInt(5); h > 0; h--) {
        head.append(switch (random.nextInt(8)) {
          case 0 -> "X-" + letters(random, 1 + random.nextInt(30)) + ": " + letters(random, random.nextInt(200)) + "\r\n";
          case 1 -> letters(random, 1 + random.nextInt(60)) + ":" + letters(random, random.nextInt(20)) + "\r\n";
          case 2 -> "Accept: */*;q=" + letters(random, 3) + "\r\n";
          case 3 -> "X-Empty:\r\n";
          case 4 -> "X-Folded: a\r\n\tfolded " + letters(random, 5) + "\r\n";
          case 5 -> "Transfer-Encoding: identity\r\n";
          case 6 -> "Cookie: " + "a=b; ".repeat(1 + random.nextInt(50)) + "\r\n";
          default -> "Upgrade: " + letters(random, 1 + random.nextInt(10)) + "\r\n";
        });
      }
      boolean body = random.nextInt(4) == 0;
      head.append(body ? "Content-Length: 5\r\n" : "").append("Connection: close\r\n\r\n").append(body ? "hello" : "");
      String request = head.toString();
      tasks.add(() -> {
        String response = exchange(t.port(), request.getBytes(StandardCharsets.ISO_8859_1), 5000);
        int status = response.startsWith("HTTP/1.") && response.length() >= 12 ? Integer.parseInt(response.substring(9, 12)) : -1;
        stats.status(status, request.substring(0, Math.min(80, request.indexOf(' ') + 10)));
        stats.inputs.incrementAndGet();
        return null;
      });
    }
    runAll(4, tasks, 120_000L * scale.factor);
  }

  /** One request on its own connection; what came back until the server closed it (or the read time-out). */
  static String exchange(int port, byte[] request, int timeoutMs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(timeoutMs);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[16384];
      for (int n = in.read(buffer); n >= 0 && out.size() < 1_000_000; n = in.read(buffer)) {
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      // closed, reset or timed out: what came back so far is the answer
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  /** The kinds of trickle: the request's beginning, what is trickled, and whether an earlier exchange comes first. */
  private record Trickle(String name, String before, String head, byte trickled) {
  }

  /**
   * {@code perKind} connections of each kind that send a request one byte every 100 ms: each is to
   * be cut within twice {@code http.requestTimeoutMs} of its first byte.
   */
  void trickles(Stats stats, Target t, int perKind) throws Exception {
    String host = "Host: 127.0.0.1:" + t.port() + "\r\n";
    List<Trickle> kinds = List.of(
      new Trickle("body, POST /api/jobs with Upgrade: foo", null,
        "POST /api/jobs HTTP/1.1\r\n" + host + "Upgrade: foo\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n", (byte) ' '),
      new Trickle("body, POST xhr_send with Upgrade: foo", null,
        "POST /eventbus/000/trickle/xhr_send HTTP/1.1\r\n" + host + "Upgrade: foo\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n",
        (byte) ' '),
      new Trickle("body, POST /api/jobs", null,
        "POST /api/jobs HTTP/1.1\r\n" + host + "Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n", (byte) ' '),
      new Trickle("headers", null, "GET /health HTTP/1.1\r\n" + host + "X-Trickle: ", (byte) 'a'),
      new Trickle("headers after a request with Upgrade: foo", "GET /health HTTP/1.1\r\n" + host + "Upgrade: foo\r\n\r\n",
        "GET /health HTTP/1.1\r\n" + host + "X-Trickle: ", (byte) 'a'));
    long limitMs = 2L * REQUEST_TIMEOUT_MS;
    long giveUpMs = limitMs + 3000;
    Map<String, AtomicLong> worst = new ConcurrentHashMap<>();
    Map<String, AtomicLong> neverCut = new ConcurrentHashMap<>();
    List<java.util.concurrent.Callable<Void>> tasks = new ArrayList<>();
    for (Trickle kind : kinds) {
      worst.put(kind.name(), new AtomicLong());
      neverCut.put(kind.name(), new AtomicLong());
      for (int i = 0; i < perKind; i++) {
        tasks.add(() -> {
          long cutMs = trickle(t.port(), kind, giveUpMs, stats);
          stats.inputs.incrementAndGet();
          if (cutMs < 0) {
            neverCut.get(kind.name()).incrementAndGet();
          } else {
            worst.get(kind.name()).accumulateAndGet(cutMs, Math::max);
          }
          return null;
        });
      }
    }
    runAll(tasks.size(), tasks, giveUpMs + 30_000);
    for (Trickle kind : kinds) {
      long never = neverCut.get(kind.name()).get();
      long worstMs = worst.get(kind.name()).get();
      stats.details.put("trickle " + kind.name() + ": worst cut ms", never > 0 ? "not cut in " + giveUpMs + " ms (" + never + " of " + perKind + ")" : worstMs);
      if (never > 0 || worstMs > limitMs) {
        stats.violations.add(String.format("trickle (%s): %s, limit %d ms (http.requestTimeoutMs %d)", kind.name(),
          never > 0 ? never + " of " + perKind + " not cut in " + giveUpMs + " ms" : "cut after " + worstMs + " ms", limitMs, REQUEST_TIMEOUT_MS));
      }
    }
  }

  /** Milliseconds from the request's first byte to the server's answer or close; -1 if still open after {@code giveUpMs}. */
  private static long trickle(int port, Trickle kind, long giveUpMs, Stats stats) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      InputStream in = socket.getInputStream();
      if (kind.before() != null) {
        socket.getOutputStream().write(kind.before().getBytes(StandardCharsets.ISO_8859_1));
        socket.setSoTimeout(5000);
        String head = readHead(in);
        stats.status(head.length() >= 12 && head.startsWith("HTTP/1.") ? Integer.parseInt(head.substring(9, 12)) : -1, "the request before a trickle");
        drainBody(in, head);
      }
      long start = System.nanoTime();
      socket.getOutputStream().write(kind.head().getBytes(StandardCharsets.ISO_8859_1));
      socket.setSoTimeout(100);
      byte[] buffer = new byte[4096];
      while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(giveUpMs)) {
        try {
          socket.getOutputStream().write(kind.trickled());
          int got = in.read(buffer);
          if (got > 0) {
            String answer = new String(buffer, 0, got, StandardCharsets.ISO_8859_1);
            stats.status(answer.startsWith("HTTP/1.") && got >= 12 ? Integer.parseInt(answer.substring(9, 12)) : -1, "a trickle (" + kind.name() + ")");
          }
          return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        } catch (SocketTimeoutException e) {
          // nothing from the server yet: the next byte
        } catch (IOException e) {
          return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        }
      }
      return -1;
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (out.size() < 65536 && !out.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      out.write(b);
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  private static void drainBody(InputStream in, String head) throws IOException {
    Matcher length = Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(head);
    if (length.find()) {
      in.readNBytes(Integer.parseInt(length.group(1)));
    }
  }

  /** {@code count} {@code POST /eventbus/chunking_test} and {@code count} uploads to {@code xhr_send} cut after 10 of 100 bytes. */
  void chunkingAndAborted(Stats stats, Target t, int count) throws Exception {
    List<java.util.concurrent.Callable<Void>> tasks = new ArrayList<>();
    byte[] chunking = ("POST /eventbus/chunking_test HTTP/1.1\r\nHost: 127.0.0.1:" + t.port()
      + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    byte[] aborted = ("POST /eventbus/000/abc/xhr_send HTTP/1.1\r\nHost: 127.0.0.1:" + t.port()
      + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[\"abcdefg\"").getBytes(StandardCharsets.ISO_8859_1);
    AtomicLong chunkingSent = new AtomicLong();
    AtomicLong abortedSent = new AtomicLong();
    for (int i = 0; i < count; i++) {
      tasks.add(() -> {
        String response = exchange(t.port(), chunking, 5000);
        stats.status(response.startsWith("HTTP/1.") && response.length() >= 12 ? Integer.parseInt(response.substring(9, 12)) : -1,
          "POST /eventbus/chunking_test");
        chunkingSent.incrementAndGet();
        stats.inputs.incrementAndGet();
        return null;
      });
      tasks.add(() -> {
        try (Socket socket = new Socket("127.0.0.1", t.port())) {
          socket.getOutputStream().write(aborted);
          socket.getOutputStream().flush();
        }
        abortedSent.incrementAndGet();
        stats.inputs.incrementAndGet();
        return null;
      });
    }
    runAll(4, tasks, 120_000L * scale.factor);
    stats.details.put("chunking_test requests", chunkingSent.get());
    stats.details.put("aborted uploads", abortedSent.get());
  }

  // ---------------------------------------------------------------------------------------------
  // Bridge sockets: churn, history, slow readers
  // ---------------------------------------------------------------------------------------------

  /** {@code perPath} raw and {@code perPath} SockJS WebSockets opened, registered and closed (politely, by FIN, or by reset), four at a time. */
  void churn(Stats stats, Target t, int perPath) throws Exception {
    Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
    List<java.util.concurrent.Callable<Void>> tasks = new ArrayList<>();
    for (int i = 0; i < 2 * perPath; i++) {
      int n = i;
      boolean sockJs = n % 2 == 1;
      tasks.add(() -> {
        String path = sockJs ? String.format("/eventbus/%03d/churn%05d/websocket", n % 1000, n) : "/eventbus/websocket";
        String register = "{\"type\":\"register\",\"address\":\"oneloop.ticker\"}";
        try {
          RawSocket socket = RawSocket.connect(t.port(), path, 65536);
          try {
            socket.sendText(sockJs ? new JsonArray().add(register).encode() : register);
            if (n % 3 == 0) {
              socket.sendFrame(true, 0x8, new byte[] {0x03, (byte) 0xE8});
            }
          } finally {
            if (n % 3 == 2) {
              socket.abort();
            } else {
              socket.close();
            }
          }
        } catch (IOException e) {
          failures.computeIfAbsent(String.valueOf(e.getMessage()).lines().findFirst().orElse("?"), k -> new AtomicLong()).incrementAndGet();
        }
        stats.inputs.incrementAndGet();
        return null;
      });
    }
    runAll(4, tasks, 120_000L * scale.factor);
    Map<String, Long> failed = new LinkedHashMap<>();
    failures.forEach((k, v) -> failed.put(k, v.get()));
    stats.details.put("sockets opened and closed", 2L * perPath);
    stats.details.put("failed handshakes", failed);
    long total = failed.values().stream().mapToLong(Long::longValue).sum();
    if (total > 0 && failed.keySet().stream().anyMatch(k -> !k.contains(" 503"))) {
      stats.violations.add(total + " handshakes failed: " + failed);
    }
  }

  /**
   * {@code registrations} registers on the presence rooms, 50 per socket (the rate limit's burst),
   * held open: the entries stay within both presence bounds (the rest still registered, untracked),
   * and each room's list within its bound. Then churn: the sockets go, half reset, half closed, and
   * as many again connect, register and go at once; every entry is to leave, and the gauge come back to 0.
   */
  void presence(Stats stats, Target t, int registrations) throws Exception {
    int sockets = (registrations + 49) / 50;
    List<RawSocket> held = Collections.synchronizedList(new ArrayList<>());
    byte[] ping = RawSocket.frame(true, 0x1, "{\"type\":\"ping\"}".getBytes(StandardCharsets.US_ASCII));
    List<java.util.concurrent.Callable<Void>> registrars = new ArrayList<>();
    for (int s = 0; s < sockets; s++) {
      int socketIndex = s;
      registrars.add(() -> {
        RawSocket socket = RawSocket.connect(t.port(), "/eventbus/websocket", 65536);
        held.add(socket);
        socket.sendRaw(registers(socketIndex, Math.min(50, registrations - socketIndex * 50), stats));
        socket.sendRaw(ping);
        return null;
      });
    }
    runAll(8, registrars, 120_000);
    held.forEach(socket -> {
      try {
        socket.sendRaw(ping);
      } catch (IOException e) {
        stats.violations.add("a socket holding presence entries was closed: " + e.getMessage());
      }
    });
    // What the bounds let through: per room at most its bound, in all at most the process's.
    int[] perRoom = new int[ROOMS];
    for (int r = 0; r < registrations; r++) {
      perRoom[r % ROOMS]++;
    }
    long expected = Math.min(MAX_PRESENCE_ENTRIES, java.util.Arrays.stream(perRoom).map(c -> Math.min(c, MAX_PRESENCE_PER_ADDRESS)).sum());
    long entries = awaitMetric(t, "oneloop_presence_entries", v -> v >= expected, 20_000);
    if (entries != expected) {
      stats.violations.add("presence entries with " + registrations + " registers held: " + entries + ", expected " + expected);
    }
    int worstRoom = 0;
    for (int room = 0; room < ROOMS; room += 10) {
      var answer = t.app.api("GET", "api/presence/room." + room, null);
      stats.status(answer.statusCode(), "GET /api/presence/room." + room);
      if (answer.statusCode() == 200) {
        worstRoom = Math.max(worstRoom, new JsonObject(answer.body()).getInteger("count"));
      }
    }
    if (worstRoom > MAX_PRESENCE_PER_ADDRESS) {
      stats.violations.add("a room lists " + worstRoom + " entries, over bridge.maxPresencePerAddress " + MAX_PRESENCE_PER_ADDRESS);
    }
    stats.details.put("presence registers held", registrations);
    stats.details.put("entries tracked (bound " + MAX_PRESENCE_ENTRIES + ")", entries);
    stats.details.put("most entries in a sampled room (bound " + MAX_PRESENCE_PER_ADDRESS + ")", worstRoom);
    List<java.util.concurrent.Callable<Void>> churn = new ArrayList<>();
    for (int s = 0; s < sockets; s++) {
      int socketIndex = s;
      RawSocket socket = held.get(s);
      churn.add(() -> {
        if (socketIndex % 2 == 0) {
          socket.abort();
        } else {
          socket.close();
        }
        try (RawSocket again = RawSocket.connect(t.port(), "/eventbus/websocket", 65536)) {
          again.sendRaw(registers(socketIndex + 7, 50, stats));
        }
        return null;
      });
    }
    runAll(8, churn, 120_000);
    long left = awaitMetric(t, "oneloop_presence_entries", v -> v == 0, 30_000);
    stats.details.put("entries left after the churn", left);
    if (left != 0) {
      stats.violations.add(left + " presence entries left once every socket had gone");
    }
  }

  /** Frames registering one socket's {@code count} rooms. */
  private static byte[] registers(int socketIndex, int count, Stats stats) throws IOException {
    ByteArrayOutputStream batch = new ByteArrayOutputStream();
    for (int k = 0; k < count; k++) {
      String address = "room." + ((socketIndex * 50 + k) % ROOMS);
      batch.write(RawSocket.frame(true, 0x1, ("{\"type\":\"register\",\"address\":\"" + address + "\",\"headers\":{\"oneloop.name\":\"n"
        + socketIndex + "\"}}").getBytes(StandardCharsets.US_ASCII)));
      stats.inputs.incrementAndGet();
    }
    return batch.toByteArray();
  }

  /** Polls a gauge of /metrics until {@code done} holds or {@code timeoutMs} passed; its last value (-1 if never read). */
  private static long awaitMetric(Target t, String name, java.util.function.LongPredicate done, long timeoutMs) throws InterruptedException {
    Pattern line = Pattern.compile("(?m)^" + name + " (\\S+)$");
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    long value = -1;
    while (System.nanoTime() < deadline) {
      var metrics = t.app.api("GET", "metrics", null);
      Matcher m = line.matcher(metrics.body());
      if (metrics.statusCode() == 200 && m.find()) {
        value = (long) Double.parseDouble(m.group(1));
        if (done.test(value)) {
          return value;
        }
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    return value;
  }

  /** A bridge socket that sends pings and {@code frames} paced below the rate limit until {@code deadline}; returns frames sent. */
  private long publishUntil(Target t, long deadlineNanos, java.util.function.IntFunction<byte[]> frameFor) throws Exception {
    long sent = 0;
    try (RawSocket socket = RawSocket.connect(t.port(), "/eventbus/websocket" + t.tokenQuery(), 65536)) {
      var closer = closeAfter(socket, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()) + 5000);
      byte[] ping = RawSocket.frame(true, 0x1, "{\"type\":\"ping\"}".getBytes(StandardCharsets.US_ASCII));
      long next = System.nanoTime();
      long nextPing = next;
      try {
        while (System.nanoTime() < deadlineNanos) {
          long now = System.nanoTime();
          if (now >= nextPing) {
            socket.sendRaw(ping);
            nextPing = now + TimeUnit.SECONDS.toNanos(3);
          }
          socket.sendRaw(frameFor.apply((int) sent));
          sent++;
          // 45 a second: under the default 50 with the pings, so nothing is refused as a flood
          next += TimeUnit.MILLISECONDS.toNanos(1000 / 45 + 1);
          long wait = next - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
        }
      } catch (IOException e) {
        // the server closed it (or the watchdog did): what was sent counts
      }
      closer.cancel(false);
    }
    return sent;
  }

  /**
   * Sockets register {@code addresses} addresses matching the history regex (50 per socket, the
   * rate limit's burst) and leave, then 12 sockets publish bodies of {@code bodyBytes} round-robin
   * to them for {@code publishMs}. The heap is weighed once the regex history's {@code ttlMs} has passed.
   */
  void history(Stats stats, Target t, String prefix, int addresses, long publishMs, int bodyBytes) throws Exception {
    List<java.util.concurrent.Callable<Void>> registrars = new ArrayList<>();
    for (int first = 0; first < addresses; first += 50) {
      int from = first;
      registrars.add(() -> {
        try (RawSocket socket = RawSocket.connect(t.port(), "/eventbus/websocket", 65536)) {
          ByteArrayOutputStream batch = new ByteArrayOutputStream();
          for (int a = from; a < Math.min(addresses, from + 50); a++) {
            batch.write(RawSocket.frame(true, 0x1, ("{\"type\":\"register\",\"address\":\"" + prefix + a + "\"}").getBytes(StandardCharsets.US_ASCII)));
            stats.inputs.incrementAndGet();
          }
          // Closed with a FIN right after: the server reads every frame before it sees the end.
          socket.sendRaw(batch.toByteArray());
        }
        return null;
      });
    }
    runAll(4, registrars, 60_000);
    String body = "x".repeat(bodyBytes);
    byte[][] payloads = new byte[Math.max(1, addresses)][];
    for (int a = 0; a < payloads.length; a++) {
      payloads[a] = ("{\"type\":\"publish\",\"address\":\"" + prefix + a + "\",\"body\":\"" + body + "\"}").getBytes(StandardCharsets.US_ASCII);
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(publishMs);
    AtomicLong published = new AtomicLong();
    List<java.util.concurrent.Callable<Void>> publishers = new ArrayList<>();
    for (int p = 0; p < 12; p++) {
      int offset = p * 7919;
      publishers.add(() -> {
        long sent = publishUntil(t, deadline, n -> RawSocket.frame(true, 0x1, payloads[(offset + n * 12) % payloads.length]));
        published.addAndGet(sent);
        stats.inputs.addAndGet(sent);
        return null;
      });
    }
    runAll(12, publishers, publishMs + 60_000);
    stats.details.put("addresses registered", addresses);
    stats.details.put(bodyBytes / 1000 + " KB publishes", published.get());
  }

  /**
   * {@code perTransport} clients on each of raw WS, SockJS WS, xhr_streaming and eventsource register
   * for a feed and never read (4 KiB receive buffers) while two sockets publish 60 KB bodies to it
   * for {@code publishMs}: each is to be closed by the server.
   */
  void slowReaders(Stats stats, Target t, int perTransport, long publishMs) throws Exception {
    String register = "{\"type\":\"register\",\"address\":\"" + SLOW_FEED + "\"}";
    Map<String, List<AutoCloseable>> readers = new LinkedHashMap<>();
    Map<String, List<java.util.concurrent.Callable<Boolean>>> ended = new LinkedHashMap<>();
    for (String transport : List.of("raw WS", "SockJS WS", "xhr_streaming", "eventsource")) {
      readers.put(transport, new ArrayList<>());
      ended.put(transport, new ArrayList<>());
    }
    try {
      for (int i = 0; i < perTransport; i++) {
        RawSocket raw = RawSocket.connect(t.port(), "/eventbus/websocket", 4096);
        readers.get("raw WS").add(raw);
        raw.sendText(register);
        ended.get("raw WS").add(() -> raw.awaitEnd(3000));
        RawSocket sockJs = RawSocket.connect(t.port(), String.format("/eventbus/%03d/slowws%d/websocket", i % 1000, sessions.incrementAndGet()), 4096);
        readers.get("SockJS WS").add(sockJs);
        sockJs.sendText(new JsonArray().add(register).encode());
        ended.get("SockJS WS").add(() -> sockJs.awaitEnd(3000));
        for (String transport : List.of("xhr_streaming", "eventsource")) {
          String session = "slow" + transport.charAt(0) + sessions.incrementAndGet();
          Socket socket = new Socket();
          socket.setReceiveBufferSize(4096);
          socket.connect(new InetSocketAddress("127.0.0.1", t.port()), 5000);
          readers.get(transport).add(socket);
          String path = "/eventbus/000/" + session + "/" + transport;
          socket.getOutputStream().write(((transport.equals("eventsource") ? "GET " : "POST ") + path + " HTTP/1.1\r\nHost: 127.0.0.1:"
            + t.port() + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
          // The session must be open before its xhr_send (else 404); from then on this client reads nothing.
          String opened = readUntil(socket, transport.equals("eventsource") ? "data: o" : "\no\n", 5000);
          if (opened == null) {
            stats.violations.add(transport + " session " + session + " did not open");
          }
          String send = exchange(t.port(), ("POST /eventbus/000/" + session + "/xhr_send HTTP/1.1\r\nHost: 127.0.0.1:" + t.port()
            + "\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: "
            + new JsonArray().add(register).encode().length() + "\r\n\r\n" + new JsonArray().add(register).encode())
            .getBytes(StandardCharsets.ISO_8859_1), 5000);
          stats.status(send.length() >= 12 && send.startsWith("HTTP/1.") ? Integer.parseInt(send.substring(9, 12)) : -1, "xhr_send register (" + transport + ")");
          ended.get(transport).add(() -> awaitEnd(socket, 3000));
        }
      }
      stats.inputs.addAndGet(4L * perTransport);
      byte[] payload = ("{\"type\":\"publish\",\"address\":\"" + SLOW_FEED + "\",\"body\":\"" + "y".repeat(60_000) + "\"}")
        .getBytes(StandardCharsets.US_ASCII);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(publishMs);
      AtomicLong published = new AtomicLong();
      List<java.util.concurrent.Callable<Void>> publishers = new ArrayList<>();
      for (int p = 0; p < 2; p++) {
        publishers.add(() -> {
          published.addAndGet(publishUntil(t, deadline, n -> RawSocket.frame(true, 0x1, payload)));
          return null;
        });
      }
      runAll(2, publishers, publishMs + 60_000);
      stats.inputs.addAndGet(published.get());
      stats.details.put("60 KB publishes", published.get());
      for (Map.Entry<String, List<java.util.concurrent.Callable<Boolean>>> transport : ended.entrySet()) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, transport.getValue().size()));
        long closed = 0;
        try {
          for (Future<Boolean> f : pool.invokeAll(transport.getValue(), 30, TimeUnit.SECONDS)) {
            closed += !f.isCancelled() && f.get() ? 1 : 0;
          }
        } finally {
          pool.shutdownNow();
        }
        stats.details.put(transport.getKey() + ": closed by the server", closed + " of " + transport.getValue().size());
        if (closed < transport.getValue().size()) {
          stats.violations.add(String.format("%s: %d of %d never-reading clients were not closed", transport.getKey(),
            transport.getValue().size() - closed, transport.getValue().size()));
        }
      }
    } finally {
      for (List<AutoCloseable> list : readers.values()) {
        for (AutoCloseable c : list) {
          c.close();
        }
      }
    }
  }

  /** Reads until {@code marker} came (at most 16 KiB, {@code timeoutMs}); what was read, or null if it did not come. */
  private static String readUntil(Socket socket, String marker, long timeoutMs) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buffer = new byte[1024];
    while (System.nanoTime() < deadline && got.size() < 16384) {
      socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      try {
        int n = in.read(buffer);
        if (n < 0) {
          return null;
        }
        got.write(buffer, 0, n);
        if (got.toString(StandardCharsets.ISO_8859_1).contains(marker)) {
          return got.toString(StandardCharsets.ISO_8859_1);
        }
      } catch (SocketTimeoutException e) {
        return null;
      }
    }
    return null;
  }

  /** Reads and drops until the connection ends; false if it is still open after {@code timeoutMs}. */
  private static boolean awaitEnd(Socket socket, long timeoutMs) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    InputStream in = socket.getInputStream();
    byte[] sink = new byte[64 * 1024];
    while (System.nanoTime() < deadline) {
      socket.setSoTimeout((int) Math.max(1, Math.min(500, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
      try {
        if (in.read(sink) < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        // nothing that time: look at the clock again
      } catch (SocketException e) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // Results
  // ---------------------------------------------------------------------------------------------

  /** The results as JSON, and a Markdown table for BENCHMARKS.md. */
  JsonObject resultsJson() {
    JsonArray classes = new JsonArray();
    List<ClassResult> copy;
    synchronized (results) {
      copy = List.copyOf(results);
    }
    copy.forEach(r -> classes.add(r.toJson()));
    return new JsonObject().put("scale", scale.name().toLowerCase(Locale.ROOT)).put("tickIntervalMs", TICK_MS)
      .put("requestTimeoutMs", REQUEST_TIMEOUT_MS).put("jvm", new JsonArray(JVM_ARGS))
      .put("finishedAt", java.time.Instant.now().toString()).put("commit", System.getProperty("abuse.commit", "unknown"))
      .put("classes", classes);
  }

  String markdown() {
    StringBuilder md = new StringBuilder("| class | inputs | exits | 5xx | heap after GC (before → after) | log rate | /metrics (before → after) | worst tick gap | RSS before → after | holds |\n"
      + "|---|---:|---:|---:|---|---:|---|---:|---|---|\n");
    synchronized (results) {
      for (ClassResult r : results) {
        md.append(String.format(Locale.ROOT, "| %s | %,d | %d | %d | %s → %s | %s/s | %s → %s | %,d ms | %s → %s | %s |%n", r.name(), r.inputs(), r.exits(),
          r.fiveXx(), mib(r.heapBeforeBytes()), mib(r.heapAfterBytes()), kb(r.logBytesPerSecond()), kb(r.metricsBeforeBytes()),
          kb(r.metricsAfterBytes()), r.tickGapMs(), mib(r.rssBeforeKb() * 1024), mib(r.rssAfterKb() * 1024),
          r.violations().isEmpty() ? "yes" : "**no** (" + r.violations().size() + ")"));
      }
    }
    return md.toString();
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "–" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  private static String kb(long bytes) {
    return bytes < 0 ? "–" : String.format(Locale.ROOT, "%,.1f KB", bytes / 1000.0);
  }

  void writeResults(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, resultsJson().encodePrettily() + "\n");
    Path md = file.resolveSibling(file.getFileName().toString().replaceAll("\\.json$", "") + ".md");
    Files.writeString(md, markdown());
  }

  @Override
  public void close() {
    for (Target t : List.of(open, authed)) {
      if (t.ticks != null) {
        t.ticks.close();
      }
      if (t.app != null) {
        t.app.close();
      }
    }
    watchdog.shutdownNow();
    vertx.close();
  }
}
