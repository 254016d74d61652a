package io.oneloop.app;

import io.oneloop.app.RestartWindow.GiveUp;
import io.oneloop.app.RestartWindow.Restart;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RestartWindowTest {

  private static final long MS = 1_000_000L;

  private static RestartWindow window(int maxRestarts, long withinMs, long backoffMs, long maxBackoffMs) {
    return new RestartWindow(new RestartPolicy(RestartPolicy.Kind.ALWAYS, maxRestarts, withinMs, backoffMs, maxBackoffMs));
  }

  @Test
  @DisplayName("each restart within the window waits twice as long as the one before, up to maxBackoffMs")
  void backoffGrowsWithinTheWindow() {
    RestartWindow window = window(10, 60_000, 100, 300);
    assertEquals(new Restart(100), window.record(0));
    assertEquals(new Restart(200), window.record(1_000 * MS));
    assertEquals(new Restart(300), window.record(2_000 * MS));
    assertEquals(new Restart(300), window.record(3_000 * MS));
  }

  @Test
  @DisplayName("with maxRestarts restarts already within withinMs the next end or failure gives up, naming how many")
  void givesUpAfterMaxRestarts() {
    RestartWindow window = window(2, 60_000, 10, 1000);
    assertEquals(new Restart(10), window.record(0));
    assertEquals(new Restart(20), window.record(100 * MS));
    assertEquals(new GiveUp(2), window.record(200 * MS));
  }

  @Test
  @DisplayName("maxRestarts 0 gives up at the first end or failure")
  void noRestartsAllowed() {
    assertEquals(new GiveUp(0), window(0, 60_000, 10, 1000).record(0));
  }

  @Test
  @DisplayName("restarts older than withinMs no longer count: the task is restarted again, with the first backoff")
  void oldRestartsLeaveTheWindow() {
    RestartWindow window = window(2, 1_000, 100, 1000);
    assertEquals(new Restart(100), window.record(0));
    assertEquals(new Restart(200), window.record(500 * MS));
    // The two restarts were due at 100 ms and 700 ms: at 1,700 ms both have left the window.
    assertEquals(new Restart(100), window.record(1_700 * MS));
  }

  @Test
  @DisplayName("a restart counts from when it is due, after its backoff, not from the end that asked for it")
  void restartCountsFromWhenItIsDue() {
    RestartWindow window = window(1, 1_000, 500, 500);
    assertEquals(new Restart(500), window.record(0));
    // Due at 500 ms, so still within the window at 1,499 ms, and out of it at 1,500 ms.
    assertEquals(new GiveUp(1), window.record(1_499 * MS));
    assertEquals(new Restart(500), window.record(1_500 * MS));
  }

  @Test
  @DisplayName("the window works across a wrap of System.nanoTime")
  void nanoTimeMayWrap() {
    RestartWindow window = window(1, 1_000, 10, 10);
    long nearTheEnd = Long.MAX_VALUE - 5 * MS;
    assertEquals(new Restart(10), window.record(nearTheEnd));
    assertEquals(new GiveUp(1), window.record(nearTheEnd + 500 * MS));
    assertEquals(new Restart(10), window.record(nearTheEnd + 2_000 * MS));
  }
}
