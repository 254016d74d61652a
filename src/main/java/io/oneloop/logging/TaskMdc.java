package io.oneloop.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Puts the name of the task whose code is logging into the MDC as {@code task}. A task's handlers
 * run on threads it shares with others, so a thread-local set once cannot say whose line it is;
 * the Vert.x context the line is written on can. Jobs set {@code job} themselves, as each runs on
 * one worker thread from start to end.
 */
public class TaskMdc extends TurboFilter {

  /** The MDC key of the task's name, and the context-data key a supervised task carries it under. */
  public static final String TASK = "task";
  /** The MDC key of a job's id while its work runs. */
  public static final String JOB = "job";
  static final String CONTEXT_KEY = "oneloop.task";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    // Only for lines that will be written; the effective level is read without calling the filters again.
    if (logger != null && level != null && level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      Context context = Vertx.currentContext();
      Object task = context == null ? null : context.get(CONTEXT_KEY);
      if (task != null) {
        MDC.put(TASK, task.toString());
      } else if (MDC.get(TASK) != null) {
        MDC.remove(TASK);
      }
    }
    return FilterReply.NEUTRAL;
  }

  /** Marks a task's own context, so the lines written on it carry the task's name. */
  public static void mark(Context context, String task) {
    context.put(CONTEXT_KEY, task);
  }
}
