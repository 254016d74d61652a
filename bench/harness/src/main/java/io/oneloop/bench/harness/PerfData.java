package io.oneloop.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM's own counters (its performance data: classes loaded, JIT compiles, GCs), read with
 * {@code jstat -snap} from the file the JVM keeps them in: nothing attaches to the process, so
 * reading them does not disturb what is measured.
 */
final class PerfData {

  /** Methods the JIT has compiled so far (every tier). */
  static final String COMPILES = "sun.ci.totalCompiles";

  private PerfData() {
  }

  /** The counters of {@code names} that are numbers; empty when the process cannot be read. */
  static Map<String, Long> read(long pid, Collection<String> names) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("jstat", "-J-Djstat.showUnsupported=true", "-snap", Long.toString(pid))
        .redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("jstat -snap did not end in 30 s");
    }
    return parse(new String(out, StandardCharsets.UTF_8), names);
  }

  /** One counter, or -1 when it cannot be read. */
  static long read(long pid, String name) {
    try {
      return read(pid, List.of(name)).getOrDefault(name, -1L);
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  static Map<String, Long> parse(String snap, Collection<String> names) {
    Map<String, Long> c = new LinkedHashMap<>();
    for (String line : snap.split("\n")) {
      int eq = line.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String name = line.substring(0, eq).trim();
      if (names.contains(name)) {
        try {
          c.put(name, Long.parseLong(line.substring(eq + 1).trim()));
        } catch (NumberFormatException e) {
          // a text counter, not one of the numbers asked for
        }
      }
    }
    return c;
  }
}
