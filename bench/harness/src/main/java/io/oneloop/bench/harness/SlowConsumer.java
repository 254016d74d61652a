package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static io.oneloop.bench.harness.Bench.log;
import static io.oneloop.bench.harness.Rig.CLK_TCK;
import static io.oneloop.bench.harness.Rig.sleep;

/**
 * S6, slow consumer: a fresh server with two clients on the same address, large messages at a
 * steady rate; one client stops reading its socket after registering, the other keeps reading.
 * Measured: the server's RSS (early and at the end), whether and when the server closed the slow
 * client (its TCP connection leaving ESTABLISHED, and the server's own log line naming it), and
 * what the healthy client received. When the slow client passed the server's bound is estimated
 * from the kernel: what the server had to write for it (the messages due by the publish schedule,
 * at the healthy client's wire bytes per message) minus what the socket queues of the connection
 * hold ({@link TcpQueues}) is what waits in the server's own queue.
 */
final class SlowConsumer implements Scenario {

  private static final int HEALTHY = 0;
  private static final int SLOW = 1;
  private static final long SAMPLE_MS = 50;

  private final Rig rig;
  private final Settings s;

  SlowConsumer(Rig rig) {
    this.rig = rig;
    this.s = rig.s;
  }

  @Override
  public JsonObject run(Peer p, int round) throws Exception {
    JsonObject r = new JsonObject().put("round", round).put("peer", p.id).put("kind", "slow");
    log("round %d %s: slow consumer (S6), %.0f messages/s of %d bytes for %.0f s", round, p.id,
        s.s6Rate, s.s6PadBytes, s.s6Seconds);
    Server srv = rig.start(p, round, "s6");
    try {
      JsonObject notStarted = rig.awaitStart(r, p, srv);
      if (notStarted != null) {
        return notStarted;
      }
      LoadGen gen = rig.gen;
      if (gen.connect(p.protocol, srv.port, p.wsPath, Peer.ADDRESS, 1, s.connectTimeoutMs) != 1
          || gen.connect(p.protocol, srv.port, p.wsPath, Peer.ADDRESS, 1, s.connectTimeoutMs) != 1) {
        return rig.fail(r, p, srv, "the two S6 clients did not connect");
      }
      sleep(Math.min(s.settleMs, 1000));
      int slowPort = gen.stopReading(SLOW);
      r.put("s6", measure(srv, slowPort));
      JsonObject x = r.getJsonObject("s6");
      JsonObject h = x.getJsonObject("healthy");
      log("  S6: RSS %s -> %s MiB (growth %s MiB); slow client past the bound at ~%s ms, logged by "
              + "the server at %s ms, connection closed %s; healthy client %.2f%% delivered, %d gaps%s;"
              + " server %s", x.getValue("rssEarlyMiB"), x.getValue("rssEndMiB"),
          x.getValue("rssGrowthMiB"), x.getValue("passedBoundAfterMs"),
          x.getValue("serverLoggedAfterMs"), x.getValue("closedAfterMs") == null ? "never"
              : "at " + x.getValue("closedAfterMs") + " ms", h.getDouble("deliveriesPct"),
          h.getLong("gaps"), h.getBoolean("closed") ? ", CLOSED by the server" : "",
          x.getBoolean("serverAlive") ? "alive" : "DIED");
      if (!x.getBoolean("serverAlive")) {
        // a server without a bound may run out of memory here: that is the figure, not a failure
        r.put("serverExit", srv.exitCode()).put("oom", srv.logMentions("OutOfMemoryError"));
      }
    } finally {
      rig.gen.expectClose();
      srv.stopQuietly(5_000);
      rig.gen.disconnectAll();
    }
    return r;
  }

  /** The server's first log line naming the slow client's address (a slow-client close). */
  private static String logLineAbout(Server srv, int port) {
    try {
      for (String line : Files.readAllLines(srv.log, StandardCharsets.ISO_8859_1)) {
        if (line.contains("127.0.0.1:" + port + " ") || line.contains("127.0.0.1:" + port + ":")
            || line.endsWith("127.0.0.1:" + port)) {
          return line.length() > 300 ? line.substring(0, 300) : line;
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  private JsonObject measure(Server srv, int slowPort) throws Exception {
    LoadGen gen = rig.gen;
    long count = Math.max(1, Math.round(s.s6Rate * s.s6Seconds));
    long first = rig.steps.reserveFirst();
    gen.beginStep(first, count);
    long rssBefore = srv.rssKiB();
    long c0 = srv.cpuTicks();
    long t0Wall = System.currentTimeMillis();
    long t0 = System.nanoTime();
    MiniHttp.Response resp = MiniHttp.get(srv.controlPort, "/control?rate=" + s.s6Rate + "&count="
        + count + "&first=" + first + "&pad=" + s.s6PadBytes, 10_000);
    if (resp.status() != 200) {
      throw new IllegalStateException("control request answered " + resp.status());
    }
    long publishEnd = t0 + (long) (count / s.s6Rate * 1e9);
    long deadline = publishEnd + TimeUnit.MILLISECONDS.toNanos(s.graceMs);
    long earlyAt = t0 + (long) (s.s6EarlySeconds * 1e9);
    JsonArray rssSeries = new JsonArray();
    JsonArray queueSeries = new JsonArray();
    long nextRssSample = t0;
    long rssEarly = -1;
    long rssEnd = -1;
    long peak = 0;
    boolean seenEstablished = false;
    long closedAt = -1;
    String closedHow = null;
    // per sample: wall nanos, kernel bytes of the slow connection
    int cap = (int) ((deadline - t0) / TimeUnit.MILLISECONDS.toNanos(SAMPLE_MS)) + 16;
    long[] sampleAt = new long[cap];
    long[] sampleKernel = new long[cap];
    int samples = 0;
    boolean alive = true;
    while (System.nanoTime() < deadline) {
      sleep(SAMPLE_MS);
      long now = System.nanoTime();
      if (!srv.alive()) {
        alive = false;
        break;
      }
      long rss = srv.rssKiB();
      peak = Math.max(peak, rss);
      if (rssEarly < 0 && now >= earlyAt) {
        rssEarly = rss;
      }
      if (now <= publishEnd + TimeUnit.MILLISECONDS.toNanos(SAMPLE_MS)) {
        rssEnd = rss;
      }
      if (now >= nextRssSample) {
        rssSeries.add(new JsonArray().add(Json.round((now - t0) / 1e9, 2))
            .add(Json.round(rss / 1024.0, 1)));
        nextRssSample += TimeUnit.SECONDS.toNanos(1);
      }
      if (closedAt < 0) {
        TcpQueues q = TcpQueues.read(srv.port, slowPort);
        if (q.serverState == TcpQueues.ESTABLISHED) {
          seenEstablished = true;
        }
        long genClosed = gen.closedAtNanos(SLOW);
        if (genClosed >= 0) {
          closedAt = genClosed;
          closedHow = "the client saw the connection close";
        } else if (seenEstablished && q.serverState != TcpQueues.ESTABLISHED) {
          closedAt = now;
          closedHow = q.serverState < 0 ? "the server's end of the connection is gone"
              : "the server's end left ESTABLISHED (TCP state " + q.serverState + ")";
        }
        if (samples < cap) {
          sampleAt[samples] = now;
          sampleKernel[samples] = q.kernelBytes();
          samples++;
        }
        if (queueSeries.size() < 2000 && samples % 10 == 1) {
          queueSeries.add(new JsonArray().add(Json.round((now - t0) / 1e9, 2))
              .add(q.serverSendQueue).add(q.clientRecvQueue).add(q.serverState));
        }
      }
      if (now >= publishEnd && gen.deliveredSoFar() >= count) {
        break;
      }
    }
    long c1 = srv.cpuTicks();
    StepStats st = gen.endStep();
    st.rate = s.s6Rate;
    st.seconds = count / s.s6Rate;
    if (alive && srv.alive()) {
      MiniHttp.status(srv.controlPort, "/control?rate=0&count=0", 5_000);
    }
    // the server's own queue for the slow client, estimated: what it had to write for it minus
    // what the kernel holds; to write = the messages due by the schedule times the wire bytes per
    // message the healthy client saw (a server that lags has queued less: the estimate is early)
    double bytesPerMessage = st.delivered == 0 ? s.s6PadBytes : st.deliveryBytes / (double) st.delivered;
    long passedAt = -1;
    long queuedAtClose = -1;
    for (int i = 0; i < samples; i++) {
      double due = Math.min(count, Math.floor((sampleAt[i] - t0) / 1e9 * s.s6Rate) + 1);
      long queued = (long) (due * bytesPerMessage) - sampleKernel[i];
      if (closedAt >= 0 && sampleAt[i] <= closedAt) {
        queuedAtClose = queued;
      }
      if (passedAt < 0 && queued > s.boundBytes) {
        passedAt = sampleAt[i];
      }
    }
    JsonObject healthy = new JsonObject()
        .put("messages", count)
        .put("delivered", st.delivered)
        .put("deliveriesPct", Json.round(st.deliveriesPct(), 3))
        .put("missing", st.missing)
        .put("gaps", st.gaps)
        .put("duplicates", st.duplicates)
        .put("outOfOrder", st.outOfOrder)
        .put("p50Ms", Json.round(st.ms(50), 3))
        .put("p99Ms", Json.round(st.ms(99), 3))
        .put("maxMs", Json.round(st.maxMs(), 3))
        .put("bytesPerMessage", Json.round(bytesPerMessage, 1))
        .put("lastDeliveryAfterMs", st.lastRecvUs == 0 ? null : st.lastRecvUs / 1000 - t0Wall)
        // the step's count of closed sockets includes the slow one: ask about the healthy one alone
        .put("closed", gen.closedAtNanos(HEALTHY) >= 0);
    Long closedAfterMs = closedAt < 0 ? null : TimeUnit.NANOSECONDS.toMillis(closedAt - t0);
    String logLine = logLineAbout(srv, slowPort);
    Long loggedAfterMs = null;
    if (logLine != null) {
      try {
        loggedAfterMs = Instant.parse(logLine.substring(0, logLine.indexOf(' '))).toEpochMilli()
            - t0Wall;
      } catch (RuntimeException e) {
        // a log line without a leading timestamp: the line is still reported
      }
    }
    return new JsonObject()
        .put("ratePerSec", s.s6Rate)
        .put("seconds", s.s6Seconds)
        .put("padBytes", s.s6PadBytes)
        .put("boundBytes", s.boundBytes)
        .put("rssBeforeMiB", Json.round(rssBefore / 1024.0, 1))
        .put("rssEarlyMiB", rssEarly < 0 ? null : Json.round(rssEarly / 1024.0, 1))
        .put("rssEndMiB", rssEnd < 0 ? null : Json.round(rssEnd / 1024.0, 1))
        .put("rssPeakMiB", Json.round(peak / 1024.0, 1))
        .put("rssGrowthMiB", rssEarly < 0 || rssEnd < 0 ? null
            : Json.round((rssEnd - rssEarly) / 1024.0, 1))
        .put("earlySeconds", s.s6EarlySeconds)
        .put("closedAfterMs", closedAfterMs)
        .put("closedHow", closedHow)
        .put("serverLogLine", logLine)
        .put("serverLoggedAfterMs", loggedAfterMs)
        .put("passedBoundAfterMs", passedAt < 0 ? null : TimeUnit.NANOSECONDS.toMillis(passedAt - t0))
        .put("closedAfterBoundMs", passedAt < 0 || closedAt < 0 ? null
            : TimeUnit.NANOSECONDS.toMillis(closedAt - passedAt))
        .put("queuedAtCloseKiB", queuedAtClose < 0 ? null : Json.round(queuedAtClose / 1024.0, 1))
        .put("serverCpuMs", c0 >= 0 && c1 >= 0 ? (c1 - c0) * 1000 / CLK_TCK : null)
        .put("serverAlive", alive && srv.alive())
        .put("healthy", healthy)
        .put("rssSeries", rssSeries)
        .put("queueSeries", queueSeries);
  }
}
