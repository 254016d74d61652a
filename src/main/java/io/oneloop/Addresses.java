package io.oneloop;

/** Every event-bus address oneloop uses, in one place. */
public final class Addresses {

  /** Ticks of the built-in ticker task (its default address). */
  public static final String TICKER = "oneloop.ticker";
  /** Server-wide announcements, e.g. {@code {"event":"shutdown"}}. */
  public static final String SERVER = "oneloop.server";
  /** A task's record, published on every change of its state. */
  public static final String TASKS = "oneloop.tasks";
  /** Request/reply: the records of all tasks. */
  public static final String TASKS_LIST = "oneloop.tasks.list";

  private Addresses() {
  }
}
