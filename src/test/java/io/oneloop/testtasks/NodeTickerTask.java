package io.oneloop.testtasks;

import io.oneloop.tasks.Task;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * A ticker that says which node published each tick: every {@code intervalMs} publishes
 * {@code {"node": <config node>, "n": k, "time": ...}} on {@code address} with {@link Task#publish},
 * with no cluster call in between, so a node that runs it publishes the moment its loop runs.
 */
public class NodeTickerTask extends Task {

  private long n;

  @Override
  public Future<?> start() {
    String node = configString("node", "?");
    String address = configString("address", "test.node.tick");
    vertx.setPeriodic(configLong("intervalMs", 100, 1, 60_000), id ->
      publish(address, new JsonObject().put("node", node).put("n", ++n).put("time", Instant.now().toString())));
    return Future.succeededFuture();
  }
}
