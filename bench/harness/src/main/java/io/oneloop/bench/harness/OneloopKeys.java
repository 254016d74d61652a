package io.oneloop.bench.harness;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.oneloop.bench.harness.Bench.log;

/**
 * Finds which of the config keys the oneloop variants set this oneloop jar knows: oneloop refuses
 * a config with a key it does not know, naming it, so the probe starts the jar with all of them,
 * leaves out each key it names, and starts again until it answers {@code /health}. A variant then
 * runs without the keys its jar lacks, and the results say so.
 */
final class OneloopKeys {

  /** Asked for its own sake: the slow-client bound the S6 figures are read against. */
  static final String BOUND_KEY = "bridge.maxQueuedBytes";
  /**
   * The connection caps, above the scale scenario's 16,000 clients (oneloop's defaults are 10,000
   * bridge and 12,000 HTTP connections); a jar without them has no such cap.
   */
  static final Map<String, Object> CAP_KEYS = Map.of("bridge.maxConnections", 19_000, "http.maxConnections", 19_500);
  /** The fixed bound of a jar without {@link #BOUND_KEY}. */
  static final long OLD_BOUND = 4L << 20;

  private static final Pattern UNKNOWN = Pattern.compile("([A-Za-z0-9_.\\[\\]]+) is not a known key");

  private OneloopKeys() {
  }

  /** The keys of {@code peers}' oneloop settings (and {@link #BOUND_KEY}) the jar accepts. */
  static Set<String> probe(Settings s, Path repo, List<Peer> peers) throws Exception {
    Map<String, Object> keys = new LinkedHashMap<>();
    for (Peer p : peers) {
      keys.putAll(p.oneloopKeys);
    }
    keys.put(BOUND_KEY, 1 << 20);
    keys.putAll(CAP_KEYS);
    Path dir = repo.resolve("bench/target/run");
    Path logDir = repo.resolve("bench/target/logs/" + s.mode);
    Files.createDirectories(dir);
    Files.createDirectories(logDir);
    int tries = keys.size() + 1;
    for (int attempt = 1; attempt <= tries; attempt++) {
      int port = Ports.free();
      int control = Ports.free();
      Path conf = dir.resolve("oneloop-keys-" + port + ".json");
      Files.writeString(conf, Peer.oneloopConfig(port, control, keys));
      Path logFile = logDir.resolve("oneloop-keys-" + attempt + ".log");
      List<String> cmd = new ArrayList<>(List.of("taskset", "-c", s.serverCpu, s.java,
          "-Xmx" + s.heap, "-cp", s.oneloopJar + ":bench/task/target/bench-task.jar",
          "io.oneloop.Main", "-conf", repo.relativize(conf).toString()));
      Process proc = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true)
          .redirectOutput(logFile.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      Server.LIVE.add(proc);
      Server.writePidFile();
      try {
        boolean healthy = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && proc.isAlive()) {
          if (MiniHttp.status(port, "/health", 1000) == 200) {
            healthy = true;
            break;
          }
          Thread.sleep(20);
        }
        if (healthy) {
          log("oneloop's jar knows %s", keys.keySet());
          return new LinkedHashSet<>(keys.keySet());
        }
        proc.waitFor(5, TimeUnit.SECONDS);
        String out = Files.readString(logFile, StandardCharsets.ISO_8859_1);
        Matcher m = UNKNOWN.matcher(out);
        String named = m.find() ? m.group(1) : null;
        List<String> drop = new ArrayList<>();
        for (String k : keys.keySet()) {
          if (named != null && (k.equals(named) || k.startsWith(named + "."))) {
            drop.add(k);
          }
        }
        if (drop.isEmpty()) {
          log("WARNING oneloop did not start with the variants' keys and named none of them "
              + "(see %s): the variants run without their keys", repo.relativize(logFile));
          return new LinkedHashSet<>();
        }
        log("oneloop's jar does not know %s: runs leave it out", drop);
        drop.forEach(keys::remove);
      } finally {
        proc.destroyForcibly();
        proc.waitFor(10, TimeUnit.SECONDS);
        Server.LIVE.remove(proc);
        Server.writePidFile();
      }
    }
    return new LinkedHashSet<>(keys.keySet());
  }
}
