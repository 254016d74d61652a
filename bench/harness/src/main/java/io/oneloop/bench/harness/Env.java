package io.oneloop.bench.harness;

import io.vertx.core.json.JsonObject;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

/** Machine and version facts for the results file. */
final class Env {
  private Env() {
  }

  static JsonObject machine() {
    JsonObject m = new JsonObject();
    try {
      List<String> cpu = Files.readAllLines(Path.of("/proc/cpuinfo"));
      m.put("cpuModel", cpu.stream().filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?"));
      m.put("cpus", cpu.stream().filter(l -> l.startsWith("processor")).count());
      String mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0);
      long kib = Long.parseLong(mem.replaceAll("[^0-9]", ""));
      m.put("memoryGiB", Json.round(kib / 1024.0 / 1024.0, 1));
      m.put("kernel", Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
      for (String l : Files.readAllLines(Path.of("/etc/os-release"))) {
        if (l.startsWith("PRETTY_NAME=")) {
          m.put("os", l.substring(12).replace("\"", ""));
        }
      }
    } catch (Exception e) {
      m.put("error", e.toString());
    }
    return m;
  }

  static JsonObject versions(Settings s, Path repo) {
    JsonObject v = new JsonObject();
    v.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"));
    v.put("vertx", mavenVersion("io.vertx", "vertx-core"));
    v.put("netty", io.netty.util.Version.identify().get("netty-common") == null ? "?"
        : io.netty.util.Version.identify().get("netty-common").artifactVersion());
    v.put("hdrHistogram", mavenVersion("org.hdrhistogram", "HdrHistogram"));
    v.put("jfreechart", mavenVersion("org.jfree", "jfreechart"));
    v.put("node", run(List.of(s.node, "--version")));
    v.put("socket.io", packageVersion(repo.resolve("bench/node/node_modules/socket.io/package.json")));
    v.put("engine.io", packageVersion(repo.resolve("bench/node/node_modules/engine.io/package.json")));
    v.put("ws", packageVersion(repo.resolve("bench/node/node_modules/ws/package.json")));
    v.put("python", run(List.of(s.python, "--version")));
    v.put("pythonPackages", run(List.of(s.python, "-c",
        "import importlib.metadata as m\n"
            + "print(', '.join(p + ' ' + m.version(p) for p in ['python-socketio', 'python-engineio',"
            + " 'starlette', 'uvicorn', 'uvloop', 'websockets']))")));
    v.put("oneloopCommit", s.gitCommit);
    v.put("oneloopJar", oneloopJarVersion(repo.resolve(s.oneloopJar)));
    return v;
  }

  private static String mavenVersion(String group, String artifact) {
    String res = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = Env.class.getResourceAsStream(res)) {
      if (in == null) {
        return "?";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "?");
    } catch (Exception e) {
      return "?";
    }
  }

  private static String packageVersion(Path packageJson) {
    try {
      return new JsonObject(Files.readString(packageJson)).getString("version");
    } catch (Exception e) {
      return "?";
    }
  }

  private static String oneloopJarVersion(Path jar) {
    if (!Files.exists(jar)) {
      return "absent";
    }
    try (JarFile j = new JarFile(jar.toFile())) {
      String v = j.getManifest() == null ? null
          : j.getManifest().getMainAttributes().getValue("Implementation-Version");
      return v == null ? "present" : v;
    } catch (Exception e) {
      return "unreadable";
    }
  }

  static String run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(10, TimeUnit.SECONDS);
      return out;
    } catch (Exception e) {
      return "?";
    }
  }
}
