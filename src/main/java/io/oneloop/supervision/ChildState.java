package io.oneloop.supervision;

import java.util.Locale;

/**
 * Where a supervised child is in its life: the one field the supervisor decides by, and for a
 * task the {@code state} its record on {@code oneloop.tasks} shows ({@link #wireName()}).
 */
enum ChildState {
  /** Being deployed, at boot or for a restart. */
  STARTING,
  /** A singleton that another node of the cluster runs: this node takes over when that one leaves. */
  STANDBY,
  /** Deployed and running; its end or failure is news. */
  RUNNING,
  /** Ended or failed, and its policy starts it again after a backoff. */
  RESTARTING,
  /** Being undeployed by the supervisor. */
  STOPPING,
  /** Stopped by the supervisor (the app is shutting down). */
  STOPPED,
  /** Ended by itself and not started again. */
  ENDED,
  /** Failed (at its start, or at runtime with no restart left) and not started again. */
  FAILED;

  /**
   * The word the task records use: the name in lower case, except that the records have no word
   * for stopping, so a task goes on showing {@code running} until it has stopped.
   */
  String wireName() {
    return (this == STOPPING ? RUNNING : this).name().toLowerCase(Locale.ROOT);
  }

  /** Whether what the child's instance reports (its end, an exception) is news the supervisor acts on. */
  boolean hearsNews() {
    return this == STARTING || this == RUNNING;
  }
}
