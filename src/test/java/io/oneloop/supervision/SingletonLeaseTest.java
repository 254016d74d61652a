package io.oneloop.supervision;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One singleton's lock as two nodes see it, here two leases on one Vert.x (its local locks are not re-entrant). */
@ExtendWith(VertxExtension.class)
class SingletonLeaseTest {

  /** A lease on its own node's held set, with counts of its callbacks. */
  private static final class Node {
    final Set<String> held = new CopyOnWriteArraySet<>();
    final AtomicBoolean standingBy = new AtomicBoolean(true);
    final CountDownLatch acquired = new CountDownLatch(1);
    final AtomicInteger lost = new AtomicInteger();
    /** Whether this node's side is below cluster.minMembers. */
    final AtomicBoolean below = new AtomicBoolean();
    /** The take-over delay the membership would give a lock got now. */
    final AtomicLong delayMs = new AtomicLong();
    final SingletonLease lease;

    Node(Vertx vertx, String task) {
      lease = new SingletonLease(vertx, task, held, standingBy::get, () -> {
        standingBy.set(false);
        acquired.countDown();
      }, why -> lost.incrementAndGet(), below::get, delayMs::get);
    }

    /** Runs {@code action} on the event loop, as the supervisor does, and waits for it. */
    void onLoop(Vertx vertx, Runnable action) throws InterruptedException {
      CountDownLatch done = new CountDownLatch(1);
      vertx.runOnContext(v -> {
        action.run();
        done.countDown();
      });
      assertTrue(done.await(5, TimeUnit.SECONDS));
    }
  }

  @Test
  @DisplayName("one node takes the lock, the other stands by until it is released, then takes over")
  void takeOver(Vertx vertx) throws Exception {
    Node first = new Node(vertx, "clock");
    Node second = new Node(vertx, "clock");
    first.onLoop(vertx, first.lease::waitForTurn);
    assertTrue(first.acquired.await(5, TimeUnit.SECONDS), "the first node takes the free lock");
    assertEquals(Set.of("clock"), first.held);
    second.onLoop(vertx, second.lease::waitForTurn);
    assertFalse(second.acquired.await(1500, TimeUnit.MILLISECONDS), "the second stands by while the first holds it");
    assertEquals(Set.of(), second.held);

    first.onLoop(vertx, first.lease::release);
    assertFalse(first.lease.held());
    assertEquals(Set.of(), first.held);
    assertTrue(second.acquired.await(5, TimeUnit.SECONDS), "the second takes over once the first lets go");
    assertEquals(Set.of("clock"), second.held);
    second.onLoop(vertx, second.lease::release);
  }

  @Test
  @DisplayName("after a healed split the lease forgets the lock without releasing it, and tells the supervisor once")
  void standDown(Vertx vertx) throws Exception {
    Node node = new Node(vertx, "report");
    node.onLoop(vertx, node.lease::waitForTurn);
    assertTrue(node.acquired.await(5, TimeUnit.SECONDS));
    node.onLoop(vertx, node.lease::standDown);
    assertEquals(1, node.lost.get());
    assertFalse(node.lease.held());
    assertEquals(Set.of(), node.held);
    node.onLoop(vertx, node.lease::standDown);
    assertEquals(1, node.lost.get(), "a lease that holds nothing has nothing to lose");

    Node other = new Node(vertx, "report");
    other.onLoop(vertx, other.lease::waitForTurn);
    assertFalse(other.acquired.await(1500, TimeUnit.MILLISECONDS), "the lock was not released: its holder keeps it");
  }

  @Test
  @DisplayName("a lock that arrives when the task no longer stands by is released at once, and nobody is told")
  void noLongerWanted(Vertx vertx) throws Exception {
    Node gone = new Node(vertx, "ticker");
    gone.standingBy.set(false);
    gone.onLoop(vertx, gone.lease::waitForTurn);
    Node next = new Node(vertx, "ticker");
    next.onLoop(vertx, next.lease::waitForTurn);
    assertTrue(next.acquired.await(5, TimeUnit.SECONDS), "the lock the first node did not want is free");
    assertEquals(1, gone.acquired.getCount());
    assertEquals(Set.of(), gone.held);
    next.onLoop(vertx, next.lease::release);
  }

  @Test
  @DisplayName("below cluster.minMembers a node does not take a free lock; once enough members are back it does")
  void belowMinMembersWaits(Vertx vertx) throws Exception {
    Node node = new Node(vertx, "tick");
    node.below.set(true);
    node.onLoop(vertx, node.lease::waitForTurn);
    assertFalse(node.acquired.await(2500, TimeUnit.MILLISECONDS), "a side too small leaves the free lock alone");
    assertEquals(Set.of(), node.held);
    node.below.set(false);
    assertTrue(node.acquired.await(10, TimeUnit.SECONDS), "with enough members it takes the lock");
    assertEquals(Set.of("tick"), node.held);
    node.onLoop(vertx, node.lease::release);
  }

  @Test
  @DisplayName("falling below cluster.minMembers releases the lock and tells the supervisor once: another node may take it")
  void standDownBelowMinMembers(Vertx vertx) throws Exception {
    Node node = new Node(vertx, "tick");
    node.onLoop(vertx, node.lease::waitForTurn);
    assertTrue(node.acquired.await(5, TimeUnit.SECONDS));
    node.below.set(true);
    node.onLoop(vertx, node.lease::standDownBelowMinMembers);
    node.onLoop(vertx, node.lease::standDownBelowMinMembers);
    assertEquals(1, node.lost.get());
    assertFalse(node.lease.held());
    assertEquals(Set.of(), node.held);
    Node other = new Node(vertx, "tick");
    other.onLoop(vertx, other.lease::waitForTurn);
    assertTrue(other.acquired.await(5, TimeUnit.SECONDS), "the lock was released");
    other.onLoop(vertx, other.lease::release);
  }

  @Test
  @DisplayName("a lock got within the take-over delay runs the task only when the delay is over, and not if the side fell below")
  void takeOverDelay(Vertx vertx) throws Exception {
    Node node = new Node(vertx, "tick");
    node.delayMs.set(1500);
    long t0 = System.nanoTime();
    node.onLoop(vertx, node.lease::waitForTurn);
    assertTrue(node.acquired.await(10, TimeUnit.SECONDS));
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) >= 1400, "the task waits out the take-over delay");
    node.onLoop(vertx, node.lease::release);

    Node late = new Node(vertx, "tick");
    late.delayMs.set(1000);
    late.onLoop(vertx, late.lease::waitForTurn);
    late.below.set(true);
    assertFalse(late.acquired.await(2500, TimeUnit.MILLISECONDS), "the side fell below during the delay: the task does not run");
    Node other = new Node(vertx, "tick");
    other.onLoop(vertx, other.lease::waitForTurn);
    assertTrue(other.acquired.await(5, TimeUnit.SECONDS), "the lock got during the delay was released");
    other.onLoop(vertx, other.lease::release);
  }
}
