package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Orchestrates the benchmark: starts each peer in turn (pinned to the server core), drives it
 * with the {@link LoadGen} (this JVM, pinned to the other core), and writes the results file,
 * the chart and BENCHMARKS.md. Scenarios are interleaved peer by peer within each round.
 */
public final class Bench {

  private final Settings s;
  private final Path repo;
  private final Path logDir;
  private final long clkTck;
  private final List<Peer> peers = new ArrayList<>();
  private final JsonArray runs = new JsonArray();
  private final List<String> errors = new ArrayList<>();
  private final List<String> cdsProblems = new ArrayList<>();
  private boolean cdsPrepared;
  private long cdsNanos;
  private final Map<String, Double> lastBestRate = new HashMap<>();
  private LoadGen gen;
  private long quietWaitMs;
  private int interferenceRetriesUsed;
  private long nextFirst = 1_000_000_000L;
  private int serial;

  private Bench(Settings s) {
    this.s = s;
    this.repo = Path.of(s.repo).toAbsolutePath().normalize();
    this.logDir = repo.resolve("bench/target/logs/" + s.mode);
    this.clkTck = 100;
    for (Peer p : Peer.all()) {
      if (s.peers.contains(p.id)) {
        peers.add(p);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Settings s = Settings.parse(args);
    if (java.util.Arrays.asList(args).contains("--render")) {
      // re-renders the chart and BENCHMARKS.md from an existing results file
      Path repo = Path.of(s.repo).toAbsolutePath().normalize();
      JsonObject result = new JsonObject(Files.readString(repo.resolve(s.out)));
      // the summary, ratios and targets are derived from the runs: derive them again, so a
      // results file made before a summary figure was added renders with it (as not measured)
      Settings made = Settings.fromJson(result.getJsonObject("settings"));
      List<Peer> ps = new ArrayList<>();
      for (Peer p : Peer.all()) {
        if (made.peers.contains(p.id)) {
          ps.add(p);
        }
      }
      JsonObject summary = Summary.build(made, ps, result.getJsonArray("runs"));
      result.put("summary", summary.getJsonObject("peers"));
      result.put("ratios", summary.getJsonObject("ratios"));
      result.put("targets", summary.getJsonArray("targets"));
      // the command line shown is the one the results were made with, never this re-render's
      Chart.write(result, repo.resolve(s.png));
      Files.writeString(repo.resolve(s.markdown), Markdown.render(result));
      log("rendered %s and %s from %s", s.png, s.markdown, s.out);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(Server::killAll, "kill-servers"));
    int code;
    try {
      code = new Bench(s).run();
    } catch (Throwable t) {
      t.printStackTrace();
      code = 1;
    }
    Server.killAll();
    System.out.flush();
    System.exit(code);
  }

  private int run() throws Exception {
    Server.pidFile = repo.resolve("bench/target/server-pids");
    Files.createDirectories(Server.pidFile.getParent());
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    log("mode=%s clients=%d rounds=%d peers=%s", s.mode, s.clients, s.rounds, s.peers);
    gen = new LoadGen();
    try {
      int extra = Math.max(0, s.startStopSamples - s.rounds);
      for (int round = 1; round <= s.rounds; round++) {
        int roundStart = runs.size();
        for (Peer p : peers) {
          runs.add(lifecycle(p, round));
        }
        if (!s.smokeMode()) {
          for (Peer p : peers) {
            runs.add(saturation(p, round));
          }
          for (int k = 0; k < extra; k++) {
            if (k % s.rounds == round - 1) {
              for (Peer p : peers) {
                runs.add(startStop(p, round));
              }
            }
          }
        }
        if (s.cdsSamples != 0) {
          long c0 = System.nanoTime();
          cdsRound(round, roundStart);
          cdsNanos += System.nanoTime() - c0;
        }
      }
    } finally {
      gen.close();
      Server.killAll();
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    JsonObject result = new JsonObject()
        .put("schema", "oneloop-bench/1")
        .put("mode", s.mode)
        .put("startedAt", started.toString())
        .put("wallSeconds", Json.round(wall, 1))
        .put("settings", s.toJson())
        .put("machine", Env.machine())
        .put("versions", Env.versions(s, repo))
        .put("generator", new JsonObject()
            .put("transport", gen.transport())
            .put("threads", 1)
            .put("cpu", s.generatorCpu))
        .put("interference", new JsonObject()
            .put("quietWaitSeconds", Json.round(quietWaitMs / 1000.0, 1))
            .put("stepsRepeated", interferenceRetriesUsed))
        .put("peers", peerInfo())
        .put("cds", cdsInfo())
        .put("runs", runs);
    JsonObject summary = Summary.build(s, peers, runs);
    result.put("summary", summary.getJsonObject("peers"));
    result.put("ratios", summary.getJsonObject("ratios"));
    result.put("targets", summary.getJsonArray("targets"));
    result.put("errors", new JsonArray(new ArrayList<>(errors)));
    Path out = repo.resolve(s.out);
    Files.createDirectories(out.getParent());
    Files.writeString(out, result.encodePrettily() + "\n");
    log("wrote %s", s.out);
    if (!s.png.isEmpty()) {
      Chart.write(result, repo.resolve(s.png));
      log("wrote %s", s.png);
    }
    if (!s.markdown.isEmpty()) {
      Files.writeString(repo.resolve(s.markdown), Markdown.render(result));
      log("wrote %s", s.markdown);
    }
    Summary.print(result);
    if (!errors.isEmpty()) {
      log("FAILED: %d error(s):", errors.size());
      errors.forEach(e -> log("  %s", e));
      return 1;
    }
    log("done in %.0f s", wall);
    return 0;
  }

  private JsonArray peerInfo() throws Exception {
    JsonArray a = new JsonArray();
    for (Peer p : peers) {
      List<String> cmd = new ArrayList<>(List.of("taskset", "-c", s.serverCpu));
      cmd.addAll(p.command(s, 8080, p.separateControlPort ? 8081 : 8080, repo));
      JsonObject o = new JsonObject()
          .put("id", p.id)
          .put("label", p.label)
          .put("protocol", p.protocol.name().toLowerCase())
          .put("webSocketPath", p.wsPath)
          .put("workDir", p.workDir)
          .put("command", display(cmd).replace("8081", "CONTROL_PORT").replace("8080", "PORT"))
          .put("env", p.env(8080).isEmpty() ? null : "PORT=PORT")
          .put("jvm", p.jvm)
          .put("controlOnSeparatePort", p.separateControlPort);
      if (p.id.equals("oneloop")) {
        o.put("config", new JsonObject(Peer.oneloopConfig(8080, 8081)).encode()
            .replace("8081", "CONTROL_PORT").replace("8080", "PORT"));
      }
      a.add(o);
    }
    return a;
  }

  static String display(List<String> cmd) {
    StringBuilder sb = new StringBuilder();
    for (String c : cmd) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(c.matches("[A-Za-z0-9_./:=,+@%-]+") ? c : "'" + c.replace("'", "'\\''") + "'");
    }
    return sb.toString();
  }

  /**
   * S3 with AppCDS, after the round's default-flags runs: in round 1 first one dynamic archive per
   * JVM peer (made once per run), then as many starts with it per JVM peer as the peer had
   * default-flags starts in this round, interleaved peer by peer.
   */
  private void cdsRound(int round, int roundStart) throws Exception {
    List<Peer> jvms = peers.stream().filter(p -> p.jvm).toList();
    if (jvms.isEmpty()) {
      return;
    }
    if (!cdsPrepared) {
      cdsPrepared = true;
      Path dir = repo.resolve(Peer.CDS_DIR);
      deleteTree(dir);
      Files.createDirectories(dir);
      for (Peer p : jvms) {
        runs.add(cdsTraining(p, round));
      }
    }
    Map<String, Integer> count = new HashMap<>();
    int most = 0;
    for (Peer p : jvms) {
      int n = s.cdsSamples;
      if (n < 0) {
        n = 0;
        for (int i = roundStart; i < runs.size(); i++) {
          JsonObject r = runs.getJsonObject(i);
          if (p.id.equals(r.getString("peer")) && r.getValue("s3StartMs") != null) {
            n++;
          }
        }
      }
      if (!Files.isRegularFile(repo.resolve(p.cdsArchive()))) {
        n = 0;
      }
      count.put(p.id, n);
      most = Math.max(most, n);
    }
    for (int k = 0; k < most; k++) {
      for (Peer p : jvms) {
        if (k < count.get(p.id)) {
          runs.add(cdsStart(p, round));
        }
      }
    }
  }

  /**
   * The training run that makes a peer's archive: its usual command with
   * {@code -XX:ArchiveClassesAtExit}, started, {@code /health} answered, stopped with SIGINT;
   * the JVM writes the archive as it exits.
   */
  private JsonObject cdsTraining(Peer p, int round) throws Exception {
    JsonObject r = new JsonObject().put("round", round).put("peer", p.id).put("kind", "cdstrain")
        .put("archive", p.cdsArchive());
    log("round %d %s: AppCDS training run -> %s", round, p.id, p.cdsArchive());
    quietBeforeStart();
    Path archive = repo.resolve(p.cdsArchive());
    Server srv = Server.start(p, s, repo, logDir, tag(round, "cdstrain"),
        List.of("-XX:ArchiveClassesAtExit=" + p.cdsArchive()));
    try {
      double startMs = srv.waitHealthy(60_000);
      if (startMs < 0) {
        return cdsProblem(r, p, srv, "AppCDS training run: no 200 on GET /health within 60 s");
      }
      r.put("trainingStartMs", Json.round(startMs, 1));
      double stopMs = srv.sigintAndWait(60_000);
      r.put("stopMs", stopMs < 0 ? null : Json.round(stopMs, 1)).put("exitCode", srv.exitCode());
      if (stopMs < 0) {
        return cdsProblem(r, p, srv, "AppCDS training run did not exit within 60 s of SIGINT");
      }
    } finally {
      srv.destroy();
    }
    if (!Files.isRegularFile(archive) || Files.size(archive) == 0) {
      Files.deleteIfExists(archive);
      return cdsProblem(r, p, srv, "AppCDS training run wrote no archive");
    }
    r.put("archiveMiB", Json.round(Files.size(archive) / 1024.0 / 1024.0, 1));
    log("  archive %.1f MiB (training start %.0f ms, stop and dump %.0f ms)",
        Files.size(archive) / 1024.0 / 1024.0, r.getDouble("trainingStartMs"), r.getDouble("stopMs"));
    return r;
  }

  /** One S3 sample with the peer's archive; stopped with SIGINT (no clients). */
  private JsonObject cdsStart(Peer p, int round) throws Exception {
    JsonObject r = new JsonObject().put("round", round).put("peer", p.id).put("kind", "cds");
    quietBeforeStart();
    Server srv = Server.start(p, s, repo, logDir, tag(round, "cds"),
        List.of("-XX:SharedArchiveFile=" + p.cdsArchive()));
    try {
      double startMs = srv.waitHealthy(60_000);
      if (startMs < 0) {
        return cdsProblem(r, p, srv, "no 200 on GET /health within 60 s with the AppCDS archive");
      }
      boolean mapped = srv.maps("/" + p.cdsArchive());
      r.put("s3CdsStartMs", Json.round(startMs, 1)).put("archiveMapped", mapped);
      double stopMs = srv.sigintAndWait(s.stopTimeoutMs);
      r.put("stopMs", stopMs < 0 ? null : Json.round(stopMs, 1)).put("exitCode", srv.exitCode());
      log("round %d %s: S3 with AppCDS %.0f ms%s", round, p.id, startMs,
          mapped ? "" : " (archive NOT mapped: sample not counted)");
    } finally {
      srv.destroy();
    }
    return r;
  }

  /** A failure of the AppCDS measurement: reported, but the run's other figures stand. */
  private JsonObject cdsProblem(JsonObject r, Peer p, Server srv, String why) {
    String msg = p.id + " (round " + r.getInteger("round") + "): " + why;
    if (!srv.alive() && srv.exitCode() != null) {
      msg += "; process exited with code " + srv.exitCode();
    }
    cdsProblems.add(msg);
    log("WARNING %s\n--- last lines of %s ---\n%s\n---", msg, repo.relativize(srv.log),
        srv.logTail(20));
    return r.put("problem", msg);
  }

  private JsonObject cdsInfo() {
    return new JsonObject()
        .put("samplesPerRound", s.cdsSamples < 0 ? "as many as the peer's default-flags S3 starts"
            : String.valueOf(s.cdsSamples))
        .put("archiveDir", Peer.CDS_DIR)
        .put("wallSeconds", Json.round(cdsNanos / 1e9, 1))
        .put("trainingFlag", "-XX:ArchiveClassesAtExit=" + Peer.CDS_DIR + "/PEER.jsa")
        .put("flag", "-XX:SharedArchiveFile=" + Peer.CDS_DIR + "/PEER.jsa")
        .put("peers", new JsonArray(peers.stream().filter(p -> p.jvm).map(p -> p.id).toList()))
        .put("problems", new JsonArray(new ArrayList<>(cdsProblems)));
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }

  /** S3 start, S5 memory, S1 steady, S4 stop, in one process life (smoke: S2 steps too). */
  private JsonObject lifecycle(Peer p, int round) throws Exception {
    JsonObject r = new JsonObject().put("round", round).put("peer", p.id).put("kind", "lifecycle");
    log("round %d %s: start, memory, steady (S3 S5 S1 S4)", round, p.id);
    quietBeforeStart();
    Server srv = Server.start(p, s, repo, logDir, tag(round, "life"));
    try {
      JsonObject notStarted = awaitStart(r, p, srv);
      if (notStarted != null) {
        return notStarted;
      }
      r.put("sigintDeliverable", srv.sigintDeliverable());
      sleep(s.idleWaitMs);
      long idleRss = srv.rssKiB();
      JsonObject notConnected = connectAll(r, p, srv);
      if (notConnected != null) {
        return notConnected;
      }
      sleep(s.settleMs);
      long clientsRss = srv.rssKiB();
      r.put("s5", new JsonObject()
          .put("idleRssMiB", Json.round(idleRss / 1024.0, 1))
          .put("clientsRssMiB", Json.round(clientsRss / 1024.0, 1))
          .put("clients", gen.openCount()));
      StepStats s1 = step(srv, s.s1Rate, s.s1Seconds);
      r.put("s1", s1.toJson(clkTck));
      log("  S1: %.2f%% delivered, p50 %.2f ms, p99 %.2f ms, max %.2f ms, server %.1f us/delivery,"
              + " generator CPU %.0f%%, other CPU %.0f%%", s1.deliveriesPct(), s1.ms(50), s1.ms(99),
          s1.maxMs(), s1.serverCpuUsPerDelivery(clkTck), 100 * s1.generatorCpuShare(clkTck),
          100 * s1.otherCpuShare(clkTck));
      if (s1.delivered == 0) {
        return fail(r, p, srv, "no deliveries in S1");
      }
      if (s.smokeMode()) {
        r.put("s2", searchSaturation(p, srv, round));
      }
      if (!srv.alive()) {
        return fail(r, p, srv, "server died during the run");
      }
      r.put("s4", stop(srv));
    } finally {
      srv.destroy();
      gen.disconnectAll();
    }
    return r;
  }

  /** S2: a fresh process, N clients, publish rate stepped up until a step fails. */
  private JsonObject saturation(Peer p, int round) throws Exception {
    JsonObject r = new JsonObject().put("round", round).put("peer", p.id).put("kind", "saturation");
    log("round %d %s: saturation (S2)", round, p.id);
    quietBeforeStart();
    Server srv = Server.start(p, s, repo, logDir, tag(round, "s2"));
    try {
      JsonObject notStarted = awaitStart(r, p, srv);
      if (notStarted != null) {
        return notStarted;
      }
      JsonObject notConnected = connectAll(r, p, srv);
      if (notConnected != null) {
        return notConnected;
      }
      sleep(s.settleMs);
      r.put("s2", searchSaturation(p, srv, round));
    } finally {
      gen.expectClose();
      srv.stopQuietly(5_000);
      gen.disconnectAll();
    }
    return r;
  }

  /** Extra S3/S4 sample: start, N clients, SIGINT. */
  private JsonObject startStop(Peer p, int round) throws Exception {
    JsonObject r = new JsonObject().put("round", round).put("peer", p.id).put("kind", "startstop");
    log("round %d %s: start/stop (S3 S4)", round, p.id);
    quietBeforeStart();
    Server srv = Server.start(p, s, repo, logDir, tag(round, "startstop"));
    try {
      JsonObject notStarted = awaitStart(r, p, srv);
      if (notStarted != null) {
        return notStarted;
      }
      r.put("sigintDeliverable", srv.sigintDeliverable());
      JsonObject notConnected = connectAll(r, p, srv);
      if (notConnected != null) {
        return notConnected;
      }
      sleep(1000);
      r.put("s4", stop(srv));
    } finally {
      srv.destroy();
      gen.disconnectAll();
    }
    return r;
  }

  private void quietBeforeStart() throws InterruptedException {
    if (s.quietMaxWaitMs > 0) {
      awaitQuietMachine(null);
    }
  }

  private JsonObject stop(Server srv) throws Exception {
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

  private JsonObject searchSaturation(Peer p, Server srv, int round) throws Exception {
    double rate = round == 1 || !lastBestRate.containsKey(p.id) ? s.s2FirstRate
        : Math.max(s.s2MinRate, lastBestRate.get(p.id) / 2);
    if (s.s2WarmupSeconds > 0) {
      // unmeasured warm-up (JIT, pools) at half the first rate, so a cold start does not decide
      // the first step
      StepStats w = measureStep(srv, Math.max(s.s2MinRate, rate / 2), s.s2WarmupSeconds);
      log("  S2 warm-up %.1f/s for %.0f s: %.2f%% delivered, p99 %.2f ms", Math.max(s.s2MinRate,
          rate / 2), s.s2WarmupSeconds, w.deliveriesPct(), w.ms(99));
      sleep(500);
    }
    Double pass = null;
    Double fail = null;
    StepStats best = null;
    JsonArray steps = new JsonArray();
    boolean died = false;
    for (int i = 0; i < s.s2MaxSteps; i++) {
      StepStats st = step(srv, rate, s.s2StepSeconds);
      boolean ok = st.serverAlive && st.deliveriesPct() >= s.s2MinDeliveriesPct
          && st.histogram.getTotalCount() > 0 && st.ms(99) <= s.s2P99LimitMs;
      steps.add(st.toJson(clkTck).put("pass", ok));
      log("  S2 step %.1f/s: %.2f%% delivered, %.0f deliveries/s, p99 %.2f ms, server CPU %.0f%%,"
              + " generator CPU %.0f%% (%.1f us/delivery), other CPU %.0f%%, %d late -> %s", rate,
          st.deliveriesPct(), st.deliveriesPerSec(), st.ms(99), 100 * st.serverCpuShare(clkTck),
          100 * st.generatorCpuShare(clkTck), st.generatorCpuUsPerDelivery(clkTck),
          100 * st.otherCpuShare(clkTck), st.arrivedAfterStep, ok ? "pass" : "FAIL");
      if (!st.serverAlive) {
        died = true;
        fail = rate;
        break;
      }
      if (ok) {
        if (pass == null || rate > pass) {
          pass = rate;
          best = st;
        }
      } else {
        fail = fail == null ? rate : Math.min(fail, rate);
      }
      if (fail == null) {
        rate = rate * 2;
        if (rate > s.s2MaxRate) {
          break;
        }
      } else if (pass == null) {
        rate = rate / 2;
        if (rate < s.s2MinRate) {
          break;
        }
      } else {
        if (fail / pass <= s.s2Resolution) {
          break;
        }
        rate = Math.sqrt(pass * fail);
      }
      sleep(500);
    }
    if (pass != null) {
      lastBestRate.put(p.id, pass);
    }
    boolean oom = died && srv.logMentions("OutOfMemoryError");
    JsonObject o = new JsonObject()
        .put("steps", steps)
        .put("bestRate", pass)
        .put("firstFailingRate", fail)
        .put("maxDeliveriesPerSec", best == null ? 0.0 : Json.round(best.deliveriesPerSec(), 1))
        .put("bestStepP99Ms", best == null ? null : Json.round(best.ms(99), 3))
        .put("bestStepServerCpuShare", best == null ? null : Json.round(best.serverCpuShare(clkTck), 3))
        .put("bestStepGeneratorCpuShare",
            best == null ? null : Json.round(best.generatorCpuShare(clkTck), 3))
        .put("serverDied", died)
        .put("oom", oom);
    log("  S2 result: %.0f deliveries/s%s", best == null ? 0.0 : best.deliveriesPerSec(),
        oom ? " (server ran out of memory)" : died ? " (server died)" : "");
    return o;
  }

  /** One publish run, repeated (bounded) when other processes interfered with it. */
  private StepStats step(Server srv, double rate, double seconds) throws Exception {
    StepStats st = null;
    for (int attempt = 0; attempt <= s.interferenceRetries; attempt++) {
      if (s.quietMaxWaitMs > 0) {
        awaitQuietMachine(srv);
      }
      st = measureStep(srv, rate, seconds);
      st.attempts = attempt + 1;
      if (!st.serverAlive || st.otherCpuShare(clkTck) <= s.interferenceShare
          || attempt == s.interferenceRetries) {
        break;
      }
      interferenceRetriesUsed++;
      log("  other processes used %.0f%% of a core during the step: repeating it",
          100 * st.otherCpuShare(clkTck));
    }
    return st;
  }

  /** One publish run: arm the generator, tell the server, wait, collect. */
  private StepStats measureStep(Server srv, double rate, double seconds) throws Exception {
    long count = Math.max(1, Math.round(rate * seconds));
    long first = nextFirst;
    nextFirst += 1_000_000_000L;
    gen.beginStep(first, count);
    int sockets = gen.openCount();
    long expected = count * sockets;
    long c0 = srv.cpuTicks();
    long g0 = Proc.selfCpuTicks();
    long m0 = Proc.machineBusyTicks();
    long w0 = System.nanoTime();
    MiniHttp.Response resp = MiniHttp.get(srv.controlPort,
        "/control?rate=" + rate + "&count=" + count + "&first=" + first, 10_000);
    if (resp.status() != 200) {
      throw new IllegalStateException("control request answered " + resp.status());
    }
    long durationNs = (long) (count / rate * 1e9);
    long publishEnd = w0 + durationNs;
    long deadline = publishEnd + TimeUnit.MILLISECONDS.toNanos(s.graceMs);
    long peak = 0;
    long rss = 0;
    boolean alive = true;
    long cMid = -1;
    long gMid = -1;
    long mMid = -1;
    long wMid = 0;
    while (System.nanoTime() < deadline) {
      long now = System.nanoTime();
      long wake = cMid < 0 ? Math.min(publishEnd, deadline) : deadline;
      long left = TimeUnit.NANOSECONDS.toMillis(wake - now);
      Thread.sleep(Math.max(1, Math.min(100, left)));
      if (cMid < 0 && System.nanoTime() >= publishEnd) {
        cMid = srv.cpuTicks();
        gMid = Proc.selfCpuTicks();
        mMid = Proc.machineBusyTicks();
        wMid = System.nanoTime();
      }
      long r = srv.rssKiB();
      if (r > 0) {
        rss = r;
        peak = Math.max(peak, r);
      }
      if (!srv.alive()) {
        alive = false;
        break;
      }
      if (cMid >= 0 && gen.deliveredSoFar() >= expected) {
        break;
      }
    }
    long c1 = srv.cpuTicks();
    long g1 = Proc.selfCpuTicks();
    long w1 = System.nanoTime();
    if (cMid < 0) {
      cMid = c1;
      gMid = g1;
      mMid = Proc.machineBusyTicks();
      wMid = w1;
    }
    StepStats st = gen.endStep();
    st.rate = rate;
    st.seconds = count / rate;
    st.wallSeconds = (w1 - w0) / 1e9;
    st.publishSeconds = (wMid - w0) / 1e9;
    st.serverCpuTicks = c1 >= 0 && c0 >= 0 ? c1 - c0 : 0;
    st.serverCpuTicksPublishing = cMid >= 0 && c0 >= 0 ? cMid - c0 : 0;
    st.generatorCpuTicks = g1 - g0;
    st.generatorCpuTicksPublishing = gMid - g0;
    st.machineBusyTicksPublishing = m0 >= 0 && mMid >= 0 ? mMid - m0 : -1;
    st.serverRssKiB = rss;
    st.serverPeakRssKiB = peak;
    st.serverAlive = alive && srv.alive();
    if (st.serverAlive) {
      // stop the run in case it is still going (a slow server), then let any backlog drain so
      // the next step starts clean; what arrives late is counted, not lost
      MiniHttp.status(srv.controlPort, "/control?rate=0&count=0", 5_000);
      st.drainMs = gen.awaitQuiet(500, 20_000);
      st.arrivedAfterStep = gen.lateForLastStep();
    }
    return st;
  }

  /**
   * The machine is shared: waits (bounded) until processes other than the current server and
   * this harness use less than {@code quietShare} of a core over a 500 ms window. Returns the
   * share seen last.
   */
  private double awaitQuietMachine(Server srv) throws InterruptedException {
    long budget = Math.min(s.quietMaxWaitMs, Math.max(0, s.quietBudgetMs - quietWaitMs));
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budget);
    double other;
    long waited = System.nanoTime();
    boolean said = false;
    do {
      long m0 = Proc.machineBusyTicks();
      long g0 = Proc.selfCpuTicks();
      long c0 = srv == null ? 0 : srv.cpuTicks();
      long w0 = System.nanoTime();
      Thread.sleep(500);
      long m1 = Proc.machineBusyTicks();
      long g1 = Proc.selfCpuTicks();
      long c1 = srv == null ? 0 : srv.cpuTicks();
      double secs = (System.nanoTime() - w0) / 1e9;
      other = Math.max(0, (m1 - m0) - (g1 - g0) - (c1 - c0)) / (double) clkTck / secs;
      if (other < s.quietShare || m0 < 0) {
        break;
      }
      if (!said) {
        log("  waiting for the machine to be quiet (other processes use %.0f%% of a core)",
            100 * other);
        said = true;
      }
    } while (System.nanoTime() < deadline);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - waited);
    quietWaitMs += ms;
    if (other >= s.quietShare) {
      log("  machine still busy after %d ms (other processes %.0f%% of a core): measuring anyway",
          ms, 100 * other);
    }
    return other;
  }

  private int connect(Peer p, Server srv) throws InterruptedException {
    long t = System.nanoTime();
    int n = gen.connect(p.protocol, srv.port, p.wsPath, "bench.ticks", s.clients,
        s.connectTimeoutMs);
    log("  %d/%d clients connected in %.1f s", n, s.clients, (System.nanoTime() - t) / 1e9);
    return n;
  }

  /** Waits for the first 200 on /health and records it as S3; the failure record when none came. */
  private JsonObject awaitStart(JsonObject r, Peer p, Server srv) throws Exception {
    double startMs = srv.waitHealthy(60_000);
    if (startMs < 0) {
      return fail(r, p, srv, "no 200 on GET /health within 60 s");
    }
    r.put("s3StartMs", Json.round(startMs, 1));
    return null;
  }

  /** Connects the clients and records how many; the failure record when not all connected. */
  private JsonObject connectAll(JsonObject r, Peer p, Server srv) throws Exception {
    int connected = connect(p, srv);
    r.put("connected", connected);
    if (connected < s.clients) {
      return fail(r, p, srv, "only " + connected + " of " + s.clients + " clients connected");
    }
    return null;
  }

  private JsonObject fail(JsonObject r, Peer p, Server srv, String why) {
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

  private String tag(int round, String kind) {
    return "r" + round + "-" + kind + "-" + (++serial);
  }

  private static void sleep(long ms) throws InterruptedException {
    Thread.sleep(ms);
  }

  static void log(String fmt, Object... args) {
    System.out.printf("[bench] " + fmt + "%n", args);
    System.out.flush();
  }
}
