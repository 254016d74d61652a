package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.oneloop.bench.harness.Bench.log;

/**
 * S3 with AppCDS for the JVM peers: once per run a training run per peer makes its dynamic
 * archive, then each round starts every JVM peer with its archive. A problem here is reported
 * in the results' {@code cds} but does not fail the run: the other figures stand.
 */
final class Cds {

  private final Rig rig;
  private final Settings s;
  private final List<Peer> jvms;
  private final List<String> problems = new ArrayList<>();
  private boolean prepared;
  private long nanos;

  Cds(Rig rig, List<Peer> peers) {
    this.rig = rig;
    this.s = rig.s;
    // one archive per app: the peers that reach one app over another path share its start
    Map<String, Peer> byApp = new LinkedHashMap<>();
    peers.stream().filter(p -> p.jvm).forEach(p -> byApp.putIfAbsent(p.app, p));
    this.jvms = new ArrayList<>(byApp.values());
  }

  /**
   * After the round's default-flags runs (those of {@code runs} from {@code roundStart} on): in
   * round 1 first one dynamic archive per JVM peer (made once per run), then as many starts with
   * it per JVM peer as the peer had default-flags starts in this round, interleaved peer by peer.
   */
  void round(int round, JsonArray runs, int roundStart) throws Exception {
    long t0 = System.nanoTime();
    runRound(round, runs, roundStart);
    nanos += System.nanoTime() - t0;
  }

  private void runRound(int round, JsonArray runs, int roundStart) throws Exception {
    if (jvms.isEmpty()) {
      return;
    }
    if (!prepared) {
      prepared = true;
      Path dir = rig.repo.resolve(Peer.CDS_DIR);
      deleteTree(dir);
      Files.createDirectories(dir);
      for (Peer p : jvms) {
        runs.add(training(p, round));
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
      if (!Files.isRegularFile(rig.repo.resolve(p.cdsArchive()))) {
        n = 0;
      }
      count.put(p.id, n);
      most = Math.max(most, n);
    }
    for (int k = 0; k < most; k++) {
      for (Peer p : jvms) {
        if (k < count.get(p.id)) {
          runs.add(start(p, round));
        }
      }
    }
  }

  /**
   * The training run that makes a peer's archive: its usual command with
   * {@code -XX:ArchiveClassesAtExit}, started, {@code /health} answered, stopped with SIGINT;
   * the JVM writes the archive as it exits.
   */
  private JsonObject training(Peer p, int round) throws Exception {
    JsonObject r = new JsonObject().put("round", round).put("peer", p.id).put("kind", "cdstrain")
        .put("archive", p.cdsArchive());
    log("round %d %s: AppCDS training run -> %s", round, p.id, p.cdsArchive());
    Path archive = rig.repo.resolve(p.cdsArchive());
    Server srv = rig.start(p, round, "cdstrain",
        List.of("-XX:ArchiveClassesAtExit=" + p.cdsArchive()));
    try {
      double startMs = srv.waitHealthy(60_000);
      if (startMs < 0) {
        return problem(r, p, srv, "AppCDS training run: no 200 on GET /health within 60 s");
      }
      r.put("trainingStartMs", Json.round(startMs, 1));
      double stopMs = srv.sigintAndWait(60_000);
      r.put("stopMs", stopMs < 0 ? null : Json.round(stopMs, 1)).put("exitCode", srv.exitCode());
      if (stopMs < 0) {
        return problem(r, p, srv, "AppCDS training run did not exit within 60 s of SIGINT");
      }
    } finally {
      srv.destroy();
    }
    if (!Files.isRegularFile(archive) || Files.size(archive) == 0) {
      Files.deleteIfExists(archive);
      return problem(r, p, srv, "AppCDS training run wrote no archive");
    }
    r.put("archiveMiB", Json.round(Files.size(archive) / 1024.0 / 1024.0, 1));
    log("  archive %.1f MiB (training start %.0f ms, stop and dump %.0f ms)",
        Files.size(archive) / 1024.0 / 1024.0, r.getDouble("trainingStartMs"), r.getDouble("stopMs"));
    return r;
  }

  /** One S3 sample with the peer's archive; stopped with SIGINT (no clients). */
  private JsonObject start(Peer p, int round) throws Exception {
    JsonObject r = new JsonObject().put("round", round).put("peer", p.id).put("kind", "cds");
    Server srv = rig.start(p, round, "cds", List.of("-XX:SharedArchiveFile=" + p.cdsArchive()));
    try {
      double startMs = srv.waitHealthy(60_000);
      if (startMs < 0) {
        return problem(r, p, srv, "no 200 on GET /health within 60 s with the AppCDS archive");
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
  private JsonObject problem(JsonObject r, Peer p, Server srv, String why) {
    String msg = p.id + " (round " + r.getInteger("round") + "): " + why;
    if (!srv.alive() && srv.exitCode() != null) {
      msg += "; process exited with code " + srv.exitCode();
    }
    problems.add(msg);
    log("WARNING %s\n--- last lines of %s ---\n%s\n---", msg, rig.repo.relativize(srv.log),
        srv.logTail(20));
    return r.put("problem", msg);
  }

  /** The results' {@code cds}: how the archives are made and used, its wall time, problems. */
  JsonObject info() {
    return new JsonObject()
        .put("samplesPerRound", s.cdsSamples < 0 ? "as many as the peer's default-flags S3 starts"
            : String.valueOf(s.cdsSamples))
        .put("archiveDir", Peer.CDS_DIR)
        .put("wallSeconds", Json.round(nanos / 1e9, 1))
        .put("trainingFlag", "-XX:ArchiveClassesAtExit=" + Peer.CDS_DIR + "/PEER.jsa")
        .put("flag", "-XX:SharedArchiveFile=" + Peer.CDS_DIR + "/PEER.jsa")
        .put("peers", new JsonArray(jvms.stream().map(p -> p.id).toList()))
        .put("problems", new JsonArray(new ArrayList<>(problems)));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}
