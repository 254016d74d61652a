package io.oneloop.testtasks;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An event-loop task gone wrong on demand: a message on {@code test.block.<name>} makes it block
 * its own event loop, as blocking code in a handler would: {@code "block"} until {@link #release()}
 * (at most 20 s), a number for that many milliseconds.
 */
public class LoopBlockerTask extends VerticleBase {

  private static volatile CountDownLatch release = new CountDownLatch(1);
  private static volatile CountDownLatch blocked = new CountDownLatch(1);

  public static String address(String name) {
    return "test.block." + name;
  }

  /** Unblocks the loop, and arms the next block. */
  public static void release() {
    CountDownLatch current = release;
    release = new CountDownLatch(1);
    blocked = new CountDownLatch(1);
    current.countDown();
  }

  /** Waits (off any event loop) until a blocker has blocked its loop. */
  public static void awaitBlocked() throws InterruptedException {
    if (!blocked.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("no blocker blocked its loop within 10 s");
    }
  }

  @Override
  public Future<?> start() {
    String name = config().getString("name");
    return vertx.eventBus().<String>consumer(address(name), msg -> {
      CountDownLatch until = release;
      blocked.countDown();
      // "block": until released; a number: for that many milliseconds.
      long ms = "block".equals(msg.body()) ? 20_000 : Long.parseLong(msg.body());
      try {
        until.await(ms, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }).completion();
  }
}
