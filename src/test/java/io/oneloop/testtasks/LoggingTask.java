package io.oneloop.testtasks;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs one line when it starts, and one from a timer later, as a task's own code would. */
public class LoggingTask extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(LoggingTask.class);

  @Override
  public Future<?> start() {
    log.info("logging task started");
    vertx.setTimer(10, id -> log.info("logging task timer fired"));
    return Future.succeededFuture();
  }
}
