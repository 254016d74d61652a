package io.oneloop.supervision;

import io.oneloop.logging.VertxWriteGlitch;
import io.oneloop.logging.TaskMdc;
import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps a child verticle so the supervisor hears of its end: an undeploy it did not ask for
 * (the child undeployed itself) or an exception that escapes on the child's context.
 */
final class SupervisedDeployable implements Deployable {

  interface Listener {
    void ended(SupervisedDeployable child);

    void failed(SupervisedDeployable child, Throwable cause);

    /** The instance is about to start on {@code context}. */
    default void deploying(Context context) {
    }
  }

  private static final Logger log = LoggerFactory.getLogger(SupervisedDeployable.class);

  private final Deployable delegate;
  private final Listener listener;
  /** The task's name for its log lines, or null for the app's own services. */
  private final String taskName;
  private volatile boolean undeployExpected;

  SupervisedDeployable(Deployable delegate, Listener listener, String taskName) {
    this.delegate = delegate;
    this.listener = listener;
    this.taskName = taskName;
  }

  /** The wrapped child. */
  Deployable delegate() {
    return delegate;
  }

  /** Marks the coming undeploy as the supervisor's own, so it is not reported as an end. */
  void expectUndeploy() {
    undeployExpected = true;
  }

  @Override
  public Future<?> deploy(Context context) throws Exception {
    context.exceptionHandler(cause -> {
      // Vert.x's bookkeeping of a write to a departing cluster peer, not the child's failure
      if (VertxWriteGlitch.absorbed(cause, taskName != null ? "task \"" + taskName + "\"" : "the service")) {
        return;
      }
      listener.failed(this, cause);
    });
    listener.deploying(context);
    if (taskName != null) {
      TaskMdc.mark(context, taskName);
    }
    return delegate.deploy(context);
  }

  @Override
  public Future<?> undeploy(Context context) throws Exception {
    Future<?> stopped = delegate.undeploy(context);
    if (!undeployExpected) {
      stopped.onComplete(ar -> {
        if (ar.succeeded()) {
          listener.ended(this);
        } else {
          listener.failed(this, ar.cause());
        }
      });
    }
    return stopped;
  }
}
