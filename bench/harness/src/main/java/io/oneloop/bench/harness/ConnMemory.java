package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.oneloop.bench.harness.Bench.log;
import static io.oneloop.bench.harness.Rig.sleep;

/**
 * Memory per connection: a fresh server, its RSS and (JVM peers) live heap after a forced GC with
 * no client, then again with {@code memClients} idle registered sockets; per connection the
 * difference over the count, and the classes whose live bytes grew most with the sockets (from
 * two {@code GC.class_histogram}s), each as instances and bytes per socket. RSS follows the heap's
 * sizing more than what is live; the heap after GC is what one socket really keeps.
 */
final class ConnMemory implements Scenario {

  /** How many classes of the histogram's growth the record keeps. */
  static final int TOP = 15;

  private final Rig rig;

  ConnMemory(Rig rig) {
    this.rig = rig;
  }

  @Override
  public JsonObject run(Peer p, int round) throws Exception {
    Settings s = rig.s;
    int n = s.memClients;
    JsonObject r = new JsonObject().put("round", round).put("peer", p.id).put("kind", "connmem")
        .put("clients", n);
    log("round %d %s: memory per connection, %d idle sockets", round, p.id, n);
    Server srv = rig.start(p, round, "connmem");
    try {
      JsonObject notStarted = rig.awaitStart(r, p, srv);
      if (notStarted != null) {
        return notStarted;
      }
      sleep(s.settleMs);
      Map<String, long[]> before = p.jvm ? histogram(srv.pid) : Map.of();
      long rssBefore = srv.rssKiB();
      long t = System.nanoTime();
      int connected = rig.gen.connect(p.protocol, srv.port, p.wsPath, Peer.ADDRESS, n,
          Math.max(s.connectTimeoutMs, n * 10L));
      log("  %d/%d sockets in %.1f s", connected, n, (System.nanoTime() - t) / 1e9);
      r.put("connected", connected);
      if (connected < n) {
        return rig.fail(r, p, srv, "only " + connected + " of " + n + " sockets connected");
      }
      // the registrations and the first pings settle; timers armed per socket are then armed
      sleep(Math.max(s.settleMs, 3000));
      Map<String, long[]> after = p.jvm ? histogram(srv.pid) : Map.of();
      long rssAfter = srv.rssKiB();
      r.put("rssIdleKiB", rssBefore).put("rssConnectedKiB", rssAfter)
          .put("rssPerConnKiB", Json.round((rssAfter - rssBefore) / (double) n, 2));
      if (p.jvm) {
        long heapBefore = total(before);
        long heapAfter = total(after);
        r.put("heapIdleBytes", heapBefore).put("heapConnectedBytes", heapAfter)
            .put("heapPerConnKiB", Json.round((heapAfter - heapBefore) / 1024.0 / n, 2))
            .put("topClasses", top(before, after, n, k -> true, TOP))
            .put("oneloopClasses", top(before, after, n, k -> k.startsWith("io.oneloop."), TOP));
        log("  RSS %.1f KiB/conn, live heap after GC %.2f KiB/conn", (rssAfter - rssBefore) / (double) n,
            (heapAfter - heapBefore) / 1024.0 / n);
        List<Object> shown = new ArrayList<>(r.getJsonArray("topClasses").getList());
        shown.addAll(r.getJsonArray("oneloopClasses").getList());
        for (Object o : shown) {
          JsonObject c = o instanceof JsonObject j ? j : new JsonObject((Map<String, Object>) o);
          log("    %8.0f B/conn %6.2f per conn  %s", c.getDouble("bytesPerConn"),
              c.getDouble("instancesPerConn"), c.getString("class"));
        }
      } else {
        log("  RSS %.1f KiB/conn", (rssAfter - rssBefore) / (double) n);
      }
    } finally {
      srv.destroy();
      rig.gen.disconnectAll();
    }
    return r;
  }

  /** Class name to {instances, bytes} of the live objects, after the full GC the histogram forces. */
  static Map<String, long[]> histogram(long pid) throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    Map<String, long[]> m = new HashMap<>();
    for (String line : jcmd(pid, "GC.class_histogram").split("\n")) {
      String[] f = line.trim().split("\\s+");
      // "  1:   123   4567  [B (java.base@17)"
      if (f.length >= 4 && f[0].endsWith(":")) {
        m.merge(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])},
            (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
      }
    }
    return m;
  }

  static long total(Map<String, long[]> h) {
    return h.values().stream().mapToLong(v -> v[1]).sum();
  }

  /** The classes {@code which} whose live bytes grew most, per socket. */
  static JsonArray top(Map<String, long[]> before, Map<String, long[]> after, int n, Predicate<String> which,
      int most) {
    List<Map.Entry<String, long[]>> grown = new ArrayList<>();
    after.forEach((k, v) -> {
      if (!which.test(k)) {
        return;
      }
      long[] b = before.getOrDefault(k, new long[2]);
      grown.add(Map.entry(k, new long[] {v[0] - b[0], v[1] - b[1]}));
    });
    grown.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
    JsonArray out = new JsonArray();
    for (Map.Entry<String, long[]> e : grown.subList(0, Math.min(most, grown.size()))) {
      out.add(new JsonObject().put("class", e.getKey())
          .put("instancesPerConn", Json.round(e.getValue()[0] / (double) n, 2))
          .put("bytesPerConn", Json.round(e.getValue()[1] / (double) n, 1)));
    }
    return out;
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("jcmd " + command + " did not end in 60 s");
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}
