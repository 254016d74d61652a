package io.oneloop.testkit;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentSkipListSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With {@code cluster.enabled} false, an app started by the test kit loads no Hazelcast class, even
 * with vertx-hazelcast and Hazelcast on the class path (as here): the app and the kit run in a class
 * loader of their own that records every class it is asked for.
 */
class HazelcastFreeTest {

  /** A class loader over the test's class path that notes every class name asked of it. */
  static final class Recording extends URLClassLoader {
    final Set<String> asked = new ConcurrentSkipListSet<>();

    Recording(URL[] urls) {
      super("recording", urls, ClassLoader.getPlatformClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      asked.add(name);
      return super.loadClass(name, resolve);
    }
  }

  /** Run inside the recording loader: starts oneloop with the kit, waits for a tick, stops it. */
  public static final class Probe implements Callable<String> {
    @Override
    public String call() throws Exception {
      OneloopExtension oneloop = OneloopExtension.builder()
        .config(new io.vertx.core.json.JsonObject()
          .put("cluster", new io.vertx.core.json.JsonObject().put("enabled", false))
          .put("tasks", new io.vertx.core.json.JsonArray().add(new io.vertx.core.json.JsonObject()
            .put("name", "ticker").put("type", "ticker").put("config", new io.vertx.core.json.JsonObject().put("intervalMs", 100)))))
        .build();
      oneloop.start();
      try {
        oneloop.awaitMessage("oneloop.ticker", java.time.Duration.ofSeconds(20));
        return oneloop.task("ticker").getString("state");
      } finally {
        oneloop.stop();
      }
    }
  }

  @Test
  void noHazelcastClassLoadsWithClusterDisabled() throws Exception {
    List<URL> urls = new ArrayList<>();
    boolean hazelcastOnPath = false;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      urls.add(toUrl(entry));
      hazelcastOnPath |= entry.contains("vertx-hazelcast");
    }
    assertTrue(hazelcastOnPath, "vertx-hazelcast must be on the test class path for this test to mean anything");
    try (Recording loader = new Recording(urls.toArray(URL[]::new))) {
      String[] state = new String[1];
      Throwable[] failure = new Throwable[1];
      Thread thread = new Thread(() -> {
        try {
          Object probe = Class.forName(Probe.class.getName(), true, loader).getConstructor().newInstance();
          state[0] = (String) ((Callable<?>) probe).call();
        } catch (Throwable t) {
          failure[0] = t;
        }
      }, "hazelcast-free-probe");
      thread.setContextClassLoader(loader);
      thread.start();
      thread.join(60_000);
      assertTrue(!thread.isAlive(), "the probe did not finish within 60 s");
      if (failure[0] != null) {
        throw new AssertionError("the probe failed", failure[0]);
      }
      assertEquals("running", state[0]);
      assertTrue(loader.asked.contains("io.oneloop.MainVerticle"), "the app did not run in the recording loader");
      Set<String> hazelcast = new TreeSet<>();
      loader.asked.stream().filter(n -> n.startsWith("com.hazelcast.") || n.startsWith("io.vertx.spi.cluster.hazelcast."))
        .forEach(hazelcast::add);
      assertEquals(Set.of(), hazelcast, "classes of Hazelcast loaded with cluster.enabled false");
    }
  }

  private static URL toUrl(String entry) {
    try {
      return Path.of(entry).toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
