package io.oneloop.testkit;

import io.vertx.core.Vertx;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * Builds the test's Vert.x as the fat jar's would be built: vertx-hazelcast registers its cluster
 * manager as a Vert.x service provider, which every Vert.x start would create (loading Hazelcast)
 * whenever the jar is on the class path; the fat jar leaves that service entry out, and so does this.
 */
final class WithoutClusterManager extends ClassLoader {

  private static final String PROVIDERS = "META-INF/services/io.vertx.core.spi.VertxServiceProvider";
  private static final String HAZELCAST_PROVIDER = "io.vertx.spi.cluster.hazelcast.HazelcastClusterManager";

  private WithoutClusterManager(ClassLoader parent) {
    super(parent);
  }

  /** A new Vert.x whose service providers were looked up without Hazelcast's. */
  static Vertx vertx() {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    ClassLoader parent = previous != null ? previous : WithoutClusterManager.class.getClassLoader();
    // Vert.x looks its providers up through the thread's context class loader while it is built.
    thread.setContextClassLoader(new WithoutClusterManager(parent));
    try {
      return Vertx.vertx();
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    Enumeration<URL> all = super.getResources(name);
    if (!PROVIDERS.equals(name)) {
      return all;
    }
    List<URL> kept = new ArrayList<>();
    for (URL url : Collections.list(all)) {
      if (!onlyHazelcast(url)) {
        kept.add(url);
      }
    }
    return Collections.enumeration(kept);
  }

  /** True when the file names the Hazelcast cluster manager and no other provider. */
  private static boolean onlyHazelcast(URL url) throws IOException {
    String text;
    try (InputStream in = url.openStream()) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    boolean hazelcast = false;
    for (String line : text.split("\n")) {
      String entry = line.replaceAll("#.*", "").trim();
      if (entry.equals(HAZELCAST_PROVIDER)) {
        hazelcast = true;
      } else if (!entry.isEmpty()) {
        return false;
      }
    }
    return hazelcast;
  }
}
