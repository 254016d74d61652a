package io.oneloop.config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What of the working directory would change what oneloop serves. Vert.x's static files look at
 * the file system before the class path, so a {@code webroot/} where the process starts would
 * silently replace the pages in the jars (the built-in page, {@code /oneloop-bus.js} and an app's
 * own): the start refuses it instead, and {@code --check-config} reports it.
 */
public final class WorkingDirectory {

  private static final String WEBROOT = "webroot";

  private WorkingDirectory() {
  }

  /** Why a start in {@code dir} must not go on, or null when nothing there would be served. */
  public static String webrootProblem(Path dir) {
    Path webroot = dir.resolve(WEBROOT);
    if (!Files.exists(webroot)) {
      return null;
    }
    return webroot.toAbsolutePath().normalize() + ": a webroot/ in the working directory would be served instead of the pages in the"
      + " jars (the built-in page, /oneloop-bus.js and your own): pages are served only from webroot/ inside a jar on the class path;"
      + " move that directory into your jar's resources (src/main/resources/webroot/) or start oneloop from another directory";
  }

  /** {@link #webrootProblem(Path)} for the directory the process runs in. */
  public static String webrootProblem() {
    return webrootProblem(Path.of(""));
  }
}
