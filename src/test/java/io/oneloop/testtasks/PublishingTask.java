package io.oneloop.testtasks;

import io.oneloop.tasks.Task;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;

/**
 * A task written on the Task API that publishes, every 20 ms, a string body of each length in its
 * config's {@code sizes} on {@code address}, as a task author would; it does not catch what publish throws.
 */
public class PublishingTask extends Task {

  private int next;

  @Override
  public Future<?> start() {
    String address = configString("address", "test.published");
    JsonArray sizes = config().getJsonArray("sizes", new JsonArray());
    vertx.setPeriodic(20, id -> {
      if (next < sizes.size()) {
        publish(address, "x".repeat(sizes.getInteger(next++)));
      }
    });
    return Future.succeededFuture();
  }
}
