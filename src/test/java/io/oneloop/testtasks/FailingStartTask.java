package io.oneloop.testtasks;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** A verticle whose start fails. */
public class FailingStartTask extends VerticleBase {

  @Override
  public Future<?> start() {
    return Future.failedFuture("cannot reach the feed");
  }
}
