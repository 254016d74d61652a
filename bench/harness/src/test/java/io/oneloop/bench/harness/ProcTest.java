package io.oneloop.bench.harness;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The event-loop CPU the paired comparison reads: a named thread's run time, to well under a 10 ms tick. */
class ProcTest {

  @Test
  void threadCpuNanosReadsTheNamedThreadsRunTime() throws Exception {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long pid = ProcessHandle.current().pid();
    // /proc keeps 15 characters of a thread's name
    String prefix = "proctest-busy";
    assertEquals(-1, Proc.threadCpuNanos(pid, prefix), "no such thread yet");
    CountDownLatch spun = new CountDownLatch(1);
    CountDownLatch measured = new CountDownLatch(1);
    AtomicLong jvmNanos = new AtomicLong();
    AtomicLong procNanos = new AtomicLong();
    Thread busy = new Thread(() -> {
      long id = Thread.currentThread().getId();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      // 123 ms of CPU: not a whole number of 10 ms ticks, so a reading in ticks would be off by 3 ms or more
      while (mx.getThreadCpuTime(id) < 123_000_000L && System.nanoTime() < deadline) {
        Math.sqrt(System.nanoTime());
      }
      jvmNanos.set(mx.getThreadCpuTime(id));
      spun.countDown();
      try {
        measured.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, prefix);
    busy.start();
    try {
      assertTrue(spun.await(20, TimeUnit.SECONDS), "the thread spun");
      // read once it is off the CPU, when the scheduler has added up its last slice
      for (int i = 0; i < 1000 && busy.getState() != Thread.State.TIMED_WAITING; i++) {
        Thread.sleep(5);
      }
      procNanos.set(Proc.threadCpuNanos(pid, prefix));
      assertTrue(jvmNanos.get() >= 123_000_000L, "it ran 123 ms: " + jvmNanos.get());
      // the two differ only by what the thread ran between the JVM's reading and its wait
      assertTrue(Math.abs(procNanos.get() - jvmNanos.get()) < 2_000_000L,
          "within 2 ms of the JVM's own figure: " + procNanos.get() + " vs " + jvmNanos.get());
    } finally {
      measured.countDown();
      busy.join(10_000);
    }
  }
}
