package io.oneloop.jobs;

/** Where a job is; its record on {@code oneloop.jobs} and the API shows {@link #wireName()}. */
enum JobState {
  QUEUED("queued"),
  RUNNING("running"),
  SUCCEEDED("succeeded"),
  FAILED("failed"),
  CANCELLED("cancelled");

  private final String wireName;

  JobState(String wireName) {
    this.wireName = wireName;
  }

  /** The word the job records use. */
  String wireName() {
    return wireName;
  }
}
