package io.oneloop.jobs;

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

  /** Waits up to {@code ms}; returns early, with {@code false}, when the job is cancelled. */
  boolean sleep(long ms) throws InterruptedException;
}
