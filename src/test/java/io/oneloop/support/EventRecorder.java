package io.oneloop.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Every message published on one event-bus address, in order of arrival, and a bounded wait for one. */
public final class EventRecorder {

  public static final long WAIT_SECONDS = 20;

  private final List<JsonObject> seen = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final MessageConsumer<JsonObject> consumer;

  private record Waiter(Predicate<JsonObject> match, Promise<JsonObject> promise) {
  }

  private EventRecorder(Vertx vertx, String address) {
    consumer = vertx.eventBus().consumer(address, msg -> record(msg.body()));
  }

  /** Starts recording {@code address}; returns once the consumer is registered. */
  public static EventRecorder on(Vertx vertx, String address) throws Exception {
    EventRecorder recorder = new EventRecorder(vertx, address);
    recorder.consumer.completion().await(5, TimeUnit.SECONDS);
    return recorder;
  }

  /** The first message matching {@code match}, recorded before this call or arriving within {@value #WAIT_SECONDS} s. */
  public JsonObject await(Predicate<JsonObject> match) throws Exception {
    return next(match).await(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private synchronized Future<JsonObject> next(Predicate<JsonObject> match) {
    for (JsonObject body : seen) {
      if (match.test(body)) {
        return Future.succeededFuture(body);
      }
    }
    Promise<JsonObject> promise = Promise.promise();
    waiters.add(new Waiter(match, promise));
    return promise.future();
  }

  /** Every message recorded so far, oldest first. */
  public synchronized List<JsonObject> all() {
    return Collections.unmodifiableList(new ArrayList<>(seen));
  }

  private synchronized void record(JsonObject body) {
    seen.add(body);
    waiters.removeIf(waiter -> waiter.match.test(body) && waiter.promise.tryComplete(body));
  }
}
