package io.oneloop.jobs;

import io.micrometer.core.instrument.MeterRegistry;
import io.oneloop.base.NoMeters;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** What a running job gets: its params, a way to report progress, and whether it was cancelled. */
public interface JobContext {

  String id();

  /** The params the job was started with (checked by {@link Job#validate}). */
  JsonObject params();

  Vertx vertx();

  /** Reports progress, 0 to 1; each change is published on {@code oneloop.jobs}. */
  void progress(double fraction);

  /** True once somebody cancelled the job, or the app is shutting down: stop soon and return. */
  boolean cancelled();

  /** Throws {@link JobCancelledException} when the job was cancelled: a one-line check in a loop. */
  default void checkCancelled() {
    if (cancelled()) {
      throw new JobCancelledException();
    }
  }

  /**
   * The registry {@code /metrics} shows, as a task's {@code meters()}: a meter registered here is
   * scraped with the app's own; with {@code metrics.enabled} false (or outside the app), one whose
   * meters work and record nothing. Each meter name holds at most 1000 series; one past that is
   * dropped, with one warning naming the meter.
   */
  default MeterRegistry meters() {
    return NoMeters.REGISTRY;
  }

  /** Waits up to {@code ms}; returns early, with {@code false}, when the job is cancelled. */
  boolean sleep(long ms) throws InterruptedException;
}
