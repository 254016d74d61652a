package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
  /** With Native Memory Tracking: the profile of where RSS goes ({@code memprofile}). */
  private final boolean nmt;

  ConnMemory(Rig rig) {
    this(rig, false);
  }

  /**
   * {@code nmt}: the server runs with {@code -XX:NativeMemoryTracking=summary}, and the record
   * adds, per socket, the growth of each of the JVM's memory categories (committed), beside the
   * RSS's: which part of RSS per connection is heap the JVM sized up, which is native memory, and
   * how much no category accounts for. NMT's own bookkeeping makes this process's RSS a little
   * larger, so its figures are the profile, not the measurement.
   */
  ConnMemory(Rig rig, boolean nmt) {
    this.rig = rig;
    this.nmt = nmt;
  }

  @Override
  public JsonObject run(Peer p, int round) throws Exception {
    Settings s = rig.s;
    int n = s.memClients;
    String kind = nmt ? "memprofile" : "connmem";
    JsonObject r = new JsonObject().put("round", round).put("peer", p.id).put("kind", kind)
        .put("clients", n);
    log("round %d %s: memory per connection%s, %d idle sockets", round, p.id,
        nmt ? " with Native Memory Tracking" : "", n);
    Server srv = rig.start(p, round, kind, nmt ? List.of("-XX:NativeMemoryTracking=summary") : List.of());
    try {
      JsonObject notStarted = rig.awaitStart(r, p, srv);
      if (notStarted != null) {
        return notStarted;
      }
      sleep(s.settleMs);
      Map<String, long[]> before = p.jvm ? histogram(srv.pid) : Map.of();
      Map<String, Long> nmtBefore = nmt ? nativeMemory(srv.pid) : Map.of();
      long[] heap = nmt ? heapRange(srv.pid) : null;
      long[] residentBefore = heap == null ? null : resident(srv.pid, heap);
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
      Map<String, Long> nmtAfter = nmt ? nativeMemory(srv.pid) : Map.of();
      long rssAfter = srv.rssKiB();
      if (heap != null && residentBefore != null) {
        long[] residentAfter = resident(srv.pid, heap);
        r.put("residentPerConnKiB", new JsonObject()
            .put("javaHeap", Json.round((residentAfter[0] - residentBefore[0]) / (double) n, 2))
            .put("otherAnonymous", Json.round((residentAfter[1] - residentBefore[1]) / (double) n, 2))
            .put("files", Json.round((residentAfter[2] - residentBefore[2]) / (double) n, 2)));
      }
      if (nmt) {
        r.put("nmtPerConnKiB", perConn(nmtBefore, nmtAfter, n));
        log("  committed per socket by category (KiB): %s", r.getJsonObject("nmtPerConnKiB").encode());
      }
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

  /** The growth of each category's committed KiB per socket, largest first, {@code Total} last. */
  static JsonObject perConn(Map<String, Long> before, Map<String, Long> after, int n) {
    List<Map.Entry<String, Long>> grown = new ArrayList<>();
    after.forEach((k, v) -> grown.add(Map.entry(k, v - before.getOrDefault(k, 0L))));
    grown.sort((x, y) -> Long.compare(y.getValue(), x.getValue()));
    JsonObject out = new JsonObject();
    for (Map.Entry<String, Long> e : grown) {
      if (!e.getKey().equals("Total")) {
        out.put(e.getKey(), Json.round(e.getValue() / (double) n, 2));
      }
    }
    if (after.containsKey("Total")) {
      out.put("Total", Json.round((after.get("Total") - before.getOrDefault("Total", 0L)) / (double) n, 2));
    }
    return out;
  }

  /** An address range of GC.heap_info: "[0xLOW, 0xHIGH)" or "[0xLOW, 0xUSED, 0xHIGH)". */
  private static final Pattern HEAP_RANGE = Pattern.compile("\\[0x([0-9a-f]+), (?:0x[0-9a-f]+, )?0x([0-9a-f]+)\\)");

  /** The Java heap's address range ({@code GC.heap_info}); null when it cannot be read. */
  static long[] heapRange(long pid) throws IOException, InterruptedException {
    return parseHeapRange(jcmd(pid, "GC.heap_info"));
  }

  /**
   * From the lines of the heap (G1's "garbage-first heap") or of its generations (Serial's "def
   * new generation" and "tenured generation": a JVM given one CPU picks Serial), the lowest and
   * highest address.
   */
  static long[] parseHeapRange(String heapInfo) {
    long low = -1;
    long high = -1;
    for (String line : heapInfo.split("\n")) {
      if (!line.contains(" heap ") && !line.contains(" generation ")) {
        continue;
      }
      Matcher m = HEAP_RANGE.matcher(line);
      if (m.find()) {
        long lo = Long.parseUnsignedLong(m.group(1), 16);
        long hi = Long.parseUnsignedLong(m.group(2), 16);
        low = low < 0 ? lo : Math.min(low, lo);
        high = Math.max(high, hi);
      }
    }
    return low < 0 ? null : new long[] {low, high};
  }

  /**
   * Resident KiB of the process's mappings ({@code /proc/PID/smaps}): {Java heap (inside
   * {@code heap}), other anonymous memory (the C heap, thread stacks, metaspace, JIT code, direct
   * buffers), file-backed}; null when it cannot be read.
   */
  static long[] resident(long pid, long[] heap) {
    try {
      return parseSmaps(Files.readAllLines(Path.of("/proc/" + pid + "/smaps")), heap);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static final Pattern MAPPING = Pattern.compile("^([0-9a-f]+)-([0-9a-f]+) \\S+ \\S+ \\S+ \\S+\\s*(.*)$");

  static long[] parseSmaps(List<String> lines, long[] heap) {
    long[] out = new long[3];
    int kind = -1;
    for (String line : lines) {
      Matcher m = MAPPING.matcher(line);
      if (m.matches()) {
        long start = Long.parseUnsignedLong(m.group(1), 16);
        long end = Long.parseUnsignedLong(m.group(2), 16);
        String path = m.group(3).trim();
        kind = start >= heap[0] && end <= heap[1] ? 0 : path.isEmpty() || path.startsWith("[") ? 1 : 2;
      } else if (line.startsWith("Rss:") && kind >= 0) {
        out[kind] += Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
      }
    }
    return out;
  }

  /** Each Native Memory Tracking category's committed KiB ({@code VM.native_memory summary}), and {@code Total}. */
  static Map<String, Long> nativeMemory(long pid) throws IOException, InterruptedException {
    return parseNativeMemory(jcmd(pid, "VM.native_memory summary"));
  }

  private static final Pattern NMT_LINE = Pattern.compile(
      "^(?:-\\s+(.+?)|(Total):) \\(?reserved=(\\d+)KB, committed=(\\d+)KB");

  static Map<String, Long> parseNativeMemory(String summary) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (String line : summary.split("\n")) {
      Matcher x = NMT_LINE.matcher(line.trim());
      if (x.find()) {
        m.put(x.group(1) != null ? x.group(1).trim() : x.group(2), Long.parseLong(x.group(4)));
      }
    }
    return m;
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
