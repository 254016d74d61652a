package io.oneloop.bench.harness;

import io.vertx.core.json.JsonObject;

import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Run settings; {@code --smoke} and the full run differ only in these numbers. */
final class Settings {
  String mode = "full";
  int clients = 1000;
  int rounds = 3;
  double s1Rate = 20;
  double s1Seconds = 20;
  /** An unmeasured step at S1's rate before S1, as S2 has: S1 measures the steady path, not JIT warm-up. */
  double s1WarmupSeconds = 5;
  /**
   * The paired S1 of a variant beside its baseline: fresh pairs of processes per round (one
   * process runs a few % faster or slower than another of the same config for its whole life, so
   * one pair is not enough), steps per pair, and each step's length.
   */
  int pairedPairs = 3;
  int pairedSteps = 4;
  double pairedStepSeconds = 5;
  /**
   * The pair's warm-up before its steps: seconds at a higher rate, then windows at the S1 rate
   * until neither process compiled more than this many methods in one (at most so many seconds).
   */
  double pairedWarmSeconds = 10;
  double pairedWarmRate = 100;
  int pairedQuietCompiles = 5;
  double pairedQuietMaxSeconds = 9;
  double s2StepSeconds = 3;
  double s2WarmupSeconds = 8;
  double s2FirstRate = 10;
  double s2MinRate = 0.5;
  double s2MaxRate = 20_000;
  int s2MaxSteps = 12;
  /** A failing S2 step is run once more at the same rate; the rate fails only if that fails too. */
  boolean s2RetryFailed = true;
  double s2Resolution = 1.15;
  double s2P99LimitMs = 100;
  double s2MinDeliveriesPct = 99;
  int startStopSamples = 5;
  /** The fixed high-rate steps after S1 (publishes/s and seconds), for the peers that take them. */
  double[] highRates = {200, 1000};
  double[] highSeconds = {10, 5};
  /** S6, slow consumer: messages/s, seconds, padding per message, when the early RSS is read. */
  double s6Rate = 1000;
  double s6Seconds = 60;
  int s6PadBytes = 10 * 1024;
  double s6EarlySeconds = 5;
  /**
   * The reconnect storm: publishes/s, how long it publishes, the steady stretch before the drop,
   * and how long the clients may take to catch up after the last is back.
   */
  double stormRate = 20;
  double stormSeconds = 15;
  long stormLeadMs = 3000;
  long stormCatchUpMaxMs = 30_000;
  /**
   * The publish API: keep-alive connections POSTing (open loop, pipelined, at most
   * publishMaxInFlight unanswered each), the first rate (doubled per step), steps at most (enough
   * to pass any server: the steps stop at the first it does not keep pace with), seconds per step,
   * and the http.maxPublishPerSecond the run sets.
   */
  int publishConnections = 32;
  int publishMaxInFlight = 256;
  double publishFirstRate = 50;
  int publishMaxSteps = 14;
  double publishStepSeconds = 3;
  double publishWarmupSeconds = 3;
  int publishMaxPerSecond = 1_000_000;
  /** Rounds that run S6 (it takes a minute per peer): the first N. */
  int s6Rounds = Integer.MAX_VALUE;
  /** oneloop's bound on a client's queue the S6 figures are read against (its default). */
  long boundBytes = 1 << 20;
  /**
   * The scenarios to run (life, s2, s6, storm, startstop, cds, cluster, mem, memprofile, scale,
   * publish, rolling, paired, startprofile); all by default.
   */
  List<String> only = new ArrayList<>(List.of("life", "s2", "s6", "storm", "startstop", "cds", "cluster", "mem",
      "memprofile", "scale", "publish", "rolling", "paired", "startprofile"));
  /** The keys of the peers' oneloop settings the jar knows (found by {@link OneloopKeys}). */
  Set<String> oneloopKnownKeys;
  /**
   * S3 starts with an AppCDS archive per JVM peer and round: -1 = as many as that peer's
   * default-flags S3 starts in the round, 0 = none (no archive is made).
   */
  int cdsSamples = -1;
  /** Memory per connection: the idle sockets opened to a fresh server (a smoke run: only with --only mem). */
  int memClients = 8000;
  /** The connection scale (Peers in {@link Scale#PEERS}): clients, publish rates and how long each step publishes. */
  int[] scaleSizes = {1000, 8000, 16000};
  double[] scaleRates = {1, 20};
  double[] scaleSeconds = {10, 5};
  long idleWaitMs = 2000;
  long settleMs = 2000;
  long graceMs = 2500;
  /** Pause between S2 steps, and how long no frame must arrive before a step counts as drained. */
  long pauseMs = 500;
  long drainQuietMs = 500;
  long connectTimeoutMs = 120_000;
  long stopTimeoutMs = 30_000;
  String heap = "512m";
  /** Wait before each measurement until other processes use less than this share of a core. */
  double quietShare = 0.15;
  long quietMaxWaitMs = 10_000;
  /** Total waiting for a quiet machine allowed in one run; afterwards it measures at once. */
  long quietBudgetMs = 120_000;
  /** Repeat a step whose publishing window saw more interference than this share of a core. */
  double interferenceShare = 0.3;
  int interferenceRetries = 1;
  String serverCpu = "0";
  String generatorCpu = "1";
  String java = "java";
  String python = "/usr/bin/python3";
  String node = "node";
  String oneloopJar = "target/oneloop.jar";
  String repo = ".";
  String out = "bench/results/latest.json";
  String png = "bench/results/latest.png";
  String markdown = "BENCHMARKS.md";
  String commandLine = "bench/run";
  String gitCommit = "";
  List<String> peers = new ArrayList<>(Peer.defaultIds());

  static Settings parse(String[] args) {
    Settings s = new Settings();
    for (String a : args) {
      if ("--smoke".equals(a)) {
        s.smoke();
      }
    }
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if ("--smoke".equals(a) || "--render".equals(a)) {
        continue;
      }
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("unknown argument: " + a);
      }
      String v = args[++i];
      switch (a) {
        case "--clients" -> s.clients = Integer.parseInt(v);
        case "--publish-connections" -> s.publishConnections = Integer.parseInt(v);
        case "--mem-clients" -> s.memClients = Integer.parseInt(v);
        case "--scale-sizes" -> s.scaleSizes = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
        case "--rounds" -> s.rounds = Integer.parseInt(v);
        case "--s1-seconds" -> s.s1Seconds = Double.parseDouble(v);
        case "--s1-warmup-seconds" -> s.s1WarmupSeconds = Double.parseDouble(v);
        case "--paired-pairs" -> s.pairedPairs = Math.max(1, Integer.parseInt(v));
        case "--paired-steps" -> s.pairedSteps = Math.max(1, Integer.parseInt(v));
        case "--paired-step-seconds" -> s.pairedStepSeconds = Double.parseDouble(v);
        case "--paired-warm-seconds" -> s.pairedWarmSeconds = Double.parseDouble(v);
        case "--paired-warm-rate" -> s.pairedWarmRate = Double.parseDouble(v);
        case "--paired-quiet-compiles" -> s.pairedQuietCompiles = Integer.parseInt(v);
        case "--paired-quiet-max-seconds" -> s.pairedQuietMaxSeconds = Double.parseDouble(v);
        case "--s2-step-seconds" -> s.s2StepSeconds = Double.parseDouble(v);
        case "--s2-retry-failed" -> s.s2RetryFailed = Boolean.parseBoolean(v);
        case "--start-stop-samples" -> s.startStopSamples = Integer.parseInt(v);
        case "--s6-seconds" -> s.s6Seconds = Double.parseDouble(v);
        case "--s6-rounds" -> s.s6Rounds = Integer.parseInt(v);
        case "--storm-seconds" -> s.stormSeconds = Double.parseDouble(v);
        case "--only" -> s.only = new ArrayList<>(Arrays.asList(v.split(",")));
        case "--cds-samples" -> s.cdsSamples = Integer.parseInt(v);
        case "--peers" -> s.peers = new ArrayList<>(Arrays.asList(v.split(",")));
        case "--server-cpu" -> s.serverCpu = v;
        case "--generator-cpu" -> s.generatorCpu = v;
        case "--java" -> s.java = v;
        case "--python" -> s.python = v;
        case "--node" -> s.node = v;
        case "--oneloop-jar" -> s.oneloopJar = v;
        case "--repo" -> s.repo = v;
        case "--out" -> s.out = v;
        case "--png" -> s.png = v;
        case "--markdown" -> s.markdown = v;
        case "--command-line" -> s.commandLine = v;
        case "--git-commit" -> s.gitCommit = v;
        default -> throw new IllegalArgumentException("unknown argument: " + a);
      }
    }
    return s;
  }

  private void smoke() {
    mode = "smoke";
    clients = 50;
    rounds = 1;
    s1Seconds = 1;
    s1WarmupSeconds = 0;
    s2StepSeconds = 1;
    s2WarmupSeconds = 0;
    s2FirstRate = 100;
    s2MaxSteps = 2;
    startStopSamples = 1;
    highSeconds = new double[] {0.5, 0.5};
    pauseMs = 100;
    drainQuietMs = 200;
    // the variants are oneloop with another config: the full run measures them; the ones with
    // history stay for the storm alone
    peers.removeIf(id -> Peer.all().stream().anyMatch(p -> p.id.equals(id) && p.variant
        && !p.reconnectStorm()));
    stormSeconds = 4;
    stormLeadMs = 1000;
    stormCatchUpMaxMs = 10_000;
    // three clustered JVMs take half a minute to start: only with --only cluster
    only.remove("cluster");
    // likewise the rolling restart: only with --only rolling
    only.remove("rolling");
    // thousands of sockets per peer: only with --only mem, then at 200
    only.remove("mem");
    only.remove("memprofile");
    memClients = 200;
    // likewise: with --only scale, two small sizes
    only.remove("scale");
    scaleSizes = new int[] {50, 200};
    scaleSeconds = new double[] {2, 1};
    s6Seconds = 3;
    s6EarlySeconds = 1;
    publishFirstRate = 250;
    publishMaxSteps = 5;
    publishStepSeconds = 0.5;
    publishWarmupSeconds = 1;
    // one start with AppCDS per JVM peer: with the training runs about 7 s
    cdsSamples = 1;
    idleWaitMs = 300;
    settleMs = 300;
    graceMs = 1000;
    connectTimeoutMs = 20_000;
    quietMaxWaitMs = 0;
    interferenceRetries = 0;
    stopTimeoutMs = 15_000;
    out = "bench/results/smoke.json";
    png = "";
    markdown = "";
  }

  /** The settings a results file was made with, as far as the summary needs them. */
  static Settings fromJson(JsonObject j) {
    Settings s = new Settings();
    s.mode = j.getString("mode", s.mode);
    s.clients = j.getInteger("clients", s.clients);
    s.rounds = j.getInteger("rounds", s.rounds);
    s.startStopSamples = j.getInteger("startStopSamples", s.startStopSamples);
    s.s6Seconds = j.getDouble("s6Seconds", s.s6Seconds);
    s.s6EarlySeconds = j.getDouble("s6EarlySeconds", s.s6EarlySeconds);
    s.s6Rate = j.getDouble("s6RatePerSec", s.s6Rate);
    if (j.getJsonArray("highRates") != null) {
      JsonArray hr = j.getJsonArray("highRates");
      s.highRates = new double[hr.size()];
      for (int i = 0; i < hr.size(); i++) {
        s.highRates[i] = hr.getDouble(i);
      }
    }
    if (j.getJsonArray("oneloopKnownKeys") != null) {
      s.oneloopKnownKeys = new LinkedHashSet<>();
      j.getJsonArray("oneloopKnownKeys").forEach(k -> s.oneloopKnownKeys.add((String) k));
    }
    s.cdsSamples = j.getInteger("cdsSamplesPerRound", 0);
    s.serverCpu = j.getString("serverCpu", s.serverCpu);
    s.generatorCpu = j.getString("generatorCpu", s.generatorCpu);
    if (j.getJsonArray("peers") != null) {
      s.peers = new ArrayList<>();
      j.getJsonArray("peers").forEach(p -> s.peers.add((String) p));
    }
    return s;
  }

  boolean smokeMode() {
    return "smoke".equals(mode);
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("mode", mode)
        .put("clients", clients)
        .put("rounds", rounds)
        .put("s1RatePerSec", s1Rate)
        .put("s1Seconds", s1Seconds)
        .put("s1WarmupSeconds", s1WarmupSeconds)
        .put("pairedPairs", pairedPairs)
        .put("pairedSteps", pairedSteps)
        .put("pairedStepSeconds", pairedStepSeconds)
        .put("pairedWarmSeconds", pairedWarmSeconds)
        .put("pairedWarmRatePerSec", pairedWarmRate)
        .put("pairedQuietCompiles", pairedQuietCompiles)
        .put("pairedQuietMaxSeconds", pairedQuietMaxSeconds)
        .put("s2StepSeconds", s2StepSeconds)
        .put("s2WarmupSeconds", s2WarmupSeconds)
        .put("s2Resolution", s2Resolution)
        .put("s2FirstRate", s2FirstRate)
        .put("s2MaxSteps", s2MaxSteps)
        .put("s2RetryFailed", s2RetryFailed)
        .put("s2RetryRule", "p99 only")
        .put("s2PassRule", "p99 <= " + s2P99LimitMs + " ms and deliveries >= "
            + s2MinDeliveriesPct + " %")
        .put("startStopSamples", startStopSamples)
        .put("highRates", new JsonArray(Arrays.stream(highRates).boxed().toList()))
        .put("highSeconds", new JsonArray(Arrays.stream(highSeconds).boxed().toList()))
        .put("s6RatePerSec", s6Rate)
        .put("s6Seconds", s6Seconds)
        .put("s6PadBytes", s6PadBytes)
        .put("s6EarlySeconds", s6EarlySeconds)
        .put("s6Rounds", s6Rounds == Integer.MAX_VALUE ? rounds : Math.min(s6Rounds, rounds))
        .put("stormRatePerSec", stormRate)
        .put("stormSeconds", stormSeconds)
        .put("stormLeadMs", stormLeadMs)
        .put("stormCatchUpMaxMs", stormCatchUpMaxMs)
        .put("publishConnections", publishConnections)
        .put("publishMaxInFlight", publishMaxInFlight)
        .put("publishFirstRate", publishFirstRate)
        .put("publishMaxSteps", publishMaxSteps)
        .put("publishStepSeconds", publishStepSeconds)
        .put("publishWarmupSeconds", publishWarmupSeconds)
        .put("publishMaxPerSecond", publishMaxPerSecond)
        .put("boundBytes", boundBytes)
        .put("memClients", memClients)
        .put("scaleSizes", new JsonArray(Arrays.stream(scaleSizes).boxed().toList()))
        .put("scaleRates", new JsonArray(Arrays.stream(scaleRates).boxed().toList()))
        .put("scaleSeconds", new JsonArray(Arrays.stream(scaleSeconds).boxed().toList()))
        .put("oneloopKnownKeys", oneloopKnownKeys == null ? null
            : new JsonArray(new ArrayList<>(oneloopKnownKeys)))
        .put("cdsSamplesPerRound", cdsSamples)
        .put("quietShareBeforeMeasuring", quietShare)
        .put("quietMaxWaitMs", quietMaxWaitMs)
        .put("quietBudgetMs", quietBudgetMs)
        .put("interferenceShareForRetry", interferenceShare)
        .put("interferenceRetries", interferenceRetries)
        .put("jvmHeap", "-Xmx" + heap)
        .put("commandLine", commandLine)
        .put("serverCpu", serverCpu)
        .put("generatorCpu", generatorCpu)
        .put("scenarios", new JsonArray(only))
        .put("peers", new JsonArray(peers));
  }
}
