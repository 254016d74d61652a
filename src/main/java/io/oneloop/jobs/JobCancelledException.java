package io.oneloop.jobs;

/** Ends a job that noticed it was cancelled. */
public class JobCancelledException extends RuntimeException {

  public JobCancelledException() {
    super("cancelled", null, false, false);
  }
}
