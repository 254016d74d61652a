package io.oneloop.tasks;

import io.oneloop.Addresses;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * Built-in task {@code ticker}: every {@code intervalMs} publishes {@code {"seq": n, "time": "<ISO-8601 UTC>"}}
 * on {@code address}; with {@code count}, ends after that many ticks.
 */
public class TickerTask extends Task {

  private long timerId = -1;
  private long seq;

  @Override
  public Future<?> start() {
    long intervalMs = configLong("intervalMs", 1000, 1, Integer.MAX_VALUE);
    String address = configString("address", Addresses.TICKER);
    long count = configLong("count", 0, 0, Long.MAX_VALUE);
    timerId = vertx.setPeriodic(intervalMs, id -> tick(address, count));
    return Future.succeededFuture();
  }

  private void tick(String address, long count) {
    seq++;
    publish(address, new JsonObject().put("seq", seq).put("time", Instant.now().toString()));
    if (count > 0 && seq >= count) {
      vertx.cancelTimer(timerId);
      end();
    }
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timerId);
    return Future.succeededFuture();
  }
}
