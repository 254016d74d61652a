package io.oneloop.testtasks;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** Answers on {@code test.thread.<name>} whether it runs on an event loop or a worker thread. */
public class ThreadReportTask extends VerticleBase {

  @Override
  public Future<?> start() {
    return vertx.eventBus().consumer("test.thread." + config().getString("name"),
      msg -> msg.reply(context.isEventLoopContext() ? "event-loop" : context.isWorkerContext() ? "worker" : "other")).completion();
  }
}
