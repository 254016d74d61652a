package io.oneloop.testtasks;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

/**
 * A verticle whose stop() completes only when a message arrives on {@code test.release}: shutdown
 * held open on demand. It publishes on {@code test.stopping} when its stop() begins.
 */
public class HeldStopTask extends VerticleBase {

  public static final String RELEASE = "test.release";
  public static final String STOPPING = "test.stopping";
  private final Promise<Void> released = Promise.promise();

  @Override
  public Future<?> start() {
    return vertx.eventBus().consumer(RELEASE, msg -> released.tryComplete()).completion();
  }

  @Override
  public Future<?> stop() {
    vertx.eventBus().publish(STOPPING, new JsonObject().put("deploymentId", deploymentID()));
    return released.future();
  }
}
