package io.oneloop;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The house's floors: imports run one way, top to bottom, the engine stands alone and big files stay rare.
 * A change that climbs a floor fails here with the classes that climbed.
 */
class ArchitectureTest {

  /** Source files at most this long; one longer file is allowed, and its class comment must say why. */
  private static final int MAX_LINES = 500;
  private static final String ALLOWED_LONG_FILE = "io/oneloop/config/ConfigChecker.java";

  /** The classes in the root package that stand on a floor of their own (and their nested classes). */
  private static final String ENTRY = "io\\.oneloop\\.(Main|MainVerticle)(\\$.*)?";
  private static final String ADDRESSES = "io\\.oneloop\\.Addresses(\\$.*)?";

  /**
   * Top to bottom. A floor may import any floor below it, never one above it or a package beside it
   * on the same floor. A name is a package under io.oneloop, except "Main/MainVerticle" and "Addresses",
   * classes of the root package. An empty name fails the rule, so a renamed package is noticed here.
   */
  private static final List<List<String>> FLOORS = List.of(
    // The test kit starts MainVerticle for a user's tests: on top, and nothing of the app imports it.
    List.of("testkit"),
    List.of("Main/MainVerticle"),
    List.of("app"),
    List.of("http"),
    List.of("supervision", "chat", "auth", "cluster"),
    List.of("config"),
    List.of("tasks"),
    List.of("metrics"),
    List.of("bridge", "jobs"),
    List.of("shape"),
    List.of("logging", "base", "text", "Addresses"));

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    // Only dependencies between io.oneloop's own classes are checked, so the libraries they use are not
    // imported (resolving them from the class path takes most of the time).
    main = ArchConfiguration.withThreadLocalScope(configuration -> {
      configuration.setResolveMissingDependenciesFromClassPath(false);
      return new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.oneloop");
    });
  }

  @Test
  @DisplayName("no two packages of io.oneloop depend on each other, directly or through others")
  void noCycles() {
    slices().matching("io.oneloop.(*)..").should().beFreeOfCycles().check(main);
  }

  @Test
  @DisplayName("every package stands on one floor and imports only the floors below it")
  void floors() {
    LayeredArchitecture floors = layeredArchitecture().consideringOnlyDependenciesInLayers();
    for (List<String> floor : FLOORS) {
      for (String layer : floor) {
        floors = floors.layer(layer).definedBy(classesOf(layer));
      }
    }
    List<String> above = new ArrayList<>();
    for (List<String> floor : FLOORS) {
      for (String layer : floor) {
        floors = above.isEmpty()
          ? floors.whereLayer(layer).mayNotBeAccessedByAnyLayer()
          : floors.whereLayer(layer).mayOnlyBeAccessedByLayers(above.toArray(String[]::new));
      }
      above.addAll(floor);
    }
    // A new package or root class must be given a floor, or the rule would not see it.
    floors.ensureAllClassesAreContainedInArchitectureIgnoring(nameMatching(".*\\.package-info")).check(main);
  }

  @Test
  @DisplayName("the bridge engine depends on no app package and not on Addresses")
  void bridgeStandsAlone() {
    noClasses().that().resideInAPackage("io.oneloop.bridge..")
      .should().dependOnClassesThat().resideInAnyPackage("io.oneloop.app..", "io.oneloop.auth..",
        "io.oneloop.config..", "io.oneloop.metrics..", "io.oneloop.http..", "io.oneloop.jobs..",
        "io.oneloop.cluster..", "io.oneloop.chat..", "io.oneloop.tasks..", "io.oneloop.supervision..")
      .orShould().dependOnClassesThat(nameMatching(ADDRESSES).as("are io.oneloop.Addresses"))
      .check(main);
  }

  @Test
  @DisplayName("at most one main source file is over 500 lines, config/ConfigChecker.java, and its class comment says why")
  void bigFiles() throws IOException {
    Path root = Path.of("src", "main", "java");
    Map<String, Integer> over = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
        int lines = Files.readAllLines(file).size();
        if (lines > MAX_LINES) {
          over.put(root.relativize(file).toString().replace('\\', '/'), lines);
        }
      }
    }
    Map<String, Integer> unexplained = new TreeMap<>(over);
    unexplained.remove(ALLOWED_LONG_FILE);
    assertEquals(Map.of(), unexplained, "main source files over " + MAX_LINES
      + " lines (split them by concern; only " + ALLOWED_LONG_FILE + " may be longer)");
    if (over.containsKey(ALLOWED_LONG_FILE)) {
      String comment = classComment(Files.readString(root.resolve(ALLOWED_LONG_FILE)));
      assertTrue(comment.contains("500") || comment.contains("one file"),
        ALLOWED_LONG_FILE + " is " + over.get(ALLOWED_LONG_FILE) + " lines; its class comment must say why"
          + " it stays one file over 500 lines");
    }
  }

  /** Which classes make up one named layer. */
  private static DescribedPredicate<? super JavaClass> classesOf(String layer) {
    switch (layer) {
      case "Main/MainVerticle":
        return nameMatching(ENTRY).as("io.oneloop.Main and io.oneloop.MainVerticle");
      case "Addresses":
        return nameMatching(ADDRESSES).as("io.oneloop.Addresses");
      default:
        return resideInAPackage("io.oneloop." + layer + "..");
    }
  }

  /** The last Javadoc comment before the first top-level type declaration, or "" if none. */
  private static String classComment(String source) {
    Matcher type = Pattern.compile("(?m)^(public\\s+)?(final\\s+|abstract\\s+)*(class|record|interface|enum)\\s")
      .matcher(source);
    String head = type.find() ? source.substring(0, type.start()) : source;
    int start = head.lastIndexOf("/**");
    int end = start < 0 ? -1 : head.indexOf("*/", start);
    return end < 0 ? "" : head.substring(start, end);
  }
}
