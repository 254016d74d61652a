package io.oneloop.supervision;

/** Why the app ends, and the exit code that says so. */
public record Outcome(int exitCode, String reason) {

  public static Outcome ok(String reason) {
    return new Outcome(ExitCodes.OK, reason);
  }

  public static Outcome failed(String reason) {
    return new Outcome(ExitCodes.FAILED, reason);
  }
}
