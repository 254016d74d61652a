package io.oneloop.bridge;

import io.oneloop.logging.LogThrottle;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;

/**
 * The open bridge sockets of one app, by HTTP server instance and transport, and how many were
 * closed for reading too slowly. Each instance's engine counts on its own event loop; anyone may
 * read at any time. The slow closes of one transport share one log line a second over every instance.
 */
public final class BridgeSockets {

  private static final BridgeTransport[] TRANSPORTS = BridgeTransport.values();

  private final List<Counts> instances = new CopyOnWriteArrayList<>();
  private final LogThrottle[] slowCloseLog = new LogThrottle[TRANSPORTS.length];
  /** What waits for every client of every instance, as the engines last counted it (bridge.maxQueuedBytesTotal). */
  private final AtomicLong queued = new AtomicLong();

  public BridgeSockets() {
    for (int i = 0; i < slowCloseLog.length; i++) {
      slowCloseLog[i] = LogThrottle.perSecond();
    }
  }

  /** The counts of one more HTTP server instance, numbered from 0. */
  public synchronized Counts newInstance() {
    Counts counts = new Counts(this, instances.size(), slowCloseLog);
    instances.add(counts);
    return counts;
  }

  /** Open sockets over every instance and transport. */
  public int total() {
    return instances.stream().mapToInt(Counts::total).sum();
  }

  /** Bytes waiting for every client together, as the engines last counted them (within a second). */
  public long queuedBytes() {
    return queued.get();
  }

  /** {@code {"raw": n, "sockjs-websocket": n, "sockjs-fallback": n}} over every instance. */
  public JsonObject byTransport() {
    return perTransport(t -> instances.stream().mapToInt(c -> c.open.get(t.ordinal())).sum());
  }

  /**
   * {@code {"sockets": {...}, "instances": [{"id": i, "sockets": {...}}], "slowClosed": {...}, "queuedBytes": n}}:
   * open sockets by transport, in all and per instance, the clients closed for being too slow, and
   * the bytes waiting for every client together.
   */
  public JsonObject toJson() {
    JsonArray perInstance = new JsonArray();
    for (Counts counts : instances) {
      perInstance.add(new JsonObject().put("id", counts.id).put("sockets", perTransport(t -> counts.open.get(t.ordinal()))));
    }
    return new JsonObject()
      .put("sockets", byTransport())
      .put("instances", perInstance)
      .put("slowClosed", perTransport(t -> instances.stream().mapToInt(c -> c.slowClosed.get(t.ordinal())).sum()))
      .put("queuedBytes", queuedBytes());
  }

  private static JsonObject perTransport(ToIntFunction<BridgeTransport> count) {
    JsonObject json = new JsonObject();
    for (BridgeTransport transport : TRANSPORTS) {
      json.put(transport.wireName(), count.applyAsInt(transport));
    }
    return json;
  }

  /** One instance's counts. */
  public static final class Counts {
    private final BridgeSockets all;
    private final int id;
    private final AtomicIntegerArray open = new AtomicIntegerArray(TRANSPORTS.length);
    private final AtomicIntegerArray slowClosed = new AtomicIntegerArray(TRANSPORTS.length);
    private final LogThrottle[] slowCloseLog;

    private Counts(BridgeSockets all, int id, LogThrottle[] slowCloseLog) {
      this.all = all;
      this.id = id;
      this.slowCloseLog = slowCloseLog;
    }

    public int id() {
      return id;
    }

    int total() {
      int total = 0;
      for (int i = 0; i < open.length(); i++) {
        total += open.get(i);
      }
      return total;
    }

    /** Open sockets over every instance. */
    int allOpen() {
      return all.total();
    }

    long queuedBytes() {
      return all.queued.get();
    }

    void addQueued(long delta) {
      all.queued.addAndGet(delta);
    }

    void opened(BridgeTransport transport) {
      open.incrementAndGet(transport.ordinal());
    }

    void closed(BridgeTransport transport) {
      open.decrementAndGet(transport.ordinal());
    }

    /**
     * Whether a client of {@code transport} closed for reading too slowly gets a log line, over every
     * instance: {@link LogThrottle#QUIET} if not (one of this transport got one in the last second),
     * else how many of this transport were closed without a line since the last one.
     */
    long slowCloseLine(BridgeTransport transport) {
      return slowCloseLog[transport.ordinal()].pass();
    }

    void closedAsSlow(BridgeTransport transport) {
      slowClosed.incrementAndGet(transport.ordinal());
    }
  }
}
