package io.oneloop.testtasks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.oneloop.tasks.Task;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * A task that counts through {@link #meters()}: {@code acme.ticks} every 20 ms, published with its
 * count on {@code test.counting}, and at start one {@code acme.per.user} series for each of
 * {@code series} users.
 */
public class CountingTask extends Task {

  @Override
  public Future<?> start() {
    MeterRegistry meters = meters();
    Counter ticks = meters.counter("acme.ticks");
    int series = config().getInteger("series", 0);
    for (int i = 0; i < series; i++) {
      meters.counter("acme.per.user", "user", "u" + i).increment();
    }
    vertx.setPeriodic(20, id -> {
      ticks.increment();
      publish("test.counting", new JsonObject().put("counted", ticks.count()));
    });
    return Future.succeededFuture();
  }
}
