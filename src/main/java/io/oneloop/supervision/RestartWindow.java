package io.oneloop.supervision;

import io.oneloop.config.RestartPolicy;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * The restarts of one task within its policy's {@code withinMs}, on monotonic time: each time the
 * task ends or fails and its policy restarts it, says whether to start it again and after what
 * backoff, or to give up because {@code maxRestarts} restarts already fall within the window.
 * Pure: the caller passes the time ({@link System#nanoTime()}).
 */
final class RestartWindow {

  /** What to do with a task that ended or failed. */
  sealed interface Decision permits Restart, GiveUp {
  }

  /** Start it again after {@code delayMs}. */
  record Restart(long delayMs) implements Decision {
  }

  /** Give up: {@code restarts} restarts already fall within the window. */
  record GiveUp(int restarts) implements Decision {
  }

  private final RestartPolicy policy;
  private final long windowNanos;
  /** When each restart still in the window is due, oldest first, in {@link System#nanoTime()} terms. */
  private final Deque<Long> restarts = new ArrayDeque<>();

  RestartWindow(RestartPolicy policy) {
    this.policy = policy;
    this.windowNanos = TimeUnit.MILLISECONDS.toNanos(policy.withinMs());
  }

  /**
   * Records an end or failure at {@code nanoTime}. A restart counts from when it is due (after its
   * backoff), and leaves the window {@code withinMs} later.
   */
  Decision record(long nanoTime) {
    // Differences, not comparisons: nanoTime may wrap.
    while (!restarts.isEmpty() && nanoTime - restarts.peekFirst() >= windowNanos) {
      restarts.removeFirst();
    }
    if (restarts.size() >= policy.maxRestarts()) {
      return new GiveUp(restarts.size());
    }
    long delayMs = policy.backoffBefore(restarts.size() + 1);
    restarts.addLast(nanoTime + TimeUnit.MILLISECONDS.toNanos(delayMs));
    return new Restart(delayMs);
  }
}
