package io.oneloop.config;

import java.util.List;

/**
 * A config that cannot be read or is wrong; each problem names the source and the key path. The
 * message is the problems, one a line.
 */
public class ConfigException extends RuntimeException {

  private final List<String> problems;

  public ConfigException(String message) {
    this(List.of(message));
  }

  /** Every problem found, in the order of the keys. */
  public ConfigException(List<String> problems) {
    super(String.join("\n", problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
