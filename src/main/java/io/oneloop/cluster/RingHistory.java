package io.oneloop.cluster;

import com.hazelcast.config.RingbufferConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import io.oneloop.bridge.HistoryFeed;
import io.oneloop.bridge.HistorySpec;
import io.oneloop.bridge.HistoryStore;
import io.oneloop.bridge.HistoryUnavailable;
import io.oneloop.logging.LogThrottle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * The bridge's history shared by a cluster: one Hazelcast {@link Ringbuffer} per address (capacity
 * {@code size}, a TTL of {@code ttlMs} rounded up to whole seconds, one backup), named
 * {@code oneloop.history.<address>@<address>} so that it lives in the partition of its address,
 * beside its epoch in the map {@value #EPOCHS} (same key, same partition: what loses the one loses
 * the other).
 * <p>
 * Every message published to an address with history is appended once, by the node it was
 * published on: an event-bus outbound interceptor sees every publish of this node (tasks, the
 * publish API, jobs, user code, clients through the bridge) before it leaves the node. Each node
 * reads every ring it has clients for in order ({@code readManyAsync}) and hands the items to its
 * {@link io.oneloop.bridge.History}, seq = ring sequence + 1: every node gives a message the same
 * seq, and a client resumes on any node.
 * <p>
 * An item is {@code {"v":1,"headers":{...},"body":...}} as UTF-8 JSON ({@link #FORMAT}); an item of
 * another version is not delivered (its readers see a hole: a resume across it gets the gap frame).
 */
final class RingHistory implements HistoryFeed {

  private static final Logger log = LoggerFactory.getLogger(RingHistory.class);
  /** The version of the ring item format this release writes and reads. */
  static final int FORMAT = 1;
  static final String RING_PREFIX = "oneloop.history.";
  /** The epoch of each address's ring, keyed by address: the same partition as the ring. */
  static final String EPOCHS = "oneloop.history.epochs";
  private static final int READ_BATCH = 256;
  /** An append not done within this long fails (the publish API answers 503). */
  private static final long APPEND_TIMEOUT_MS = 10_000;
  /** How long a resume waits for this node's reader to reach a seq another node handed out. */
  private static final long REACH_TIMEOUT_MS = 10_000;
  private static final long RETRY_MS = 500;

  private final Vertx vertx;
  private final Context context;
  private final HazelcastInstance hazelcast;
  private final List<HistorySpec> specs;
  private final int maxAddresses;
  private final IMap<String, String> epochs;
  private final Map<String, Ring> rings = new ConcurrentHashMap<>();
  private final Map<Reader, Boolean> readers = new ConcurrentHashMap<>();
  private final ThreadLocal<List<Future<Long>>> capturing = new ThreadLocal<>();
  private final Handler<DeliveryContext<Object>> interceptor = this::intercept;
  private final LogThrottle appendLine = LogThrottle.perSecond();
  private final LogThrottle readLine = LogThrottle.perSecond();
  private final LogThrottle fullLine = LogThrottle.perSecond();
  private volatile LongConsumer appendNanos = n -> { };

  /** Call on the context the readers are to run on; {@code vertx} is clustered. */
  RingHistory(Vertx vertx, List<HistorySpec> specs, int maxAddresses) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.hazelcast = ((HazelcastClusterManager) ((VertxInternal) vertx).clusterManager()).getHazelcastInstance();
    this.specs = List.copyOf(specs);
    this.maxAddresses = maxAddresses;
    this.epochs = hazelcast.getMap(EPOCHS);
    vertx.eventBus().addOutboundInterceptor(interceptor);
  }

  /** Gets the time each append took, in nanoseconds. */
  void onAppend(LongConsumer nanos) {
    this.appendNanos = nanos;
  }

  /** Makes ready the ring and the epoch of every exact address, so that a node serves none of them before it knows its epoch. */
  Future<Void> prepare() {
    List<Future<?>> ready = new ArrayList<>();
    for (HistorySpec spec : specs) {
      if (spec.address() != null) {
        Ring ring = ring(spec.address(), spec);
        ready.add(ring.ready.compose(rb -> ring.epoch()).onSuccess(epoch -> ring.known = epoch));
      }
    }
    return Future.all(ready).mapEmpty();
  }

  /** The messages this node's readers are behind their rings, the most over them. */
  long readLag() {
    long lag = 0;
    for (Reader reader : readers.keySet()) {
      lag = Math.max(lag, reader.lag);
    }
    return lag;
  }

  private HistorySpec specOf(String address) {
    HistorySpec regex = null;
    for (HistorySpec spec : specs) {
      if (spec.address() != null && spec.address().equals(address)) {
        return spec;
      }
      if (regex == null && spec.regex() != null && spec.matches(address)) {
        regex = spec;
      }
    }
    return regex;
  }

  /** The ring of {@code address}, made ready once; null when this node names bridge.maxHistoryAddresses rings already. */
  private Ring ring(String address, HistorySpec spec) {
    Ring ring = rings.get(address);
    if (ring != null) {
      return ring;
    }
    if (spec.regex() != null && rings.size() >= maxAddresses) {
      return null;
    }
    return rings.computeIfAbsent(address, a -> new Ring(a, spec));
  }

  // ---- appending

  private void intercept(DeliveryContext<Object> delivery) {
    try {
      Message<Object> msg = delivery.message();
      if (!msg.isSend() && msg.address() != null) {
        HistorySpec spec = specOf(msg.address());
        if (spec != null) {
          // The context's body: the message's own is only decoded on the receiving side.
          append(msg.address(), spec, msg, delivery.body());
        }
      }
    } catch (RuntimeException e) {
      long unlogged = appendLine.pass();
      if (unlogged != LogThrottle.QUIET) {
        log.warn("A message could not be appended to its history: {}", e.toString());
      }
    } finally {
      delivery.next();
    }
  }

  private void append(String address, HistorySpec spec, Message<Object> msg, Object body) {
    Ring ring = ring(address, spec);
    Future<Long> appended;
    if (ring == null) {
      long unlogged = fullLine.pass();
      if (unlogged != LogThrottle.QUIET) {
        log.warn("No history for {}: this node appends to bridge.maxHistoryAddresses ({}) rings already", address, maxAddresses);
      }
      appended = Future.failedFuture(new HistoryUnavailable(address, null));
    } else {
      byte[] item = item(msg, body);
      long start = System.nanoTime();
      appended = ring.add(item)
        .timeout(APPEND_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .onSuccess(seq -> appendNanos.accept(System.nanoTime() - start))
        .recover(cause -> {
          long unlogged = appendLine.pass();
          if (unlogged != LogThrottle.QUIET) {
            log.warn("A message to {} could not be appended to its history: {}{}", address, cause.toString(),
              unlogged > 0 ? "; " + unlogged + " more since the last such line" : "");
          }
          return Future.failedFuture(new HistoryUnavailable(address, cause));
        });
    }
    List<Future<Long>> captured = capturing.get();
    if (captured != null) {
      captured.add(appended);
    }
  }

  /** A message as a ring item: {@code {"v", "headers", "body"}}, the seq headers left out. */
  static byte[] item(Message<Object> msg, Object body) {
    JsonObject item = new JsonObject().put("v", FORMAT);
    if (msg.headers() != null && !msg.headers().isEmpty()) {
      JsonObject headers = new JsonObject();
      for (String name : msg.headers().names()) {
        if (!name.equalsIgnoreCase(HistoryStore.SEQ) && !name.equalsIgnoreCase(HistoryStore.EPOCH) && !name.equalsIgnoreCase(HistoryStore.GAP)) {
          List<String> values = msg.headers().getAll(name);
          headers.put(name, values.size() == 1 ? values.get(0) : values);
        }
      }
      item.put("headers", headers);
    }
    item.put("body", body);
    return item.toBuffer().getBytes();
  }

  /** The {@code rec} frame of an item, or null for an item of another format version. */
  static JsonObject envelope(String address, byte[] item) {
    JsonObject parsed = new JsonObject(Buffer.buffer(item));
    if (!Integer.valueOf(FORMAT).equals(parsed.getInteger("v"))) {
      return null;
    }
    JsonObject envelope = new JsonObject().put("type", "rec").put("address", address).put("body", parsed.getValue("body"));
    if (parsed.getJsonObject("headers") != null) {
      envelope.put("headers", parsed.getJsonObject("headers"));
    }
    return envelope;
  }

  @Override
  public Future<Void> appended(Runnable publish) {
    List<Future<Long>> captured = new ArrayList<>();
    List<Future<Long>> outer = capturing.get();
    capturing.set(captured);
    try {
      publish.run();
    } finally {
      capturing.set(outer);
    }
    if (outer != null) {
      outer.addAll(captured);
    }
    return Future.all(captured).<Void>mapEmpty().recover(cause -> {
      for (Future<Long> one : captured) {
        if (one.failed()) {
          return Future.failedFuture(one.cause());
        }
      }
      return Future.failedFuture(cause);
    });
  }

  // ---- reading

  @Override
  public Handle open(String address, HistorySpec spec, Target target) {
    Ring ring = ring(address, spec);
    if (ring == null) {
      // Without a ring of its own this node delivers nothing for the address from history: an empty log, its clients live from the appenders' node.
      return new Handle() {
        @Override
        public Future<Boolean> reached(long seq, long next) {
          return Future.succeededFuture(false);
        }

        @Override
        public Future<Void> ready() {
          return Future.succeededFuture();
        }

        @Override
        public void close() {
        }
      };
    }
    Reader reader = new Reader(ring, target);
    readers.put(reader, Boolean.TRUE);
    if (ring.known != null) {
      reader.epoch = ring.known;
      target.epoch(ring.known, 1);
      reader.started.tryComplete();
    }
    context.runOnContext(v -> reader.start());
    return reader;
  }

  @Override
  public void close() {
    vertx.eventBus().removeOutboundInterceptor(interceptor);
    readers.keySet().forEach(Reader::close);
  }

  /** One address's ring, as this node appends to and reads it. */
  private final class Ring {
    final String address;
    final Future<Ringbuffer<byte[]>> ready;
    private volatile Ringbuffer<byte[]> ringbuffer;
    /** Its epoch once prepared: a log opened then starts under it at once. */
    volatile String known;

    Ring(String address, HistorySpec spec) {
      this.address = address;
      String base = RING_PREFIX + address;
      // TTL in whole seconds, the ring's unit: never shorter than ttlMs.
      int ttlSeconds = (int) Math.min(Integer.MAX_VALUE, (spec.ttlMs() + 999) / 1000);
      this.ready = vertx.executeBlocking(() -> {
        // The same entry on every node (their bridge.history agree): adding it again changes nothing.
        hazelcast.getConfig().addRingBufferConfig(new RingbufferConfig(base).setCapacity(spec.size())
          .setTimeToLiveSeconds(ttlSeconds).setBackupCount(1).setAsyncBackupCount(0));
        Ringbuffer<byte[]> rb = hazelcast.getRingbuffer(base + "@" + address);
        ringbuffer = rb;
        return rb;
      }, false);
    }

    Future<Long> add(byte[] item) {
      Ringbuffer<byte[]> rb = ringbuffer;
      if (rb != null) {
        // Appends of one thread go out in the order published.
        return Future.fromCompletionStage(rb.addAsync(item, OverflowPolicy.OVERWRITE));
      }
      return ready.compose(r -> Future.fromCompletionStage(r.addAsync(item, OverflowPolicy.OVERWRITE)));
    }

    /** The ring's epoch: the one kept beside it, or a new one when none is (a ring new or lost). */
    Future<String> epoch() {
      String fresh = Long.toString(System.currentTimeMillis(), 36) + "-" + UUID.randomUUID().toString().substring(0, 8);
      return vertx.executeBlocking(() -> epochs.putIfAbsent(address, fresh), false).map(old -> old != null ? old : fresh);
    }
  }

  /** One node's ordered read of one ring, for one log. Runs on this feed's context. */
  private final class Reader implements Handle {
    private final Ring ring;
    private final Target target;
    private volatile boolean closed;
    /** The ring sequence to read next. */
    private volatile long nextRing;
    private volatile long lag;
    private volatile String epoch;
    private final List<Waiter> waiters = new ArrayList<>();
    /** Completes once the log has its epoch: a resume compares its client's epoch only then. */
    final Promise<Void> started = Promise.promise();

    Reader(Ring ring, Target target) {
      this.ring = ring;
      this.target = target;
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
      long from = nextRing;
      Future.fromCompletionStage(ring.ringbuffer.readManyAsync(from, 1, READ_BATCH, null), context).onComplete(ar -> {
        if (closed) {
          return;
        }
        if (ar.failed()) {
          lost(ar.cause());
          return;
        }
        ReadResultSet<byte[]> items = ar.result();
        for (int i = 0; i < items.size(); i++) {
          JsonObject envelope = envelope(ring.address, items.get(i));
          if (envelope != null) {
            target.numbered(items.getSequence(i) + 1, envelope);
          }
        }
        nextRing = items.getNextSequenceToReadFrom();
        lag = items.size() == READ_BATCH ? READ_BATCH : 0;
        wake();
        read();
      });
    }

    /** A read failed: the ring may have been lost with its partition (its epoch then too), or the cluster is changing. */
    private void lost(Throwable cause) {
      ring.epoch().onComplete(ar -> {
        if (closed) {
          return;
        }
        if (ar.failed()) {
          retry(cause);
          return;
        }
        if (!ar.result().equals(epoch)) {
          log.warn("The history ring of {} was lost with its partition: its seqs start again under a new epoch", ring.address);
          epoch = ar.result();
          nextRing = 0;
          target.epoch(epoch, 1);
          wakeAll(false);
          read();
        } else {
          retry(cause);
        }
      });
    }

    private void retry(Throwable cause) {
      long unlogged = readLine.pass();
      if (unlogged != LogThrottle.QUIET) {
        log.warn("Reading the history ring of {} failed ({}); trying again", ring.address, cause.toString());
      }
      vertx.setTimer(RETRY_MS, id -> {
        if (epoch == null) {
          start();
        } else {
          read();
        }
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
      readers.remove(this);
      started.tryComplete();
      context.runOnContext(v -> wakeAll(false));
    }
  }

  private record Waiter(long seq, Promise<Boolean> promise) {
  }
}
