package io.oneloop.logging;

import io.oneloop.support.LogCapture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Vert.x's double completion of a clustered write is a warning that names who goes on; anything else is not absorbed. */
class VertxWriteGlitchTest {

  private final AtomicLong now = new AtomicLong(Long.MAX_VALUE - 1_500_000_000L);
  private final LogThrottle line = new LogThrottle(1, TimeUnit.SECONDS, now::get);

  private static IllegalStateException glitch(String frameClass) {
    IllegalStateException e = new IllegalStateException("Promise already completed");
    e.setStackTrace(new StackTraceElement[] {
      new StackTraceElement("io.vertx.core.Promise", "fail", "Promise.java", 104),
      new StackTraceElement("io.netty.channel.AbstractChannel$AbstractUnsafe", "write", "AbstractChannel.java", 723),
      new StackTraceElement(frameClass, "run", "X.java", 1),
      new StackTraceElement("java.lang.Thread", "run", "Thread.java", 840)});
    return e;
  }

  @Test
  @DisplayName("the exception with only Vert.x, Netty and JDK frames is logged once as a warning, never as an error")
  void theGlitchIsAWarning() {
    try (LogCapture log = LogCapture.of(VertxWriteGlitch.class)) {
      assertTrue(VertxWriteGlitch.absorbed(glitch("io.netty.util.concurrent.SingleThreadEventExecutor"), "the HTTP server", line));
      // more within the second are counted, not logged: a leaving peer may raise many
      now.addAndGet(100_000_000L);
      assertTrue(VertxWriteGlitch.absorbed(glitch("io.netty.util.concurrent.SingleThreadEventExecutor"), "the HTTP server", line));
      now.addAndGet(100_000_000L);
      assertTrue(VertxWriteGlitch.absorbed(glitch("io.vertx.core.impl.ContextImpl"), "the HTTP server", line));
      now.addAndGet(1_000_000_000L);
      assertTrue(VertxWriteGlitch.absorbed(glitch("io.netty.util.concurrent.SingleThreadEventExecutor"), "task \"feed\"", line));
      assertEquals(java.util.List.of(
          "A write to a cluster peer that is leaving was reported twice by Vert.x; the HTTP server goes on",
          "A write to a cluster peer that is leaving was reported twice by Vert.x; task \"feed\" goes on (2 more not logged)"),
        log.lines());
      assertTrue(log.errors().isEmpty(), String.join("\n", log.errors()));
    }
  }

  @Test
  @DisplayName("the same message from application code, another message or another type is not absorbed")
  void otherExceptionsAreNot() {
    try (LogCapture log = LogCapture.of(VertxWriteGlitch.class)) {
      assertFalse(VertxWriteGlitch.absorbed(glitch("com.example.MyHandler"), "the HTTP server", line));
      assertFalse(VertxWriteGlitch.absorbed(new IllegalStateException("Promise already completed"), "the HTTP server", line),
        "thrown here: this test's frames are on its stack");
      IllegalStateException stackless = new IllegalStateException("Promise already completed");
      stackless.setStackTrace(new StackTraceElement[0]);
      assertFalse(VertxWriteGlitch.absorbed(stackless, "the HTTP server", line), "no frames: not provably Vert.x's");
      IllegalArgumentException otherType = new IllegalArgumentException("Promise already completed");
      otherType.setStackTrace(glitch("io.netty.X").getStackTrace());
      assertFalse(VertxWriteGlitch.absorbed(otherType, "the HTTP server", line));
      IllegalStateException otherMessage = new IllegalStateException("Result is already complete");
      otherMessage.setStackTrace(glitch("io.netty.X").getStackTrace());
      assertFalse(VertxWriteGlitch.absorbed(otherMessage, "the HTTP server", line));
      assertTrue(log.lines().isEmpty(), String.join("\n", log.lines()));
    }
  }
}
