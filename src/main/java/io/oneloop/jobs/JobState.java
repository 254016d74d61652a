package io.oneloop.jobs;

import java.util.Locale;

/** Where a job is; its record on {@code oneloop.jobs} and the API shows {@link #wireName()}. */
enum JobState {
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  /** The word the job records use: the name in lower case. */
  String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
