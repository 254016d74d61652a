package io.oneloop.testtasks;

import io.oneloop.tasks.Task;
import io.vertx.core.Future;

/** A task written on the Task API that fails with a reason after {@code afterMs}. */
public class FailingTask extends Task {

  @Override
  public Future<?> start() {
    vertx.setTimer(configLong("afterMs", 50, 1, 60_000), id -> fail("the upstream answered 503"));
    return Future.succeededFuture();
  }
}
