package io.oneloop.testtasks;

import io.micrometer.core.instrument.Counter;
import io.oneloop.shape.ConfigShape;
import io.oneloop.tasks.Task;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** A task as a user writes one: its config declared with a shape, a greeting published every everyMs, counted on /metrics. */
public class GreeterTask extends Task {

  public static ConfigShape configShape() {
    return ConfigShape.of(
      ConfigShape.integer("everyMs", 1, 60_000).orElse(1000).shown(),
      ConfigShape.string("greeting").length(1, 100).required(),
      ConfigShape.address("address").orElse("test.greetings").shown(),
      ConfigShape.string("apiKey"));
  }

  @Override
  public Future<?> start() {
    JsonObject config = configShape().withDefaults(config());
    Counter greetings = meters().counter("greeter.greetings", "task", "greeter");
    vertx.setPeriodic(config.getLong("everyMs"), id -> {
      publish(config.getString("address"), config.getString("greeting"));
      greetings.increment();
    });
    return Future.succeededFuture();
  }
}
