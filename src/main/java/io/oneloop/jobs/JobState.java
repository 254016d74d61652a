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

  /** True once the job has ended one way or another. */
  boolean finished() {
    return this != QUEUED && this != RUNNING;
  }

  /** The state a record names, or null for a word that is none. */
  static JobState ofWireName(String word) {
    for (JobState state : values()) {
      if (state.wireName().equals(word)) {
        return state;
      }
    }
    return null;
  }
}
