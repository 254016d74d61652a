package io.oneloop.base;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Runs a no-op on every event loop of a Vert.x: how long it waits for its turn says how busy the
 * loop is, and that it ran says the loop has done what was queued on it before.
 */
public final class EventLoops {

  private EventLoops() {
  }

  /** How many event loops {@code vertx} runs. */
  public static int count(Vertx vertx) {
    int n = 0;
    for (EventExecutor ignored : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      n++;
    }
    return n;
  }

  /** Queues a no-op on every event loop; each tells {@code waitedNanos} how long it waited for its turn, on its loop. */
  public static void probe(Vertx vertx, LongConsumer waitedNanos) {
    ((VertxInternal) vertx).nettyEventLoopGroup().forEach(loop -> {
      long queuedAt = System.nanoTime();
      loop.execute(() -> waitedNanos.accept(System.nanoTime() - queuedAt));
    });
  }

  /** Completes once every event loop has run what was queued on it before this call. */
  public static Future<Void> caughtUp(Vertx vertx) {
    List<Future<Void>> loops = new ArrayList<>();
    ((VertxInternal) vertx).nettyEventLoopGroup().forEach(loop -> {
      Promise<Void> ran = Promise.promise();
      loop.execute(ran::complete);
      loops.add(ran.future());
    });
    return Future.all(loops).mapEmpty();
  }
}
