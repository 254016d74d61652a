package io.oneloop.jobs;

import io.vertx.core.json.JsonObject;

/**
 * One-off work, started from the API ({@code POST /api/jobs}) or as a startup/shutdown hook.
 * <p>
 * A new instance runs each job, on a worker thread: blocking is fine. Report progress and check
 * for cancellation through the {@link JobContext}; return the result (a {@code JsonObject},
 * {@code JsonArray}, string, number, boolean or null) or throw to fail the job.
 */
public interface Job {

  /** Checks the params before the job is accepted; throw {@link IllegalArgumentException} to refuse it (400). */
  default void validate(JsonObject params) {
  }

  /** Does the work. Throwing fails the job with the exception's message. */
  Object run(JobContext ctx) throws Exception;
}
