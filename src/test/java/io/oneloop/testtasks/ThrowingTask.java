package io.oneloop.testtasks;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** A verticle whose timer handler throws: an exception escaping on its context. */
public class ThrowingTask extends VerticleBase {

  @Override
  public Future<?> start() {
    vertx.setTimer(config().getLong("afterMs", 50L), id -> {
      throw new IllegalStateException("the feed went away");
    });
    return Future.succeededFuture();
  }
}
