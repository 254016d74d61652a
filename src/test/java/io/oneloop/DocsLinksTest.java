package io.oneloop;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every relative link of README.md and docs/*.md leads somewhere: the file exists and, for a link
 * to a heading of a Markdown file, the heading does (anchors as GitHub makes them).
 */
class DocsLinksTest {

  private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)\\)");

  private static List<Path> docs() throws IOException {
    List<Path> files = new ArrayList<>(List.of(Path.of("README.md")));
    try (Stream<Path> pages = Files.list(Path.of("docs"))) {
      pages.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    return files;
  }

  /** The text outside fenced code blocks and inline code, where a link is a link. */
  private static String prose(String markdown) {
    StringBuilder out = new StringBuilder();
    boolean fenced = false;
    for (String line : markdown.split("\n", -1)) {
      if (line.stripLeading().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (!fenced) {
        out.append(line.replaceAll("`[^`]*`", "``")).append('\n');
      }
    }
    return out.toString();
  }

  /** GitHub's anchors for the headings of a Markdown file: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
  static Set<String> anchors(String markdown) {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    for (String line : markdown.split("\n", -1)) {
      if (line.stripLeading().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      Matcher heading = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$").matcher(line);
      if (fenced || !heading.matches()) {
        continue;
      }
      String slug = heading.group(1).toLowerCase(Locale.ROOT)
        .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "")
        .replace(' ', '-');
      int count = seen.merge(slug, 1, Integer::sum);
      anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
    }
    return anchors;
  }

  @Test
  @DisplayName("every relative link in README.md and docs/*.md names a file that exists, and a heading that exists")
  void relativeLinksResolve() throws IOException {
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path file : docs()) {
      String text = Files.readString(file);
      Matcher link = LINK.matcher(prose(text));
      while (link.find()) {
        String target = link.group(1);
        if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
          continue; // http:, https:, mailto:
        }
        checked++;
        int hash = target.indexOf('#');
        String pathPart = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = pathPart.isEmpty() ? file : file.toAbsolutePath().getParent().resolve(pathPart).normalize();
        if (!Files.exists(resolved)) {
          broken.add(file + ": " + target + " (no file " + resolved + ")");
          continue;
        }
        if (anchor != null && resolved.toString().endsWith(".md") && !anchors(Files.readString(resolved)).contains(anchor)) {
          broken.add(file + ": " + target + " (no heading #" + anchor + " in " + resolved.getFileName() + ")");
        }
      }
    }
    assertEquals(List.of(), broken);
    assertTrue(checked >= 40, "checked " + checked + " links");
  }

  @Test
  @DisplayName("the anchors are GitHub's: punctuation and code marks dropped, spaces kept as hyphens, repeats numbered")
  void anchorsAreGitHubs() {
    assertEquals(List.of("a-file-given-with--conf-and-errors", "oneloops-browser-client-oneloop-busjs", "health-metrics-log",
        "health-metrics-log-1"),
      List.copyOf(anchors("## A file given with `-conf`, and errors\n### oneloop's browser client: `/oneloop-bus.js`\n"
        + "## health, metrics, log\n```\n# not a heading\n```\n## health, metrics, log\n")));
  }
}
