package io.oneloop.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A strict reader of the Prometheus text exposition format (0.0.4): {@code # HELP} and
 * {@code # TYPE} lines, samples {@code name{label="value",...} value [timestamp]} with escaped
 * label values. A line that is not in the format, a sample of a family with no {@code # TYPE},
 * a family typed twice or a series given twice fails the parse with the line's number.
 */
public final class PrometheusText {

  /** One sample: its name, its labels (sorted) and its value. */
  public record Sample(String name, Map<String, String> labels, double value) {
  }

  private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");
  private static final List<String> SUFFIXES = List.of("", "_total", "_created", "_count", "_sum", "_bucket", "_info");

  private final Map<String, String> types;
  private final List<Sample> samples;

  private PrometheusText(Map<String, String> types, List<Sample> samples) {
    this.types = types;
    this.samples = samples;
  }

  public static PrometheusText parse(String text) {
    Map<String, String> types = new LinkedHashMap<>();
    List<Sample> samples = new ArrayList<>();
    Map<String, Boolean> seen = new HashMap<>();
    String[] lines = text.split("\n", -1);
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n];
      if (line.isEmpty()) {
        if (n != lines.length - 1) {
          throw error(n, line, "empty line");
        }
        continue;
      }
      if (line.startsWith("#")) {
        String[] parts = line.split(" ", 4);
        if (parts.length >= 3 && parts[1].equals("TYPE")) {
          if (parts.length != 4 || !TYPES.contains(parts[3]) || !isName(parts[2])) {
            throw error(n, line, "bad TYPE line");
          }
          if (types.put(parts[2], parts[3]) != null) {
            throw error(n, line, "family typed twice");
          }
        } else if (parts.length >= 3 && parts[1].equals("HELP")) {
          if (!isName(parts[2])) {
            throw error(n, line, "bad HELP line");
          }
        }
        continue;
      }
      Sample sample = sample(n, line);
      if (family(types, sample.name()) == null) {
        throw error(n, line, "sample of a family with no # TYPE");
      }
      String key = sample.name() + sample.labels();
      if (seen.put(key, true) != null) {
        throw error(n, line, "series given twice");
      }
      samples.add(sample);
    }
    return new PrometheusText(types, samples);
  }

  private static String family(Map<String, String> types, String sampleName) {
    for (String suffix : SUFFIXES) {
      if (sampleName.endsWith(suffix)) {
        String family = sampleName.substring(0, sampleName.length() - suffix.length());
        if (types.containsKey(family)) {
          return family;
        }
      }
    }
    return types.containsKey(sampleName) ? sampleName : null;
  }

  private static Sample sample(int n, String line) {
    int i = 0;
    while (i < line.length() && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_' || line.charAt(i) == ':')) {
      i++;
    }
    String name = line.substring(0, i);
    if (!isName(name)) {
      throw error(n, line, "bad metric name");
    }
    Map<String, String> labels = new TreeMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (true) {
        if (i < line.length() && line.charAt(i) == '}') {
          i++;
          break;
        }
        int start = i;
        while (i < line.length() && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_')) {
          i++;
        }
        String label = line.substring(start, i);
        if (label.isEmpty() || Character.isDigit(label.charAt(0)) || i + 1 >= line.length()
          || line.charAt(i) != '=' || line.charAt(i + 1) != '"') {
          throw error(n, line, "bad label");
        }
        i += 2;
        StringBuilder value = new StringBuilder();
        while (true) {
          if (i >= line.length()) {
            throw error(n, line, "unterminated label value");
          }
          char c = line.charAt(i++);
          if (c == '"') {
            break;
          }
          if (c == '\\') {
            if (i >= line.length()) {
              throw error(n, line, "bad escape");
            }
            char e = line.charAt(i++);
            switch (e) {
              case '\\' -> value.append('\\');
              case '"' -> value.append('"');
              case 'n' -> value.append('\n');
              default -> throw error(n, line, "bad escape \\" + e);
            }
          } else {
            value.append(c);
          }
        }
        if (labels.put(label, value.toString()) != null) {
          throw error(n, line, "label given twice");
        }
        if (i < line.length() && line.charAt(i) == ',') {
          i++;
        } else if (i >= line.length() || line.charAt(i) != '}') {
          throw error(n, line, "expected , or }");
        }
      }
    }
    if (i >= line.length() || line.charAt(i) != ' ') {
      throw error(n, line, "expected a space before the value");
    }
    String[] rest = line.substring(i + 1).split(" ");
    if (rest.length < 1 || rest.length > 2) {
      throw error(n, line, "expected a value and at most a timestamp");
    }
    double value = number(n, line, rest[0]);
    if (rest.length == 2) {
      try {
        Long.parseLong(rest[1]);
      } catch (NumberFormatException e) {
        throw error(n, line, "bad timestamp");
      }
    }
    return new Sample(name, labels, value);
  }

  private static double number(int n, String line, String text) {
    switch (text) {
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      case "NaN":
        return Double.NaN;
      default:
        try {
          return Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw error(n, line, "bad value " + text);
        }
    }
  }

  private static boolean isName(String name) {
    return name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*");
  }

  private static IllegalArgumentException error(int n, String line, String what) {
    return new IllegalArgumentException("line " + (n + 1) + ": " + what + ": " + line);
  }

  /** The family's declared type, or null. */
  public String type(String family) {
    return types.get(family);
  }

  public List<Sample> samples() {
    return samples;
  }

  /** The samples named {@code name}. */
  public List<Sample> samples(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** The value of the one sample named {@code name} with exactly these labels; fails when there is none. */
  public double value(String name, String... labels) {
    Map<String, String> wanted = new TreeMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      wanted.put(labels[i], labels[i + 1]);
    }
    return samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(wanted)).findFirst()
      .orElseThrow(() -> new AssertionError("no sample " + name + wanted)).value();
  }
}
