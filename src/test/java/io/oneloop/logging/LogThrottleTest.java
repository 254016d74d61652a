package io.oneloop.logging;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One line per interval for a flood of events, and the next line counts the events that got none. */
class LogThrottleTest {

  private final AtomicLong now = new AtomicLong(Long.MAX_VALUE - 1_500_000_000L);
  private final LogThrottle throttle = new LogThrottle(1, TimeUnit.SECONDS, now::get);

  @Test
  @DisplayName("the first event gets a line, the others within the second none, and the first a second on says how many it follows")
  void oneLineASecondCountingTheRest() {
    assertEquals(0, throttle.pass(), "the first event is logged, following none");
    for (int i = 0; i < 5; i++) {
      now.addAndGet(100_000_000L);
      assertEquals(LogThrottle.QUIET, throttle.pass(), "an event within the second of the last line");
    }
    now.addAndGet(500_000_000L);
    assertEquals(5, throttle.pass(), "a second after the last line: logged, following the 5 quiet ones");
    now.addAndGet(999_999_999L);
    assertEquals(LogThrottle.QUIET, throttle.pass());
    now.addAndGet(1);
    assertEquals(1, throttle.pass(), "the interval is counted from the last line, across the clock's wrap");
    now.addAndGet(60_000_000_000L);
    assertEquals(0, throttle.pass(), "after a quiet minute: logged, following none");
  }

  @Test
  @DisplayName("events racing on 4 threads get exactly one line between them and every other one is counted by the next")
  void racingEventsAreEachCountedOnce() throws Exception {
    int threads = 4;
    int perThread = 10_000;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> racers = new ArrayList<>();
    AtomicLong lines = new AtomicLong();
    for (int t = 0; t < threads; t++) {
      Thread racer = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        for (int i = 0; i < perThread; i++) {
          if (throttle.pass() != LogThrottle.QUIET) {
            lines.incrementAndGet();
          }
        }
      });
      racer.start();
      racers.add(racer);
    }
    go.countDown();
    for (Thread racer : racers) {
      racer.join(TimeUnit.SECONDS.toMillis(30));
      assertTrue(!racer.isAlive(), "a racer finished");
    }
    assertEquals(1, lines.get(), "the clock stood still: one line in all");
    now.addAndGet(1_000_000_000L);
    assertEquals(threads * perThread - 1, throttle.pass(), "the next line follows every other event");
  }
}
