package io.oneloop.testtasks;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;

/** A verticle whose stop() completes only when a message arrives on {@code test.release}: shutdown held open on demand. */
public class HeldStopTask extends VerticleBase {

  public static final String RELEASE = "test.release";
  private final Promise<Void> released = Promise.promise();

  @Override
  public Future<?> start() {
    return vertx.eventBus().consumer(RELEASE, msg -> released.tryComplete()).completion();
  }

  @Override
  public Future<?> stop() {
    return released.future();
  }
}
