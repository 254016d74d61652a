package io.oneloop.testtasks;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** A plain verticle (not a Task) that undeploys itself after {@code afterMs}. */
public class SelfEndingTask extends VerticleBase {

  @Override
  public Future<?> start() {
    vertx.setTimer(config().getLong("afterMs", 50L), id -> vertx.undeploy(deploymentID()));
    return Future.succeededFuture();
  }
}
