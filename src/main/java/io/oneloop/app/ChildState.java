package io.oneloop.app;

/**
 * Where a supervised child is in its life: the one field the supervisor decides by, and for a
 * task the {@code state} its record on {@code oneloop.tasks} shows ({@link #wireName()}).
 */
enum ChildState {
  /** Being deployed, at boot or for a restart. */
  STARTING("starting"),
  /** Deployed and running; its end or failure is news. */
  RUNNING("running"),
  /** Ended or failed, and its policy starts it again after a backoff. */
  RESTARTING("restarting"),
  /**
   * Being undeployed by the supervisor. The records have no word of their own for it: a task
   * goes on showing {@code running} until it has stopped.
   */
  STOPPING("running"),
  /** Stopped by the supervisor (the app is shutting down). */
  STOPPED("stopped"),
  /** Ended by itself and not started again. */
  ENDED("ended"),
  /** Failed (at its start, or at runtime with no restart left) and not started again. */
  FAILED("failed");

  private final String wireName;

  ChildState(String wireName) {
    this.wireName = wireName;
  }

  /** The word the task records use. */
  String wireName() {
    return wireName;
  }

  /** Whether what the child's instance reports (its end, an exception) is news the supervisor acts on. */
  boolean hearsNews() {
    return this == STARTING || this == RUNNING;
  }
}
