package io.oneloop.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads /proc. */
final class Proc {
  private Proc() {
  }

  /** utime + stime of a process (all threads), in clock ticks; -1 if it is gone. */
  static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // fields after the command name, which is in parentheses and may contain spaces
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // f[0] is field 3 (state); utime is field 14, stime field 15
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * CPU time of a process's threads whose name starts with {@code prefix} (a thread's name in
   * /proc is cut to 15 characters), in nanoseconds; -1 if the process is gone or has none. Read
   * from each thread's {@code schedstat} (the scheduler's own run time, to the nanosecond): its
   * utime + stime come in 10 ms ticks, ~1 % of what an event loop spends in a 5 s step at S1's
   * rate. Falls back to the ticks where the kernel has no schedstat.
   */
  static long threadCpuNanos(long pid, String prefix) {
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      long sum = 0;
      boolean any = false;
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException gone) {
          continue;
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (name.startsWith(prefix)) {
          long nanos = runNanos(task);
          if (nanos < 0) {
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            nanos = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * (1_000_000_000L / Rig.CLK_TCK);
          }
          sum += nanos;
          any = true;
        }
      }
      return any ? sum : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** A thread's time on a CPU in nanoseconds, the first field of its schedstat; -1 when it cannot be read. */
  static long runNanos(Path task) {
    try {
      String line = Files.readString(task.resolve("schedstat")).trim();
      int space = line.indexOf(' ');
      return Long.parseLong(space < 0 ? line : line.substring(0, space));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Busy (user, nice, system, steal) clock ticks of the whole machine, from /proc/stat. */
  static long machineBusyTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      // cpu user nice system idle iowait irq softirq steal guest guest_nice; irq and softirq
      // are left out: loopback traffic of the benchmark itself is accounted there
      for (int i = 1; i <= 8; i++) {
        if (i != 4 && i != 5 && i != 6 && i != 7) {
          busy += Long.parseLong(f[i]);
        }
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static long selfCpuTicks() {
    return cpuTicks(ProcessHandle.current().pid());
  }

  static String statusField(long pid, String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(name)) {
          return line.substring(name.length()).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }

  static long statusKiB(long pid, String name) {
    String v = statusField(pid, name);
    if (v == null) {
      return -1;
    }
    return Long.parseLong(v.replace("kB", "").trim());
  }
}
