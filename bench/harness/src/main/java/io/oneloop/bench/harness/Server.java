package io.oneloop.bench.harness;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** A started server process: pinned with taskset, output to a log file, /proc figures. */
final class Server {

  /** Every process this harness started and has not yet seen exit. */
  static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  static Path pidFile;

  final Peer peer;
  final Process process;
  final long pid;
  final long startNanos;
  final int port;
  final int controlPort;
  final Path log;
  final List<String> command;
  /**
   * The other nodes of a cluster this server is the first node of: their CPU, memory and life
   * count with its own, so a step measures the whole cluster.
   */
  final List<Server> alongside = new ArrayList<>();

  private Server(Peer peer, Process process, long startNanos, int port, int controlPort, Path log,
      List<String> command) {
    this.peer = peer;
    this.process = process;
    this.pid = process.pid();
    this.startNanos = startNanos;
    this.port = port;
    this.controlPort = controlPort;
    this.log = log;
    this.command = command;
  }

  /** Starts the peer with {@code jvmExtra} after the shared JVM flags (JVM peers only). */
  static Server start(Peer peer, Settings s, Path repo, Path logDir, String tag,
      List<String> jvmExtra) throws Exception {
    int port = Ports.free();
    int controlPort = peer.separateControlPort ? Ports.free() : port;
    List<String> cmd = new ArrayList<>(List.of("taskset", "-c", peer.cpus(s)));
    cmd.addAll(peer.command(s, port, controlPort, repo, jvmExtra));
    Files.createDirectories(logDir);
    Path log = logDir.resolve(peer.id + "-" + tag + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .directory(repo.resolve(peer.workDir).toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(peer.env(port));
    long t0 = System.nanoTime();
    Process p = pb.start();
    LIVE.add(p);
    writePidFile();
    return new Server(peer, p, t0, port, controlPort, log, cmd);
  }

  /** Milliseconds from process start to the first 200 on GET /health, or -1. */
  double waitHealthy(long timeoutMs) throws InterruptedException {
    long deadline = startNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (System.nanoTime() < deadline) {
      if (MiniHttp.status(port, "/health", 1000) == 200
          && (controlPort == port || MiniHttp.status(controlPort, "/health", 1000) == 200)) {
        return (System.nanoTime() - startNanos) / 1e6;
      }
      if (!process.isAlive()) {
        return -1;
      }
      Thread.sleep(5);
    }
    return -1;
  }

  boolean alive() {
    return process.isAlive() && alongside.stream().allMatch(Server::alive);
  }

  /** CPU ticks of the process (and of the nodes {@link #alongside}); -1 when one cannot be read. */
  long cpuTicks() {
    long ticks = Proc.cpuTicks(pid);
    for (Server other : alongside) {
      long t = other.cpuTicks();
      ticks = ticks < 0 || t < 0 ? -1 : ticks + t;
    }
    return ticks;
  }

  /**
   * CPU time in nanoseconds of the process's Vert.x event-loop threads, where a delivery is made:
   * without the JIT compiler's and the GC's threads, whose work in a step depends on how warm the
   * process is; -1 for a process without such threads (a peer not on the JVM) or with nodes alongside.
   */
  long loopCpuNanos() {
    return alongside.isEmpty() ? Proc.threadCpuNanos(pid, "vert.x-eventloo") : -1;
  }

  long rssKiB() {
    long kib = Proc.statusKiB(pid, "VmRSS:");
    for (Server other : alongside) {
      long k = other.rssKiB();
      kib = kib < 0 || k < 0 ? -1 : kib + k;
    }
    return kib;
  }

  /** True when a file whose path ends with {@code suffix} is mapped into the process. */
  boolean maps(String suffix) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
        if (line.endsWith(suffix)) {
          return true;
        }
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return false;
  }

  String sigIgn() {
    return Proc.statusField(pid, "SigIgn:");
  }

  String sigBlk() {
    return Proc.statusField(pid, "SigBlk:");
  }

  /** True when SIGINT (signal 2) is neither ignored nor blocked in the server process. */
  boolean sigintDeliverable() {
    return !bit(sigIgn(), 2) && !bit(sigBlk(), 2);
  }

  private static boolean bit(String hex, int signal) {
    if (hex == null) {
      return false;
    }
    long mask = Long.parseUnsignedLong(hex.trim(), 16);
    return (mask & (1L << (signal - 1))) != 0;
  }

  /** Sends SIGINT and returns the milliseconds until the process exited, or -1 on timeout. */
  double sigintAndWait(long timeoutMs) throws Exception {
    long t0 = System.nanoTime();
    Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(pid)).start();
    boolean exited = process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
    long t1 = System.nanoTime();
    kill.waitFor(5, TimeUnit.SECONDS);
    if (!exited) {
      destroy();
      return -1;
    }
    LIVE.remove(process);
    writePidFile();
    return (t1 - t0) / 1e6;
  }

  Integer exitCode() {
    return process.isAlive() ? null : process.exitValue();
  }

  void destroy() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    LIVE.remove(process);
    writePidFile();
  }

  /** Stops politely (SIGINT, bounded) and then forcibly. */
  void stopQuietly(long timeoutMs) {
    try {
      if (process.isAlive()) {
        new ProcessBuilder("kill", "-INT", String.valueOf(pid)).start().waitFor(5, TimeUnit.SECONDS);
        process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
      }
      destroy();
    } catch (Exception e) {
      process.destroyForcibly();
    }
  }

  boolean logMentions(String text) {
    try {
      return Files.readString(log, StandardCharsets.ISO_8859_1).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "";
    }
  }

  static synchronized void writePidFile() {
    if (pidFile == null) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    for (Process p : LIVE) {
      if (p.isAlive()) {
        sb.append(p.pid()).append('\n');
      }
    }
    try {
      Files.writeString(pidFile, sb.toString());
    } catch (IOException ignored) {
      // best effort: the shell's trap is a second line of defence only
    }
  }

  static void killAll() {
    for (Process p : LIVE) {
      p.destroyForcibly();
    }
    for (Process p : LIVE) {
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    }
    LIVE.clear();
    writePidFile();
  }
}
