package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

import static io.oneloop.bench.harness.Bench.log;

/**
 * What the scenarios of one run share: the settings, the load generator and its publish steps,
 * the errors found, and what every scenario does with a peer's server (start it on a quiet
 * machine, await {@code /health}, connect the clients, stop it with SIGINT).
 */
final class Rig {

  /** Clock ticks per second of the CPU times in {@code /proc}. */
  static final long CLK_TCK = 100;

  final Settings s;
  final Path repo;
  final LoadGen gen;
  final Steps steps;
  final List<String> errors = new ArrayList<>();
  private final Path logDir;
  private int serial;

  Rig(Settings s, Path repo, LoadGen gen) {
    this.s = s;
    this.repo = repo;
    this.gen = gen;
    this.steps = new Steps(s, gen);
    this.logDir = repo.resolve("bench/target/logs/" + s.mode);
  }

  /**
   * Starts the peer's server once the machine is quiet, with {@code jvmFlags} added for a JVM
   * peer; its log is named after the round and {@code kind}.
   */
  Server start(Peer p, int round, String kind, List<String> jvmFlags) throws Exception {
    if (s.quietMaxWaitMs > 0) {
      steps.awaitQuietMachine(null);
    }
    String tag = "r" + round + "-" + kind + "-" + (++serial);
    return Server.start(p, s, repo, logDir, tag, jvmFlags);
  }

  Server start(Peer p, int round, String kind) throws Exception {
    return start(p, round, kind, List.of());
  }

  /** Starts one more server at once, beside those already starting (another node of a cluster). */
  Server startAlongside(Peer p, int round, String kind) throws Exception {
    String tag = "r" + round + "-" + kind + "-" + (++serial);
    return Server.start(p, s, repo, logDir, tag, List.of());
  }

  /** Waits for the first 200 on /health and records it as S3; the failure record when none came. */
  JsonObject awaitStart(JsonObject r, Peer p, Server srv) throws Exception {
    double startMs = srv.waitHealthy(60_000);
    if (startMs < 0) {
      return fail(r, p, srv, "no 200 on GET /health within 60 s");
    }
    r.put("s3StartMs", Json.round(startMs, 1));
    return null;
  }

  /**
   * A server just started, made ready to measure: S3 awaited, the clients connected, a settling
   * pause; the failure record when it did not start or not all clients connected.
   */
  JsonObject ready(JsonObject r, Peer p, Server srv) throws Exception {
    JsonObject notStarted = awaitStart(r, p, srv);
    if (notStarted != null) {
      return notStarted;
    }
    JsonObject notConnected = connectAll(r, p, srv);
    if (notConnected != null) {
      return notConnected;
    }
    sleep(s.settleMs);
    return null;
  }

  /** Connects the clients and records how many; the failure record when not all connected. */
  JsonObject connectAll(JsonObject r, Peer p, Server srv) throws Exception {
    long t = System.nanoTime();
    int connected = gen.connect(p.protocol, srv.port, p.wsPath, Peer.ADDRESS, s.clients,
        s.connectTimeoutMs);
    log("  %d/%d clients connected in %.1f s", connected, s.clients, (System.nanoTime() - t) / 1e9);
    r.put("connected", connected);
    if (connected < s.clients) {
      return fail(r, p, srv, "only " + connected + " of " + s.clients + " clients connected");
    }
    return null;
  }

  /**
   * What a oneloop server says about itself with the clients connected: its bridge sockets per
   * transport and HTTP instance ({@code GET /api/bridge}, where the jar has it) and whether
   * {@code /metrics} answers; with the config keys the variant asked for and those its jar lacks.
   * Null for the other peers.
   */
  JsonObject inspect(Peer p, Server srv) {
    if (!p.app.equals("oneloop")) {
      return null;
    }
    JsonObject o = new JsonObject()
        .put("keys", new JsonObject(new LinkedHashMap<>(p.appliedKeys(s))))
        .put("keysNotInJar", new JsonArray(p.missingKeys(s)))
        .put("metricsStatus", MiniHttp.status(srv.port, "/metrics", 5_000));
    try {
      MiniHttp.Response b = MiniHttp.get(srv.port, "/api/bridge", 5_000);
      if (b.status() == 200) {
        o.put("bridge", new JsonObject(b.body()));
      } else {
        o.put("bridgeStatus", b.status());
      }
    } catch (IOException | RuntimeException e) {
      o.put("bridgeError", e.toString());
    }
    seenAtWork(p, srv, o);
    return o;
  }

  /**
   * That an authorizer or presence variant's setting took effect: how often the authorizer was
   * asked ({@code /metrics}' {@code oneloop_authorizer_seconds_count}) and how many entries the
   * bench address's presence lists ({@code GET /api/presence/...}).
   */
  private static void seenAtWork(Peer p, Server srv, JsonObject o) {
    try {
      if (p.oneloopKeys.containsKey(Peer.AUTHORIZER_KEY)) {
        MiniHttp.Response m = MiniHttp.get(srv.port, "/metrics", 5_000);
        for (String line : m.body().split("\n")) {
          if (line.startsWith("oneloop_authorizer_seconds_count")) {
            o.put("authorizerAsked", Double.valueOf(line.substring(line.lastIndexOf(' ') + 1)).longValue());
          }
        }
      }
      if (p.oneloopKeys.containsKey(Peer.PRESENCE_KEY)) {
        MiniHttp.Response r = MiniHttp.get(srv.port, "/api/presence/" + Peer.ADDRESS, 5_000);
        o.put("presenceEntries", r.status() == 200 ? new JsonObject(r.body()).getValue("count")
            : "status " + r.status());
      }
    } catch (IOException | RuntimeException e) {
      o.put("variantCheckError", e.toString());
    }
  }

  /** S4: SIGINT with the clients connected, and how long the process took to exit. */
  JsonObject stop(Server srv) throws Exception {
    int open = gen.openCount();
    gen.expectClose();
    double stopMs = srv.sigintAndWait(s.stopTimeoutMs);
    JsonObject o = new JsonObject()
        .put("stopMs", stopMs < 0 ? null : Json.round(stopMs, 1))
        .put("timedOut", stopMs < 0)
        .put("clientsConnected", open)
        .put("exitCode", srv.exitCode());
    log("  S4: stop %.0f ms with %d clients, exit code %s", stopMs, open, srv.exitCode());
    return o;
  }

  /** Records a failed run: an error of the whole run (it exits non-zero), with the server's log. */
  JsonObject fail(JsonObject r, Peer p, Server srv, String why) {
    String msg = p.id + " (round " + r.getInteger("round") + ", " + r.getString("kind") + "): "
        + why;
    if (!srv.alive()) {
      msg += "; process exited with code " + srv.exitCode();
      if (srv.logMentions("OutOfMemoryError")) {
        msg += " (OutOfMemoryError)";
      }
    }
    errors.add(msg);
    log("ERROR %s\n--- last lines of %s ---\n%s\n---", msg, repo.relativize(srv.log),
        srv.logTail(20));
    return r.put("error", msg);
  }

  static void sleep(long ms) throws InterruptedException {
    Thread.sleep(ms);
  }
}
