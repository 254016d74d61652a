package io.oneloop.cluster;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A pause of the process longer than the heartbeat timeout suspends the singletons' publishes for a heartbeat timeout. */
class PauseWatchTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private void advanceMs(long ms) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  @Test
  @DisplayName("stamps 100 ms apart: never suspended")
  void steady() {
    PauseWatch watch = new PauseWatch(5000, 5000, now::get, false);
    for (int i = 0; i < 200; i++) {
      advanceMs(100);
      watch.stamp();
      assertFalse(watch.suspended());
    }
  }

  @Test
  @DisplayName("a publish that comes first after a pause is caught, and the suspension lasts until the timeout has passed again")
  void pauseSeenByThePublish() {
    PauseWatch watch = new PauseWatch(5000, 5000, now::get, false);
    advanceMs(8000);
    assertTrue(watch.suspended(), "the first question after the pause, before any stamp");
    watch.stamp();
    advanceMs(4000);
    watch.stamp();
    assertTrue(watch.suspended());
    advanceMs(1100);
    watch.stamp();
    assertFalse(watch.suspended(), "membership had a heartbeat timeout to be judged again");
  }

  @Test
  @DisplayName("a pause the stamping thread sees first suspends too; a gap within the timeout does not")
  void pauseSeenByTheStamper() {
    PauseWatch watch = new PauseWatch(5000, 5000, now::get, false);
    advanceMs(4900);
    watch.stamp();
    assertFalse(watch.suspended());
    advanceMs(6000);
    watch.stamp();
    assertTrue(watch.suspended());
  }
}
