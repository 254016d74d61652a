package io.oneloop.tasks;

import io.oneloop.Addresses;
import io.oneloop.shape.ConfigShape;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Counter;

import java.time.Instant;

/**
 * Built-in task {@code ticker}: every {@code intervalMs} publishes {@code {"seq": n, "time": "<ISO-8601 UTC>"}}
 * on {@code address}; with {@code count}, ends after that many ticks. {@code seq} comes from a
 * counter per address that lives as long as the process or, clustered, as the cluster: a ticker
 * that takes over on another node goes on from where the last one was, never repeating a number.
 */
public class TickerTask extends Task {

  /** Its config: none of it is secret, so {@code /api/info} shows all of it. */
  public static ConfigShape configShape() {
    return ConfigShape.of(
      ConfigShape.integer("intervalMs", 1, Integer.MAX_VALUE).orElse(1000).shown(),
      ConfigShape.address("address").orElse(Addresses.TICKER).shown(),
      ConfigShape.integer("count", 0, Long.MAX_VALUE).orElse(0).shown());
  }

  private long timerId = -1;
  /** Ticks this instance has published, for {@code count}. */
  private long ticks;
  /** The tick under way: the next waits for it, so seq goes out in order. */
  private Future<?> last = Future.succeededFuture();
  private boolean stopped;

  @Override
  public Future<?> start() {
    long intervalMs = configLong("intervalMs", 1000, 1, Integer.MAX_VALUE);
    String address = configString("address", Addresses.TICKER);
    long count = configLong("count", 0, 0, Long.MAX_VALUE);
    return vertx.sharedData().getCounter(Addresses.TICKER_COUNTER_PREFIX + address).onSuccess(counter ->
      timerId = vertx.setPeriodic(intervalMs, id -> {
        // A tick still waiting for the cluster's counter makes this one wait rather than overtake it.
        last = last.transform(ar -> tick(counter, address, count));
      }));
  }

  private Future<?> tick(Counter counter, String address, long count) {
    if (stopped) {
      return Future.succeededFuture();
    }
    return counter.incrementAndGet().onSuccess(seq -> {
      if (stopped) {
        return;
      }
      ticks++;
      publish(address, new JsonObject().put("seq", seq).put("time", Instant.now().toString()));
      if (count > 0 && ticks >= count) {
        vertx.cancelTimer(timerId);
        stopped = true;
        end();
      }
    });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timerId);
    return Future.succeededFuture();
  }
}
