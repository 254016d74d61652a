package io.oneloop.supervision;

import io.oneloop.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One singleton task's cluster-wide lock on this node: asks for it while the task stands by, holds
 * it while the task runs here, forgets it after a healed split gave it to the other side, and
 * releases it when the task stops or fails for good. It tells the supervisor through two
 * callbacks: {@code acquired} (run the task) and {@code lost} (stop it and stand by again).
 */
final class SingletonLease {

  /** Logged under the supervisor's name, beside the rest of the task's news. */
  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
  /** How long one attempt at the lock waits; a standby node asks again at once after it. */
  private static final long WAIT_MS = 1000;
  /** An attempt that failed faster than this (not a wait that ran out) is retried after this long. */
  private static final long RETRY_MS = 1000;

  private final Vertx vertx;
  private final String task;
  /** The names of the singletons this node holds, shared with the supervisor; read from any thread. */
  private final Set<String> held;
  /** Whether the task still waits for the lock (standing by, and the supervisor not stopping). */
  private final BooleanSupplier standingBy;
  private final Runnable acquired;
  /** Gets why the lock is gone: the task stops and stands by. */
  private final Consumer<String> lost;
  /** Whether this node's side is below {@code cluster.minMembers}: it neither asks for the lock nor keeps it. */
  private final BooleanSupplier belowMinMembers;
  /** How long a lock just got waits before the task runs (the take-over delay after a departure). */
  private final LongSupplier takeOverDelayMs;
  /** The hold on the lock while this node runs the task; null while it stands by. Read from the task's thread too. */
  private volatile Lock lock;

  SingletonLease(Vertx vertx, String task, Set<String> held, BooleanSupplier standingBy, Runnable acquired, Consumer<String> lost,
                 BooleanSupplier belowMinMembers, LongSupplier takeOverDelayMs) {
    this.belowMinMembers = belowMinMembers;
    this.takeOverDelayMs = takeOverDelayMs;
    this.vertx = vertx;
    this.task = task;
    this.held = held;
    this.standingBy = standingBy;
    this.acquired = acquired;
    this.lost = lost;
  }

  /** Whether this node holds the lock now. */
  boolean held() {
    return lock != null;
  }

  /**
   * Asks for the lock, again and again while standing by: the node that gets it runs the task. The
   * lock goes when that node releases it (its task stopped or failed for good) or leaves the
   * cluster (stopped, or missed for {@code max.no.heartbeat} after a kill).
   */
  void waitForTurn() {
    if (belowMinMembers.getAsBoolean()) {
      // Too few members on this side: the lock is left to a side large enough.
      vertx.setTimer(RETRY_MS, id -> {
        if (standingBy.getAsBoolean()) {
          waitForTurn();
        }
      });
      return;
    }
    long askedAt = System.nanoTime();
    vertx.sharedData().getLockWithTimeout(Addresses.SINGLETON_LOCK_PREFIX + task, WAIT_MS).onComplete(ar -> {
      if (!standingBy.getAsBoolean()) {
        if (ar.succeeded()) {
          ar.result().release();
        }
        return;
      }
      if (ar.failed()) {
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - askedAt);
        if (tookMs >= WAIT_MS / 2) {
          waitForTurn();
        } else {
          log.debug("Asking for the lock of singleton \"{}\" failed: {}", task, StartFailure.message(ar.cause()));
          vertx.setTimer(RETRY_MS, id -> {
            if (standingBy.getAsBoolean()) {
              waitForTurn();
            }
          });
        }
        return;
      }
      long delay = takeOverDelayMs.getAsLong();
      if (delay > 0) {
        log.info("Task \"{}\" is a singleton whose node left: this node takes it over in {} ms", task, delay);
        vertx.setTimer(delay, id -> take(ar.result()));
      } else {
        take(ar.result());
      }
    });
  }

  private void take(Lock got) {
    if (!standingBy.getAsBoolean() || belowMinMembers.getAsBoolean()) {
      got.release();
      if (standingBy.getAsBoolean()) {
        waitForTurn();
      }
      return;
    }
    lock = got;
    held.add(task);
    log.info("Task \"{}\" is a singleton: this node runs it now", task);
    acquired.run();
  }

  /**
   * The lock is no longer this node's (its side of a split merged into the other): forget it
   * without releasing it, as a release would unlock the key for whoever holds it now, and tell the
   * supervisor. Nothing happens when this node did not hold it.
   */
  void standDown() {
    if (lock == null) {
      return;
    }
    lock = null;
    held.remove(task);
    lost.accept("whose lock went to the other side of a healed split");
  }

  /**
   * This node's side has fewer members than {@code cluster.minMembers}: let go of the lock (on this
   * side only, whose data a merge drops) and tell the supervisor. Nothing happens when this node
   * did not hold it.
   */
  void standDownBelowMinMembers() {
    if (lock == null) {
      return;
    }
    release();
    lost.accept("on a side of the cluster with fewer members than cluster.minMembers");
  }

  /** Lets go of the lock: another node may take it over. */
  void release() {
    if (lock != null) {
      lock.release();
      lock = null;
      held.remove(task);
    }
  }
}
