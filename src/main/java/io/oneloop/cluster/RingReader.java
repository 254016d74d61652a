package io.oneloop.cluster;

import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import io.oneloop.bridge.HistoryFeed;
import io.oneloop.logging.LogThrottle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** One node's ordered read of one ring, for one log. Runs on its feed's context. */
final class RingReader implements HistoryFeed.Handle {

  private static final Logger log = LoggerFactory.getLogger(RingHistory.class);
  private static final int READ_BATCH = 256;
  /** How long a resume waits for this node's reader to reach a seq another node handed out. */
  private static final long REACH_TIMEOUT_MS = 10_000;
  private static final long RETRY_MS = 500;
  /** How long a reader waits for the event-bus copy of a not-kept item before it leaves a hole there. */
  private static final long COPY_WAIT_MS = 5_000;
  /**
   * A reader waits for the copy of items appended this long after it opened, not before: until its
   * consumer has reached every node, the copies of earlier ones may not come to it.
   */
  private static final long COPY_GRACE_MS = 2_000;
  /** Copies a reader holds for items it has not read yet, at most. */
  private static final int MAX_COPIES = 1024;

  private final RingHistory owner;
  private final Context context;
  private final Vertx vertx;
  private final RingHistory.Ring ring;
  private final HistoryFeed.Target target;
  private volatile boolean closed;
  /** The ring sequence to read next. */
  private volatile long nextRing;
  volatile long lag;
  volatile String epoch;
  private final List<Waiter> waiters = new ArrayList<>();
  /** The event-bus copies of not-kept items this reader has not read yet, by seq. */
  private final TreeMap<Long, JsonObject> copies = new TreeMap<>();
  private final long openedAt = System.currentTimeMillis();
  /** A read stopped at a not-kept item whose copy is on its way: the items from there, the seq waited for, its timer. */
  private ReadResultSet<byte[]> paused;
  private int pausedAt;
  private long awaited;
  private long awaitTimer = -1;
  /**
   * Counts the changes of epoch: a read, retry or look-up begun under an earlier one is dropped when
   * it completes, so nothing read from the ring as it was is numbered under the new epoch.
   */
  private long generation;
  /** Completes once the log has its epoch: a resume compares its client's epoch only then. */
  final Promise<Void> started = Promise.promise();

  RingReader(RingHistory owner, Context context, RingHistory.Ring ring, HistoryFeed.Target target) {
    this.owner = owner;
    this.context = context;
    this.vertx = context.owner();
    this.ring = ring;
    this.target = target;
  }

  String address() {
    return ring.address;
  }

  @Override
  public Future<Void> ready() {
    return started.future();
  }

  void start() {
    if (epoch != null) {
      read();
      return;
    }
    ring.ready.compose(rb -> ring.epoch()).onComplete(ar -> {
      if (closed) {
        return;
      }
      if (ar.failed()) {
        retry(ar.cause());
        return;
      }
      epoch = ar.result();
      nextRing = 0;
      target.epoch(epoch, 1);
      started.tryComplete();
      read();
    });
  }

  private void read() {
    if (closed) {
      return;
    }
    long gen = generation;
    long from = nextRing;
    // A read may ask for no more than the ring holds.
    int batch = Math.min(READ_BATCH, ring.spec.size());
    Future.fromCompletionStage(ring.ringbuffer.readManyAsync(from, 1, batch, null), context).onComplete(ar -> {
      if (closed || gen != generation) {
        return;
      }
      if (ar.failed()) {
        lost(ar.cause());
        return;
      }
      consume(ar.result(), 0);
    });
  }

  /** Hands the items from {@code from} on to the log, then reads on; stops at a not-kept item whose copy is still to come. */
  private void consume(ReadResultSet<byte[]> items, int from) {
    for (int i = from; i < items.size(); i++) {
      long seq = items.getSequence(i) + 1;
      JsonObject parsed = RingHistory.parse(items.get(i));
      if (parsed != null) {
        if (Boolean.FALSE.equals(parsed.getValue("kept"))) {
          JsonObject copy = copies.remove(seq);
          if (copy == null && awaitsCopy(parsed, seq)) {
            paused = items;
            pausedAt = i;
            return;
          }
          target.notKept(seq, copy);
        } else {
          target.numbered(seq, RingHistory.envelope(ring.address, parsed));
        }
      }
      nextRing = seq;
      copies.headMap(seq, true).clear();
    }
    nextRing = items.getNextSequenceToReadFrom();
    lag = items.size() == Math.min(READ_BATCH, ring.spec.size()) ? items.size() : 0;
    wake();
    read();
  }

  /** Whether to wait for the copy of the not-kept item {@code seq}: one appended since this reader's consumer reached the cluster, not long ago. */
  private boolean awaitsCopy(JsonObject item, long seq) {
    long at = item.getLong("at", 0L);
    long now = System.currentTimeMillis();
    if (at < openedAt + COPY_GRACE_MS || now - at >= COPY_WAIT_MS || awaited == seq) {
      return false;
    }
    awaited = seq;
    awaitTimer = vertx.setTimer(Math.max(1, at + COPY_WAIT_MS - now), id -> {
      awaitTimer = -1;
      resume();
    });
    return true;
  }

  /** Goes on from where the read stopped for a copy: with it when it came, else leaving a hole there. */
  private void resume() {
    if (paused == null || closed) {
      return;
    }
    if (awaitTimer >= 0) {
      vertx.cancelTimer(awaitTimer);
      awaitTimer = -1;
    }
    ReadResultSet<byte[]> items = paused;
    paused = null;
    consume(items, pausedAt);
  }

  @Override
  public void copy(long seq, JsonObject envelope) {
    context.runOnContext(v -> {
      // A copy for an item read already is late: the reader left a hole there.
      if (closed || seq <= nextRing) {
        return;
      }
      copies.put(seq, envelope);
      while (copies.size() > MAX_COPIES) {
        copies.pollFirstEntry();
      }
      if (paused != null && awaited == seq) {
        resume();
      }
    });
  }

  /** A read failed: the ring may have been lost with its partition (its epoch then too), or the cluster is changing. */
  private void lost(Throwable cause) {
    long gen = generation;
    ring.epoch().onComplete(ar -> {
      if (closed || gen != generation) {
        return;
      }
      if (ar.failed()) {
        retry(cause);
        return;
      }
      if (!ar.result().equals(epoch)) {
        log.warn("The history ring of {} was lost with its partition: its seqs start again under a new epoch", ring.address);
        switchTo(ar.result(), true);
      } else {
        retry(cause);
      }
    });
  }

  /**
   * From any thread: the ring's epoch is now {@code fresh}. {@code newRing}: its entry was made anew,
   * so was the ring (lost with its partition): every item in it is new to this reader. Else the
   * ring went on and only its epoch changed (a split healed): the reader goes on from where it is,
   * or from the ring's end when it read past it (on a side that merged, the ring it read is gone
   * for the other side's), and never numbers again what it has delivered.
   */
  void epochChanged(String fresh, boolean newRing) {
    context.runOnContext(v -> {
      if (!closed && epoch != null && !fresh.equals(epoch)) {
        log.info("The history of {} goes on under a new epoch", ring.address);
        switchTo(fresh, newRing);
      }
    });
  }

  /** On the context: numbers under {@code fresh} from the position the ring now allows, dropping what was underway. */
  private void switchTo(String fresh, boolean newRing) {
    long gen = ++generation;
    if (awaitTimer >= 0) {
      vertx.cancelTimer(awaitTimer);
      awaitTimer = -1;
    }
    paused = null;
    Future<Long> tail = newRing ? Future.succeededFuture(-1L) : vertx.executeBlocking(ring.ringbuffer::tailSequence, false);
    tail.onComplete(ar -> {
      if (closed || gen != generation) {
        return;
      }
      if (ar.failed()) {
        retry(ar.cause(), () -> switchTo(fresh, newRing));
        return;
      }
      nextRing = newRing ? 0 : Math.min(nextRing, ar.result() + 1);
      epoch = fresh;
      ring.known = fresh;
      copies.clear();
      target.epoch(fresh, nextRing + 1);
      wakeAll(false);
      read();
    });
  }

  private void retry(Throwable cause) {
    retry(cause, () -> {
      if (epoch == null) {
        start();
      } else {
        read();
      }
    });
  }

  private void retry(Throwable cause, Runnable again) {
    long unlogged = owner.readLine.pass();
    if (unlogged != LogThrottle.QUIET) {
      log.warn("Reading the history ring of {} failed ({}); trying again", ring.address, cause.toString());
    }
    long gen = generation;
    vertx.setTimer(RETRY_MS, id -> {
      if (closed || gen != generation) {
        return;
      }
      again.run();
    });
  }

  @Override
  public Future<Boolean> reached(long seq, long next) {
    Promise<Boolean> promise = Promise.promise();
    context.runOnContext(v -> {
      Ringbuffer<byte[]> rb = ring.ringbuffer;
      if (rb == null || closed) {
        promise.complete(false);
        return;
      }
      vertx.executeBlocking(rb::tailSequence, false).onComplete(ar -> {
        // seq = ring sequence + 1: the ring numbered a message seq when its tail is at seq - 1 or later.
        if (ar.failed() || ar.result() + 1 < seq) {
          promise.tryComplete(false);
          return;
        }
        if (nextRing >= seq) {
          promise.tryComplete(true);
          return;
        }
        Waiter waiter = new Waiter(seq, promise);
        waiters.add(waiter);
        vertx.setTimer(REACH_TIMEOUT_MS, id -> {
          waiters.remove(waiter);
          promise.tryComplete(false);
        });
      });
    });
    return promise.future();
  }

  private void wake() {
    if (!waiters.isEmpty()) {
      waiters.removeIf(w -> {
        if (nextRing >= w.seq) {
          w.promise.tryComplete(true);
          return true;
        }
        return false;
      });
    }
  }

  private void wakeAll(boolean reached) {
    waiters.forEach(w -> w.promise.tryComplete(reached));
    waiters.clear();
  }

  @Override
  public void close() {
    closed = true;
    owner.readers.remove(this);
    started.tryComplete();
    context.runOnContext(v -> {
      wakeAll(false);
      if (awaitTimer >= 0) {
        vertx.cancelTimer(awaitTimer);
      }
    });
  }

  private record Waiter(long seq, Promise<Boolean> promise) {
  }
}
