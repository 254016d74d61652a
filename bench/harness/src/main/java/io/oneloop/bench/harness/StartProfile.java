package io.oneloop.bench.harness;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.oneloop.bench.harness.Bench.log;

/**
 * Where a JVM peer's start goes (S3's profile), from two starts with the peer's usual command:
 * <ul>
 * <li>one as S3 starts it: the time to the first 200 on {@code GET /health}, and at that moment
 * the JVM's own counters, read from its performance data file without attaching to it
 * ({@code jstat -snap}): classes loaded (and of those from the CDS archive), the time spent
 * loading, linking and verifying classes and running their static initializers, the JIT's
 * compile time (on its own threads) and the GCs so far;</li>
 * <li>one with {@code -Xlog:class+load} to a file: the classes loaded by the time {@code /health}
 * first answered, counted by the library they belong to. Logging slows that start, so its time is
 * not a sample.</li>
 * </ul>
 * Together they say which libraries a peer loads before it serves and what loading costs there.
 */
final class StartProfile implements Scenario {

  /** Library groups, first match wins: a class name prefix, then the group's name. */
  static final List<String[]> GROUPS = List.of(
      new String[] {"io.oneloop.bench.", "bench task"},
      new String[] {"io.oneloop.", "oneloop"},
      new String[] {"io.vertx.ext.web.", "Vert.x Web"},
      new String[] {"io.vertx.ext.auth.", "Vert.x Auth (JWT)"},
      new String[] {"io.vertx.ext.healthchecks.", "Vert.x Health Checks"},
      new String[] {"io.vertx.micrometer.", "Vert.x Micrometer"},
      new String[] {"io.vertx.spi.cluster.", "Hazelcast"},
      new String[] {"com.hazelcast.", "Hazelcast"},
      new String[] {"io.vertx.launcher.", "Vert.x launcher"},
      new String[] {"io.vertx.core.", "Vert.x core"},
      new String[] {"io.vertx.", "Vert.x other"},
      new String[] {"io.netty.", "Netty"},
      new String[] {"io.micrometer.", "Micrometer + Prometheus"},
      new String[] {"io.prometheus.", "Micrometer + Prometheus"},
      new String[] {"com.fasterxml.jackson.", "Jackson"},
      new String[] {"ch.qos.logback.", "Logback + SLF4J"},
      new String[] {"org.slf4j.", "Logback + SLF4J"},
      new String[] {"java.", "JDK"},
      new String[] {"javax.", "JDK"},
      new String[] {"jdk.", "JDK"},
      new String[] {"sun.", "JDK"},
      new String[] {"com.sun.", "JDK"});

  /** JVM counters kept, by their name in the performance data. */
  static final List<String> COUNTERS = List.of("java.cls.loadedClasses", "java.cls.sharedLoadedClasses",
      "sun.cls.time", "sun.cls.classLinkedTime", "sun.cls.classVerifyTime", "sun.cls.classInitTime",
      "sun.cls.appClassLoadTime", "sun.cls.appClassLoadCount", "sun.cls.appClassBytes", "java.ci.totalTime",
      "sun.gc.collector.0.invocations", "sun.gc.collector.0.time", "sun.rt.createVmBeginTime",
      "sun.rt.createVmEndTime", "sun.os.hrt.frequency");

  /** A class+load line: "[0.062s] java.lang.Object source: ..." (other decorations after the uptime are skipped). */
  private static final Pattern LOADED = Pattern.compile("^\\[([0-9.]+)s\\](?:\\[[^\\]]*\\])*\\s+(\\S+) source: ");

  private final Rig rig;

  StartProfile(Rig rig) {
    this.rig = rig;
  }

  /** The peers profiled: one per JVM app (the peers that reach one app over another path share its start). */
  static boolean takes(Peer p) {
    return p.jvm && !p.variant && p.id.equals(p.app);
  }

  @Override
  public JsonObject run(Peer p, int round) throws Exception {
    JsonObject r = new JsonObject().put("round", round).put("peer", p.id).put("kind", "startprofile");
    log("round %d %s: start profile (JVM counters at the first /health, classes by library)", round, p.id);
    Server srv = rig.start(p, round, "startprofile");
    try {
      double startMs = srv.waitHealthy(60_000);
      if (startMs < 0) {
        return rig.fail(r, p, srv, "no 200 on GET /health within 60 s");
      }
      long cpuTicks = Proc.cpuTicks(srv.pid);
      Map<String, Long> c = PerfData.read(srv.pid, COUNTERS);
      r.put("startMs", Json.round(startMs, 1)).put("counters", new JsonObject(new LinkedHashMap<>(c)));
      double hz = c.getOrDefault("sun.os.hrt.frequency", 1_000_000_000L);
      r.put("classesLoaded", c.getOrDefault("java.cls.loadedClasses", 0L) + c.getOrDefault("java.cls.sharedLoadedClasses", 0L))
          .put("classesFromCds", c.get("java.cls.sharedLoadedClasses"))
          .put("classLoadingMs", ms(c.get("sun.cls.time"), hz))
          .put("linkingMs", ms(c.get("sun.cls.classLinkedTime"), hz))
          .put("verifyingMs", ms(c.get("sun.cls.classVerifyTime"), hz))
          .put("staticInitMs", ms(c.get("sun.cls.classInitTime"), hz))
          .put("appLoaderMs", ms(c.get("sun.cls.appClassLoadTime"), hz))
          .put("jitMs", ms(c.get("java.ci.totalTime"), hz))
          .put("gcs", c.get("sun.gc.collector.0.invocations"))
          .put("gcMs", ms(c.get("sun.gc.collector.0.time"), hz))
          .put("cpuMs", cpuTicks < 0 ? null : Math.round(cpuTicks * 1000.0 / Rig.CLK_TCK));
      Long begin = c.get("sun.rt.createVmBeginTime");
      Long end = c.get("sun.rt.createVmEndTime");
      if (begin != null && end != null) {
        r.put("vmCreateMs", end - begin);
      }
    } finally {
      srv.destroy();
    }
    Path logFile = rig.repo.resolve("bench/target/startprofile/" + p.id + "-r" + round + "-classes.log");
    Files.createDirectories(logFile.getParent());
    Files.deleteIfExists(logFile);
    Server logged = rig.start(p, round, "startprofile-classes",
        List.of("-Xlog:class+load=info:file=" + logFile + ":uptime"));
    try {
      double loggedMs = logged.waitHealthy(60_000);
      if (loggedMs < 0) {
        return rig.fail(r, p, logged, "no 200 on GET /health within 60 s with -Xlog:class+load");
      }
      // the JVM's uptime at the first 200, as near as the harness knows it: the classes up to then
      double uptimeSeconds = (System.nanoTime() - logged.startNanos) / 1e9;
      Map<String, Integer> groups = groups(Files.readAllLines(logFile, StandardCharsets.UTF_8), uptimeSeconds);
      r.put("classesByGroup", new JsonObject(new LinkedHashMap<>(groups)))
          .put("loggedStartMs", Json.round(loggedMs, 1));
      log("  %.0f ms to /health: %s classes (%s from CDS), class loading %s ms, static init %s ms, JIT %s ms; by library %s",
          r.getDouble("startMs"), r.getValue("classesLoaded"), r.getValue("classesFromCds"), r.getValue("classLoadingMs"),
          r.getValue("staticInitMs"), r.getValue("jitMs"), groups);
    } finally {
      logged.destroy();
    }
    return r;
  }

  /** Classes of a {@code -Xlog:class+load:...:uptime} log loaded by {@code uptimeSeconds}, by group. */
  static Map<String, Integer> groups(List<String> lines, double uptimeSeconds) {
    Map<String, Integer> counts = new TreeMap<>();
    for (String line : lines) {
      Matcher m = LOADED.matcher(line);
      if (!m.find() || Double.parseDouble(m.group(1)) > uptimeSeconds) {
        continue;
      }
      counts.merge(group(m.group(2)), 1, Integer::sum);
    }
    return counts;
  }

  static String group(String className) {
    for (String[] g : GROUPS) {
      if (className.startsWith(g[0])) {
        return g[1];
      }
    }
    return "other";
  }

  private static Double ms(Long ticks, double hz) {
    return ticks == null ? null : Json.round(ticks * 1000.0 / hz, 1);
  }
}
