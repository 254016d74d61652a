package io.oneloop.http;

import io.vertx.core.Vertx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;

import io.netty.util.Version;

/** What the jar was built from (recorded at {@code mvn package}) and the versions it runs on. */
public record BuildInfo(String version, String commit, String buildTime, String vertxVersion, String nettyVersion) {

  private static final String FILE = "io/oneloop/build.properties";
  private static final String VERTX_VERSION = "META-INF/vertx/vertx-version.txt";

  /** Read from the class path; "unknown" for what a build outside Maven did not record. */
  public static BuildInfo load() {
    Properties build = new Properties();
    ClassLoader loader = BuildInfo.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(FILE)) {
      if (in != null) {
        build.load(in);
      }
    } catch (IOException ignored) {
      // an unreadable file records nothing, like a missing one
    }
    String vertx = "unknown";
    try (InputStream in = loader.getResourceAsStream(VERTX_VERSION)) {
      if (in != null) {
        vertx = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
    } catch (IOException ignored) {
      // as above
    }
    Map<String, Version> netty = Version.identify(loader);
    Version common = netty.get("netty-common");
    String nettyVersion = common != null ? common.artifactVersion()
      : netty.values().stream().map(Version::artifactVersion).findFirst().orElse("unknown");
    return new BuildInfo(recorded(build, "version"), recorded(build, "commit"), recorded(build, "buildTime"), vertx, nettyVersion);
  }

  private static String recorded(Properties build, String key) {
    String value = build.getProperty(key);
    // An unfiltered copy (e.g. classes compiled by an IDE) still holds the placeholder.
    return value == null || value.isBlank() || value.startsWith("${") ? "unknown" : value;
  }

  /** "epoll" or "nio": the transport Vert.x runs its sockets on. */
  public static String transport(Vertx vertx) {
    return vertx.isNativeTransportEnabled() ? "epoll" : "nio";
  }
}
