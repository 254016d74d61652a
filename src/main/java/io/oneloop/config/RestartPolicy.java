package io.oneloop.config;

/**
 * When a task is started again after it ended or failed, and when the supervisor gives up:
 * more than {@code maxRestarts} restarts within {@code withinMs} fails the task for good.
 */
public record RestartPolicy(Kind kind, int maxRestarts, long withinMs, long backoffMs, long maxBackoffMs) {

  public enum Kind {
    /** Never restart: the task's end or failure is final. */
    NEVER("never"),
    /** Restart after a failure, never after a normal end. */
    ON_FAILURE("on-failure"),
    /** Restart after a failure or a normal end. */
    ALWAYS("always");

    public final String configName;

    Kind(String configName) {
      this.configName = configName;
    }
  }

  public static final RestartPolicy DEFAULT = new RestartPolicy(Kind.NEVER, 3, 60_000, 1000, 30_000);

  public boolean restartsAfterFailure() {
    return kind != Kind.NEVER;
  }

  public boolean restartsAfterEnd() {
    return kind == Kind.ALWAYS;
  }

  /** The wait before restart number {@code n} (1-based) of the current window: doubling, capped. */
  public long backoffBefore(int n) {
    long delay = backoffMs;
    for (int i = 1; i < n && delay < maxBackoffMs; i++) {
      delay *= 2;
    }
    return Math.min(delay, maxBackoffMs);
  }
}
