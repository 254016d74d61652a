package io.oneloop.testtasks;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;

/** A verticle whose stop() never completes. */
public class StubbornTask extends VerticleBase {

  @Override
  public Future<?> stop() {
    return Promise.promise().future();
  }
}
