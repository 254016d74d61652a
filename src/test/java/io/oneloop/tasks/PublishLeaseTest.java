package io.oneloop.tasks;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A singleton's {@link Task#publish} goes out only while its lease is valid; another task's always does. */
@ExtendWith(VertxExtension.class)
class PublishLeaseTest {

  /** Publishes its config's numbers one by one on request, its lease valid while {@code valid} says so. */
  static final class Numbers extends Task {
    private final AtomicBoolean valid;

    Numbers(AtomicBoolean valid) {
      this.valid = valid;
    }

    @Override
    public Future<?> start() {
      if (valid != null) {
        PublishLease.attach(context, "numbers", valid::get);
      }
      vertx.eventBus().<Integer>consumer("test.numbers.go", msg -> {
        publish("test.numbers", msg.body());
        msg.reply(null);
      });
      return Future.succeededFuture();
    }
  }

  private static List<Object> run(Vertx vertx, AtomicBoolean valid) throws Exception {
    List<Object> got = new CopyOnWriteArrayList<>();
    vertx.eventBus().consumer("test.numbers", msg -> got.add(msg.body())).completion().await(5, TimeUnit.SECONDS);
    vertx.deployVerticle(new Numbers(valid)).await(5, TimeUnit.SECONDS);
    for (int i = 1; i <= 4; i++) {
      if (valid != null) {
        valid.set(i % 2 == 1);
      }
      vertx.eventBus().request("test.numbers.go", i).await(5, TimeUnit.SECONDS);
    }
    // A marker sent after the numbers arrives after every number that went out.
    vertx.eventBus().publish("test.numbers", "end");
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> got.contains("end"));
    return got;
  }

  @Test
  @DisplayName("a singleton's publishes while its lease is not valid are dropped")
  void droppedWithoutLease(Vertx vertx) throws Exception {
    assertEquals(List.of(1, 3, "end"), run(vertx, new AtomicBoolean()));
  }

  @Test
  @DisplayName("a task without a lease publishes everything")
  void noLeaseNoGate(Vertx vertx) throws Exception {
    assertEquals(List.of(1, 2, 3, 4, "end"), run(vertx, null));
  }
}
