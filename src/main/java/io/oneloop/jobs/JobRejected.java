package io.oneloop.jobs;

import io.vertx.core.json.JsonObject;

/**
 * A job request that is refused, with the HTTP status that says why (400, 404, 409, 429 or 503)
 * and, for a cancel that comes too late, the job's record as it is.
 */
public class JobRejected extends RuntimeException {

  private final int status;
  private final JsonObject job;

  public JobRejected(int status, String message) {
    this(status, message, null);
  }

  public JobRejected(int status, String message, JsonObject job) {
    super(message, null, false, false);
    this.status = status;
    this.job = job;
  }

  public int status() {
    return status;
  }

  /** The job's record when the refusal concerns a job that exists (409), else null. */
  public JsonObject job() {
    return job;
  }
}
