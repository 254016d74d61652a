package io.oneloop.cluster;

import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.oneloop.bridge.HistorySpec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.Serial;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which ring items keep their body. A Ringbuffer cannot drop items, so every message is appended;
 * an item keeps its body only while its ring's bodies stay within the address's {@code maxBytes}
 * and all rings' bodies together within {@code bridge.maxHistoryBytes}, else it goes in without
 * (not kept: its readers deliver it from the event-bus copy, a resume across it gets the gap frame).
 * <p>
 * The bytes of each ring are counted where the ring is: an entry of the map {@value #WINDOWS} keyed
 * by the address (the ring's partition, so lost with it), holding the body sizes and times of the
 * ring's last {@code size} items, updated by an entry processor before each append (what the ring
 * will overwrite or has expired no longer counts). The cluster's total is the sum of those entries,
 * summed by each node every second and counted up by its own appends between two sums: the bound
 * may be passed by what the other nodes append within that second.
 */
final class RingBudget {

  static final String WINDOWS = "oneloop.history.bytes";
  private static final long SUM_EVERY_MS = 1000;

  private final Vertx vertx;
  private final Context context;
  private final IMap<String, Window> windows;
  private final long maxTotal;
  /** The cluster's kept bytes as last summed, plus what this node kept since. */
  private final AtomicLong total = new AtomicLong();
  private final long timer;
  private boolean summing;

  RingBudget(Vertx vertx, Context context, HazelcastInstance hazelcast, long maxTotal) {
    this.vertx = vertx;
    this.context = context;
    this.maxTotal = maxTotal;
    // Kept as objects: an entry processor updates a window in place rather than copying its arrays at each append.
    hazelcast.getConfig().addMapConfig(new MapConfig(WINDOWS).setInMemoryFormat(InMemoryFormat.OBJECT).setBackupCount(1));
    this.windows = hazelcast.getMap(WINDOWS);
    this.timer = vertx.setPeriodic(SUM_EVERY_MS, id -> sum());
  }

  /** Whether the next item of {@code address}, of {@code bytes}, keeps its body; counted as appended either way. */
  Future<Boolean> reserve(String address, HistorySpec spec, int bytes, long ttlMs) {
    boolean room = total.get() + bytes <= maxTotal;
    Reserve reserve = new Reserve(spec.size(), ttlMs, spec.maxBytes(), bytes, room);
    return Future.fromCompletionStage(windows.submitToKey(address, reserve), context).map(outcome -> {
      total.addAndGet(outcome.delta());
      return outcome.kept();
    });
  }

  /** The cluster's kept bytes, as this node last knew them. */
  long total() {
    return total.get();
  }

  private void sum() {
    if (summing) {
      return;
    }
    summing = true;
    vertx.executeBlocking(() -> windows.executeOnEntries(new Expire()), false).onComplete(ar -> {
      summing = false;
      if (ar.succeeded()) {
        long sum = 0;
        for (Object bytes : ar.result().values()) {
          sum += bytes instanceof Long n ? n : 0;
        }
        total.set(sum);
      }
    });
  }

  void close() {
    vertx.cancelTimer(timer);
  }

  /** The body sizes and append times of a ring's last items, oldest first. */
  static final class Window implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    final long ttlMs;
    final int[] sizes;
    final long[] at;
    int head;
    int count;
    long bytes;

    Window(int capacity, long ttlMs) {
      this.ttlMs = ttlMs;
      this.sizes = new int[capacity];
      this.at = new long[capacity];
    }

    /** Forgets what the ring has expired; the bytes this gives back. */
    long expire(long now) {
      long before = bytes;
      while (count > 0 && now - at[head] >= ttlMs) {
        dropOldest();
      }
      return before - bytes;
    }

    void dropOldest() {
      bytes -= sizes[head];
      head = (head + 1) % sizes.length;
      count--;
    }

    void add(int size, long now) {
      if (count == sizes.length) {
        // The ring overwrites its oldest item with this one.
        dropOldest();
      }
      int slot = (head + count) % sizes.length;
      sizes[slot] = size;
      at[slot] = now;
      count++;
      bytes += size;
    }
  }

  record Outcome(boolean kept, long delta) implements Serializable {
  }

  /** Counts one more item of a ring: with its body when there is room for it. */
  record Reserve(int capacity, long ttlMs, long maxBytes, int bytes, boolean room)
    implements EntryProcessor<String, Window, Outcome>, Serializable {

    @Override
    public Outcome process(Map.Entry<String, Window> entry) {
      long now = System.currentTimeMillis();
      Window window = entry.getValue();
      if (window == null || window.sizes.length != capacity || window.ttlMs != ttlMs) {
        // New, or its history entry changed with a full restart of the cluster.
        long before = window == null ? 0 : window.bytes;
        window = new Window(capacity, ttlMs);
        window.bytes = 0;
        long delta = -before;
        boolean kept = room && bytes <= maxBytes;
        window.add(kept ? bytes : 0, now);
        entry.setValue(window);
        return new Outcome(kept, delta + (kept ? bytes : 0));
      }
      long before = window.bytes;
      window.expire(now);
      if (window.count == capacity) {
        window.dropOldest();
      }
      boolean kept = room && window.bytes + bytes <= maxBytes;
      window.add(kept ? bytes : 0, now);
      entry.setValue(window);
      return new Outcome(kept, window.bytes - before);
    }
  }

  /** Forgets what each ring has expired, drops the windows left empty, and answers each one's bytes. */
  static final class Expire implements EntryProcessor<String, Window, Long>, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public Long process(Map.Entry<String, Window> entry) {
      Window window = entry.getValue();
      if (window == null) {
        return 0L;
      }
      if (window.expire(System.currentTimeMillis()) > 0 || window.count == 0) {
        entry.setValue(window.count == 0 ? null : window);
      }
      return window.bytes;
    }
  }
}
