package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.oneloop.bench.harness.Markdown.num;

/**
 * BENCHMARKS.md's profiles: where a JVM peer's start goes ({@link StartProfile}) and where the
 * RSS of its idle sockets goes ({@link ConnMemory} with Native Memory Tracking). Each section is
 * left out when the run has no such records.
 */
final class Profiles {

  private Profiles() {
  }

  /** "Where the start goes": the JVM's counters at the first /health, then classes by library. */
  static String start(JsonObject r) {
    JsonArray runs = runs(r, "startProfile");
    if (runs.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder("\n### Where the start goes\n\n");
    b.append("Per JVM app and round, one start as S3's (its own sample, not one of S3's): at the first 200 on "
        + "`GET /health`, the JVM's own counters, read from its performance data file without attaching to it "
        + "(`jstat -snap`), and the CPU the process used by then (`/proc`). Class loading, linking and static "
        + "initializers overlap (an initializer loads classes); the JIT compiles on its own threads, which on "
        + "the server's one core take their turns with the thread that starts the app. Then a second start with "
        + "`-Xlog:class+load` counts the classes loaded by the time `/health` first answered, by library "
        + "(that start is slower for its logging and is not a sample).\n\n");
    b.append("| peer | round | start to /health | process CPU by then | JVM created | classes loaded (from the CDS "
        + "archive) | class loading | linking (verifying) | static initializers | JIT compile time | GCs |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (JsonObject x : objects(runs)) {
      b.append("| ").append(x.getString("peer")).append(" | ").append(x.getValue("round"))
          .append(" | ").append(num(x.getValue("startMs"), "%.0f ms"))
          .append(" | ").append(num(x.getValue("cpuMs"), "%.0f ms"))
          .append(" | ").append(num(x.getValue("vmCreateMs"), "%.0f ms"))
          .append(" | ").append(num(x.getValue("classesLoaded"), "%,.0f"))
          .append(" (").append(num(x.getValue("classesFromCds"), "%,.0f")).append(")")
          .append(" | ").append(num(x.getValue("classLoadingMs"), "%.0f ms"))
          .append(" | ").append(num(x.getValue("linkingMs"), "%.0f ms"))
          .append(" (").append(num(x.getValue("verifyingMs"), "%.0f ms")).append(")")
          .append(" | ").append(num(x.getValue("staticInitMs"), "%.0f ms"))
          .append(" | ").append(num(x.getValue("jitMs"), "%.0f ms"))
          .append(" | ").append(num(x.getValue("gcs"), "%.0f"))
          .append(" (").append(num(x.getValue("gcMs"), "%.0f ms")).append(") |\n");
    }
    // classes by library: the median over the rounds per peer
    Map<String, Map<String, List<Double>>> byPeer = new LinkedHashMap<>();
    Set<String> groups = new LinkedHashSet<>();
    for (JsonObject x : objects(runs)) {
      JsonObject g = x.getJsonObject("classesByGroup");
      if (g == null) {
        continue;
      }
      Map<String, List<Double>> m = byPeer.computeIfAbsent(x.getString("peer"), k -> new LinkedHashMap<>());
      for (String name : g.fieldNames()) {
        groups.add(name);
        m.computeIfAbsent(name, k -> new ArrayList<>()).add(g.getDouble(name));
      }
    }
    if (byPeer.isEmpty()) {
      return b.toString();
    }
    List<String> peers = new ArrayList<>(byPeer.keySet());
    b.append("\nClasses loaded by the first `/health`, by library (median over the rounds; every app here also runs "
        + "the bench's publishing task, whose classes are `io.oneloop.bench`, counted as oneloop by runs before "
        + "the bench task had a line of its own):\n\n| library |");
    peers.forEach(p -> b.append(" ").append(p).append(" |"));
    boolean vsRaw = peers.contains("raw") && peers.contains("oneloop");
    b.append(vsRaw ? " oneloop − raw |\n" : "\n").append("|---|");
    peers.forEach(p -> b.append("---:|"));
    b.append(vsRaw ? "---:|\n" : "\n");
    List<String> sorted = new ArrayList<>(groups);
    sorted.sort((x, y) -> Double.compare(median(byPeer, peers.get(peers.size() - 1), y),
        median(byPeer, peers.get(peers.size() - 1), x)));
    double[] totals = new double[peers.size()];
    for (String g : sorted) {
      b.append("| ").append(g).append(" |");
      for (int i = 0; i < peers.size(); i++) {
        double v = median(byPeer, peers.get(i), g);
        totals[i] += v;
        b.append(" ").append(num(v, "%,.0f")).append(" |");
      }
      if (vsRaw) {
        b.append(" ").append(num(median(byPeer, "oneloop", g) - median(byPeer, "raw", g), "%+,.0f")).append(" |");
      }
      b.append("\n");
    }
    b.append("| all |");
    for (double t : totals) {
      b.append(" ").append(num(t, "%,.0f")).append(" |");
    }
    if (vsRaw) {
      b.append(" ").append(num(totals[peers.indexOf("oneloop")] - totals[peers.indexOf("raw")], "%+,.0f")).append(" |");
    }
    return b.append("\n").toString();
  }

  /** "Where the memory goes": RSS per socket split by where it is resident, and the JVM's categories. */
  static String memory(JsonObject r) {
    JsonArray runs = runs(r, "memProfile");
    if (runs.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder("### Where the memory of a socket goes\n\n");
    b.append("The memory-per-connection measurement again, in a fresh server run with "
        + "`-XX:NativeMemoryTracking=summary`: per idle socket, the growth of the resident memory of the Java "
        + "heap's address range (from `GC.heap_info` and `/proc/PID/smaps`), of which the live heap after a forced "
        + "GC is what the sockets keep and the rest is room the collector wrote to (eden it filled between "
        + "GCs); of the other anonymous memory (the C heap, thread stacks, metaspace, JIT code, direct "
        + "buffers); and of the file-backed pages. Then what the JVM committed per category outside the heap "
        + "(`jcmd VM.native_memory summary`): Arena Chunk and Code are the JIT's, Other is direct buffers. "
        + "NMT's own bookkeeping adds to this process's RSS, so these runs are the profile; the figures of "
        + "record are the ones above.\n\n");
    b.append("| peer | sockets | RSS / socket | Java heap resident | live heap after GC | other anonymous | "
        + "file-backed | JVM categories outside the heap that grew (committed) |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (JsonObject x : objects(runs)) {
      JsonObject nmt = x.getJsonObject("nmtPerConnKiB", new JsonObject());
      JsonObject res = x.getJsonObject("residentPerConnKiB", new JsonObject());
      List<String> others = new ArrayList<>();
      for (String k : nmt.fieldNames()) {
        Object v = nmt.getValue(k);
        if (!k.equals("Total") && !k.equals("Java Heap") && v instanceof Number n && Math.abs(n.doubleValue()) >= 0.05) {
          others.add(k + " " + num(v, "%.2f"));
        }
      }
      b.append("| ").append(x.getString("peer")).append(" | ").append(num(x.getValue("connected"), "%,.0f"))
          .append(" | ").append(num(x.getValue("rssPerConnKiB"), "%.1f KiB"))
          .append(" | ").append(num(res.getValue("javaHeap"), "%.1f KiB"))
          .append(" | ").append(num(x.getValue("heapPerConnKiB"), "%.2f KiB"))
          .append(" | ").append(num(res.getValue("otherAnonymous"), "%.1f KiB"))
          .append(" | ").append(num(res.getValue("files"), "%.1f KiB"))
          .append(" | ").append(others.isEmpty() ? "—" : String.join(", ", others) + " KiB").append(" |\n");
    }
    return b.append("\n").toString();
  }

  private static double median(Map<String, Map<String, List<Double>>> byPeer, String peer, String group) {
    List<Double> v = byPeer.getOrDefault(peer, Map.of()).get(group);
    return v == null || v.isEmpty() ? 0 : Targets.median(v);
  }

  private static JsonArray runs(JsonObject r, String key) {
    JsonObject figures = r.getJsonObject("runFigures");
    JsonArray runs = figures == null ? null : figures.getJsonArray(key);
    return runs == null ? new JsonArray() : runs;
  }

  private static List<JsonObject> objects(JsonArray runs) {
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      out.add(runs.getJsonObject(i));
    }
    return out;
  }
}
