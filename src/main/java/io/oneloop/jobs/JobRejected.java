package io.oneloop.jobs;

/** A job that is not accepted, with the HTTP status that says why (400, 429 or 503). */
public class JobRejected extends RuntimeException {

  private final int status;

  public JobRejected(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
