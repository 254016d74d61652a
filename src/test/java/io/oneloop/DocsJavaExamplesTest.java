package io.oneloop;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java a newcomer copies from README.md and docs/extending.md compiles against the API as it is. */
class DocsJavaExamplesTest {

  private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+);");
  private static final Pattern CLASS = Pattern.compile("(?m)^public\\s+(?:final\\s+|abstract\\s+)?(?:class|interface|record)\\s+(\\w+)");

  @Test
  @DisplayName("every Java example of README.md and docs/extending.md compiles against oneloop's classes")
  void examplesCompile(@TempDir Path dir) throws IOException {
    List<Path> sources = new ArrayList<>();
    for (Path doc : List.of(Path.of("README.md"), Path.of("docs", "extending.md"))) {
      Matcher block = BLOCK.matcher(Files.readString(doc));
      int found = 0;
      while (block.find()) {
        String code = block.group(1);
        Matcher pkg = PACKAGE.matcher(code);
        Matcher type = CLASS.matcher(code);
        assertTrue(pkg.find() && type.find(), doc + ": a Java example names its package and public class:\n" + code);
        Path file = dir.resolve("src").resolve(pkg.group(1).replace('.', '/')).resolve(type.group(1) + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, code);
        sources.add(file);
        found++;
      }
      assertTrue(found >= 1, doc + " has a Java example");
    }

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "the tests run on a JDK");
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
      Path out = Files.createDirectories(dir.resolve("classes"));
      List<String> options = List.of("-proc:none", "-Xlint:none", "-d", out.toString(),
        "-classpath", System.getProperty("java.class.path"));
      boolean compiled = javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjectsFromPaths(sources)).call();
      StringBuilder report = new StringBuilder();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        report.append(d.getSource() == null ? "" : Path.of(d.getSource().toUri()).getFileName()).append(':')
          .append(d.getLineNumber()).append(": ").append(d.getMessage(null)).append('\n');
      }
      assertTrue(compiled, report.toString());
    }
  }
}
