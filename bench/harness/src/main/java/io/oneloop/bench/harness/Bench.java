package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Orchestrates the benchmark: runs the scenarios ({@link Lifecycle}, {@link Saturation},
 * {@link SlowConsumer}, {@link ReconnectStorm}, {@link StartStop}, {@link Cds}, {@link ClusterFanout},
 * {@link HttpPublish})
 * against each peer in turn (pinned to the server core), with the {@link LoadGen} in this JVM
 * (pinned to the other core), and writes the results file (its raw runs in a file beside it, not
 * committed), the chart and BENCHMARKS.md. Scenarios are interleaved peer by peer within each
 * round; S6 and the storm run only for the peers that take them, and the oneloop variants run the
 * life and S2 only (in a smoke run, the storm only).
 */
public final class Bench {

  private final Settings s;
  private final Path repo;
  private final List<Peer> peers;
  private final JsonArray runs = new JsonArray();
  private Rig rig;

  private Bench(Settings s) {
    this.s = s;
    this.repo = Path.of(s.repo).toAbsolutePath().normalize();
    this.peers = peersOf(s);
  }

  public static void main(String[] args) throws Exception {
    Settings s = Settings.parse(args);
    if (Arrays.asList(args).contains("--render")) {
      render(s);
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

  /**
   * Renders the chart and BENCHMARKS.md again from an existing results file: from its raw runs when
   * they are at hand (in an older results file, or the runs file of the same run), else from the
   * summary and run figures it keeps. What it derives from the runs is written back to the results file.
   */
  private static void render(Settings s) throws Exception {
    Path repo = Path.of(s.repo).toAbsolutePath().normalize();
    JsonObject result = new JsonObject(Files.readString(repo.resolve(s.out)));
    JsonArray runs = result.getJsonArray("runs");
    Path runsFile = repo.resolve(runsFile(s.out));
    if (runs == null && Files.exists(runsFile)) {
      JsonObject raw = new JsonObject(Files.readString(runsFile));
      // only the runs of this very results file, never those of a later or earlier run
      if (Objects.equals(raw.getString("startedAt"), result.getString("startedAt"))) {
        runs = raw.getJsonArray("runs");
      }
    }
    if (runs != null) {
      // the summary, ratios, targets and run figures are derived from the runs: derive them again,
      // so a results file made before a summary figure was added renders with it (as not measured)
      Settings made = Settings.fromJson(result.getJsonObject("settings"));
      putSummary(result, Summary.build(made, peersOf(made), runs));
      result.put("runFigures", RunFigures.of(runs));
      // the results file says what BENCHMARKS.md says: a clone without the runs file renders from it
      Files.writeString(repo.resolve(s.out), result.encodePrettily() + "\n");
    }
    // the command line shown is the one the results were made with, never this re-render's
    Chart.write(result, repo.resolve(s.png));
    Files.writeString(repo.resolve(s.markdown), Markdown.withAbuse(Markdown.render(result), repo));
    log("rendered %s and %s from %s", s.png, s.markdown, s.out);
  }

  private int run() throws Exception {
    Server.pidFile = repo.resolve("bench/target/server-pids");
    Files.createDirectories(Server.pidFile.getParent());
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    log("mode=%s clients=%d rounds=%d peers=%s", s.mode, s.clients, s.rounds, s.peers);
    List<Peer> withKeys = peers.stream().filter(p -> !p.oneloopKeys.isEmpty()).toList();
    boolean anyOneloop = peers.stream().anyMatch(p -> p.app.equals("oneloop"));
    if (anyOneloop) {
      s.oneloopKnownKeys = OneloopKeys.probe(s, repo, withKeys);
      if (!s.oneloopKnownKeys.contains(OneloopKeys.BOUND_KEY)) {
        s.boundBytes = OneloopKeys.OLD_BOUND;
        log("this oneloop has no %s: S6 is read against its fixed %d MiB bound",
            OneloopKeys.BOUND_KEY, s.boundBytes >> 20);
      }
    }
    LoadGen gen = new LoadGen();
    rig = new Rig(s, repo, gen);
    Saturation saturation = new Saturation(rig);
    Lifecycle lifecycle = new Lifecycle(rig, saturation);
    SlowConsumer slow = new SlowConsumer(rig);
    ReconnectStorm storm = new ReconnectStorm(rig);
    StartStop startStop = new StartStop(rig);
    Cds cds = new Cds(rig, peers.stream().filter(p -> !p.variant).toList());
    ClusterFanout cluster = new ClusterFanout(rig);
    ClusterFanout clusterHistory = new ClusterFanout(rig, true);
    ConnMemory mem = new ConnMemory(rig);
    ConnMemory memProfile = new ConnMemory(rig, true);
    StartProfile startProfile = new StartProfile(rig);
    Scale scale = new Scale(rig);
    HttpPublish publish = new HttpPublish(rig);
    RollingRestart rolling = new RollingRestart(rig);
    Paired paired = new Paired(rig);
    try {
      int extra = Math.max(0, s.startStopSamples - s.rounds);
      for (int round = 1; round <= s.rounds; round++) {
        int roundStart = runs.size();
        if (s.only.contains("life")) {
          everyPeer(lifecycle, round, p -> !s.smokeMode() || !p.variant);
        }
        if (!s.smokeMode() && s.only.contains("s2")) {
          everyPeer(saturation, round, p -> true);
        }
        if (round <= s.s6Rounds && s.only.contains("s6")) {
          everyPeer(slow, round, p -> p.slowConsumer);
        }
        if (s.only.contains("storm")) {
          everyPeer(storm, round, Peer::reconnectStorm);
        }
        if (!s.smokeMode() && s.only.contains("startstop")) {
          for (int k = 0; k < extra; k++) {
            if (k % s.rounds == round - 1) {
              everyPeer(startStop, round, p -> !p.variant);
            }
          }
        }
        // thousands of sockets per peer take minutes: the first round only
        if (round == 1 && s.only.contains("mem")) {
          everyPeer(mem, round, p -> !p.variant);
        }
        if (round == 1 && s.only.contains("memprofile")) {
          everyPeer(memProfile, round, p -> p.jvm && !p.variant);
        }
        if (!s.smokeMode() && s.only.contains("startprofile")) {
          everyPeer(startProfile, round, StartProfile::takes);
        }
        if (round == 1 && s.only.contains("scale")) {
          everyPeer(scale, round, p -> Scale.PEERS.contains(p.id));
        }
        if (s.only.contains("cluster")) {
          everyPeer(cluster, round, p -> p.id.equals("oneloop"));
          everyPeer(clusterHistory, round, p -> p.id.equals("oneloop"));
        }
        // three JVMs stopped and started in turn take minutes: the first round only
        if (round == 1 && s.only.contains("rolling")) {
          everyPeer(rolling, round, p -> p.id.equals("oneloop"));
        }
        if (!s.smokeMode() && s.only.contains("paired")) {
          // pair after pair, each variant in turn: a drift of the machine spreads over all of them
          for (int k = 0; k < s.pairedPairs; k++) {
            everyPeer(paired, round, Paired::takes);
          }
        }
        if (s.only.contains("publish")) {
          everyPeer(publish, round, HttpPublish::takes);
        }
        if (s.cdsSamples != 0 && s.only.contains("cds")) {
          cds.round(round, runs, roundStart);
        }
        if (round < s.rounds) {
          // what the rounds so far give, so that a run cut short still leaves its results
          write(started, t0, gen, cds, round, false);
        }
      }
    } finally {
      gen.close();
      Server.killAll();
    }
    return write(started, t0, gen, cds, s.rounds, true);
  }

  /**
   * Writes the results file, the chart and BENCHMARKS.md from the runs so far ({@code done} of
   * the planned rounds); the last time also prints the summary and returns the exit code.
   */
  private int write(Instant started, long t0, LoadGen gen, Cds cds, int done, boolean last)
      throws Exception {
    double wall = (System.nanoTime() - t0) / 1e9;
    JsonObject result = new JsonObject()
        .put("schema", "oneloop-bench/1")
        .put("mode", s.mode)
        .put("startedAt", started.toString())
        .put("wallSeconds", Json.round(wall, 1))
        .put("roundsCompleted", done)
        .put("settings", s.toJson())
        .put("machine", Env.machine())
        .put("versions", Env.versions(s, repo))
        .put("generator", new JsonObject()
            .put("transport", gen.transport())
            .put("threads", 1)
            .put("cpu", s.generatorCpu))
        .put("interference", rig.steps.interference())
        .put("peers", peerInfo())
        .put("cds", cds.info())
        .put("runsFile", runsFile(s.out));
    putSummary(result, Summary.build(s, peers, runs));
    result.put("runFigures", RunFigures.of(runs));
    result.put("errors", new JsonArray(new ArrayList<>(rig.errors)));
    Path out = repo.resolve(s.out);
    Files.createDirectories(out.getParent());
    // the raw runs go to a file of their own, not committed: the results file keeps what is shown
    Files.writeString(repo.resolve(runsFile(s.out)), new JsonObject()
        .put("schema", "oneloop-bench-runs/1")
        .put("startedAt", started.toString())
        .put("runs", runs).encodePrettily() + "\n");
    Files.writeString(out, result.encodePrettily() + "\n");
    log("wrote %s and %s (%d of %d rounds)", s.out, runsFile(s.out), done, s.rounds);
    if (!s.png.isEmpty()) {
      Chart.write(result, repo.resolve(s.png));
      log("wrote %s", s.png);
    }
    if (!s.markdown.isEmpty()) {
      Files.writeString(repo.resolve(s.markdown), Markdown.withAbuse(Markdown.render(result), repo));
      log("wrote %s", s.markdown);
    }
    if (!last) {
      return 0;
    }
    Summary.print(result);
    if (!rig.errors.isEmpty()) {
      log("FAILED: %d error(s):", rig.errors.size());
      rig.errors.forEach(e -> log("  %s", e));
      return 1;
    }
    log("done in %.0f s", wall);
    return 0;
  }

  /** Runs the scenario once per peer it takes, in the peers' order, adding each record. */
  private void everyPeer(Scenario scenario, int round, Predicate<Peer> takes) throws Exception {
    for (Peer p : peers) {
      if (takes.test(p)) {
        long t0 = System.nanoTime();
        JsonObject r;
        try {
          r = scenario.run(p, round);
        } catch (Exception e) {
          // one scenario's failure is recorded as an error of the run; the others still run
          String msg = p.id + " (round " + round + ", " + scenario.getClass().getSimpleName()
              + "): " + e;
          rig.errors.add(msg);
          log("ERROR %s", msg);
          e.printStackTrace(System.out);
          r = new JsonObject().put("round", round).put("peer", p.id).put("error", msg)
              .put("kind", scenario.getClass().getSimpleName().toLowerCase());
        }
        runs.add(r.put("wallSeconds", Json.round((System.nanoTime() - t0) / 1e9, 1)));
      }
    }
  }

  /** The peers the settings ask for, in the order of {@link Peer#all()}. */
  private static List<Peer> peersOf(Settings s) {
    List<Peer> ps = new ArrayList<>();
    for (Peer p : Peer.all()) {
      if (s.peers.contains(p.id)) {
        ps.add(p);
      }
    }
    for (String id : s.peers) {
      if (ps.stream().noneMatch(p -> p.id.equals(id))) {
        throw new IllegalArgumentException("unknown peer: " + id + " (known: "
            + String.join(",", Peer.defaultIds()) + ")");
      }
    }
    return ps;
  }

  /** Where the raw runs of the results file {@code out} go: beside it, with "-runs" before ".json". */
  static String runsFile(String out) {
    return (out.endsWith(".json") ? out.substring(0, out.length() - ".json".length()) : out)
        + "-runs.json";
  }

  private static void putSummary(JsonObject result, JsonObject summary) {
    result.put("summary", summary.getJsonObject("peers"));
    result.put("ratios", summary.getJsonObject("ratios"));
    result.put("targets", summary.getJsonArray("targets"));
  }

  private JsonArray peerInfo() throws Exception {
    JsonArray a = new JsonArray();
    for (Peer p : peers) {
      List<String> cmd = new ArrayList<>(List.of("taskset", "-c", p.cpus(s)));
      cmd.addAll(p.command(s, 8080, p.separateControlPort ? 8081 : 8080, repo));
      JsonObject o = new JsonObject()
          .put("id", p.id)
          .put("app", p.app)
          .put("label", p.label)
          .put("variant", p.variant)
          .put("serverCpus", p.cpus(s))
          .put("protocol", p.protocol.name().toLowerCase())
          .put("webSocketPath", p.wsPath)
          .put("workDir", p.workDir)
          .put("command", display(cmd).replace("8081", "CONTROL_PORT").replace("8080", "PORT"))
          .put("env", p.env(8080).isEmpty() ? null : "PORT=PORT")
          .put("jvm", p.jvm)
          .put("controlOnSeparatePort", p.separateControlPort);
      if (p.app.equals("oneloop")) {
        o.put("config", new JsonObject(Peer.oneloopConfig(8080, 8081, p.appliedKeys(s))).encode()
            .replace("8081", "CONTROL_PORT").replace("8080", "PORT"));
        o.put("keysNotInJar", new JsonArray(p.missingKeys(s)));
      }
      a.add(o);
    }
    return a;
  }

  private static String display(List<String> cmd) {
    StringBuilder sb = new StringBuilder();
    for (String c : cmd) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(c.matches("[A-Za-z0-9_./:=,+@%-]+") ? c : "'" + c.replace("'", "'\\''") + "'");
    }
    return sb.toString();
  }

  static void log(String fmt, Object... args) {
    System.out.printf("[bench] " + fmt + "%n", args);
    System.out.flush();
  }
}
