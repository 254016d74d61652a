package io.oneloop.supervision;

/** The process exit codes of {@code io.oneloop.Main}. */
public final class ExitCodes {

  /** Stopped by SIGINT/SIGTERM, or the first task ended normally. */
  public static final int OK = 0;
  /** A task or the HTTP server failed at runtime, or shutdown overran its budget. */
  public static final int FAILED = 1;
  /** Could not start: bad config, port in use, unknown task, a task whose start failed. */
  public static final int START_FAILED = 2;
  /** A second signal forced the exit. */
  public static final int FORCED = 130;

  private ExitCodes() {
  }
}
