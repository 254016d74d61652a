package io.oneloop.bridge;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where and when the authorizer's verdict is taken: on the socket's loop, at once when it can be. */
@ExtendWith(VertxExtension.class)
class AuthorizationTest {

  private static final BridgeListener COUNTING = new BridgeListener() { };

  private static AuthRequest register() {
    return new AuthRequest(AuthRequest.Action.REGISTER, "alice", "orders", BridgeTransport.SOCKJS_WEBSOCKET, null);
  }

  @Test
  @DisplayName("an answer given at once, asked on a duplicate of the socket's context, is the verdict in the same turn")
  void atOnceOnTheLoop(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      // A socket's handlers run on duplicates of the context its hub was made on.
      ContextInternal duplicate = ((ContextInternal) context).duplicate();
      duplicate.runOnContext(w -> test.verify(() -> {
        Future<Boolean> verdict = Authorization.ask(vertx, context, request -> Future.succeededFuture(true),
          2000, COUNTING, register());
        assertTrue(verdict.isComplete(), "the verdict waited for another turn");
        assertTrue(verdict.result());
        Future<Boolean> denied = Authorization.ask(vertx, context, request -> Future.succeededFuture(false),
          2000, COUNTING, register());
        assertTrue(denied.isComplete());
        assertFalse(denied.result());
        test.completeNow();
      }));
    });
  }

  @Test
  @DisplayName("an answer completed on another thread is taken on the socket's loop")
  void otherThreadAnswerTakenOnTheLoop(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    AtomicInteger asked = new AtomicInteger();
    context.runOnContext(v -> {
      Thread loopThread = Thread.currentThread();
      Future<Boolean> verdict = Authorization.ask(vertx, context, request -> {
        asked.incrementAndGet();
        Promise<Boolean> answer = Promise.promise();
        new Thread(() -> answer.complete(true), "authorizer-answers").start();
        return answer.future();
      }, 2000, COUNTING, register());
      verdict.onComplete(test.succeeding(allowed -> test.verify(() -> {
        assertTrue(allowed);
        assertEquals(loopThread, Thread.currentThread());
        assertEquals(1, asked.get());
        test.completeNow();
      })));
    });
  }

  @Test
  @DisplayName("asked off the socket's loop, an answer given at once is still taken on the socket's loop")
  void offTheLoopWaitsForTheSocketsLoop(Vertx vertx, VertxTestContext test) {
    Context socketContext = vertx.getOrCreateContext();
    socketContext.runOnContext(v -> {
      Thread socketLoop = Thread.currentThread();
      vertx.executeBlocking(() -> Authorization.ask(vertx, socketContext, request -> Future.succeededFuture(true),
          2000, COUNTING, register()))
        .onComplete(test.succeeding(verdict -> verdict.onComplete(test.succeeding(allowed -> test.verify(() -> {
          assertTrue(allowed);
          assertEquals(socketLoop, Thread.currentThread());
          test.completeNow();
        })))));
    });
  }

  @Test
  @DisplayName("no answer within the bound denies")
  void noAnswerDenies(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> Authorization.ask(vertx, context, request -> Promise.<Boolean>promise().future(),
        50, COUNTING, register())
      .onComplete(test.succeeding(allowed -> test.verify(() -> {
        assertFalse(allowed);
        test.completeNow();
      }))));
  }
}
