package io.oneloop.testtasks;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * A verticle on whose context Vert.x's clustered write queue raises "Promise already completed"
 * (as 5.0.10 does when a cluster peer leaves: the stack holds only Vert.x and Netty frames), then,
 * after {@code thenFailAfterMs}, an exception of its own.
 */
public class WriteGlitchTask extends VerticleBase {

  @Override
  public Future<?> start() {
    vertx.setTimer(50, id -> {
      IllegalStateException glitch = new IllegalStateException("Promise already completed");
      glitch.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("io.vertx.core.Promise", "fail", "Promise.java", 104),
        new StackTraceElement("io.vertx.core.impl.future.FutureBase", "emitResult", "FutureBase.java", 56),
        new StackTraceElement("io.vertx.core.net.impl.DelegatingChannelPromise", "tryFailure", "DelegatingChannelPromise.java", 130),
        new StackTraceElement("io.netty.channel.AbstractChannel$AbstractUnsafe", "write", "AbstractChannel.java", 723),
        new StackTraceElement("io.vertx.core.internal.concurrent.OutboundMessageQueue", "drain", "OutboundMessageQueue.java", 125),
        new StackTraceElement("io.netty.util.concurrent.SingleThreadEventExecutor", "runAllTasks", "SingleThreadEventExecutor.java", 535),
        new StackTraceElement("java.lang.Thread", "run", "Thread.java", 840)});
      throw glitch;
    });
    vertx.setTimer(config().getLong("thenFailAfterMs", 1000L), id -> {
      throw new IllegalStateException("Promise already completed");
    });
    return Future.succeededFuture();
  }
}
