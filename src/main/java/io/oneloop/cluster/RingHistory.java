package io.oneloop.cluster;

import com.hazelcast.config.RingbufferConfig;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.ringbuffer.OverflowPolicy;
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
 * An item is {@code {"v":1,"headers":{...},"body":...}} as UTF-8 JSON ({@link #FORMAT}), or, past
 * the bounds ({@link RingBudget}), {@code {"v":1,"kept":false,"at":<ms>}}: the message then goes
 * without its body, which travels in the event-bus copy, sent once the append is done with the
 * item's seq in {@code oneloop.seq}; a reader delivers such an item live from that copy, keeps
 * nothing across it, and a resume across it gets the gap frame. An item of another version is not
 * delivered (its readers see a hole: a resume across it gets the gap frame).
 * <p>
 * A ring's seqs mean the same messages only while its epoch lasts. A ring lost with its partition
 * comes back empty with a new epoch entry. When a network split heals, the side that merged had
 * its own copy of each ring, appended to while the sides were apart, and Hazelcast keeps only the
 * other side's: the nodes of the side that merged put a new epoch for every ring they know, so that
 * no client is handed seqs that meant other messages there. Every node follows the epochs map and
 * numbers its readers' messages under the new epoch from where it is.
 */
final class RingHistory implements HistoryFeed {

  private static final Logger log = LoggerFactory.getLogger(RingHistory.class);
  /** The version of the ring item format this release writes and reads. */
  static final int FORMAT = 1;
  static final String RING_PREFIX = "oneloop.history.";
  /** The epoch of each address's ring, keyed by address: the same partition as the ring. */
  static final String EPOCHS = "oneloop.history.epochs";
  /** An append not done within this long fails (the publish API answers 503). */
  private static final long APPEND_TIMEOUT_MS = 10_000;

  private final Vertx vertx;
  private final Context context;
  private final HazelcastInstance hazelcast;
  private final List<HistorySpec> specs;
  private final int maxAddresses;
  private final IMap<String, String> epochs;
  private final RingBudget budget;
  private final Map<String, Ring> rings = new ConcurrentHashMap<>();
  final Map<RingReader, Boolean> readers = new ConcurrentHashMap<>();
  private final ThreadLocal<List<Future<Long>>> capturing = new ThreadLocal<>();
  private final Handler<DeliveryContext<Object>> interceptor = this::intercept;
  private final LogThrottle appendLine = LogThrottle.perSecond();
  final LogThrottle readLine = LogThrottle.perSecond();
  private final LogThrottle fullLine = LogThrottle.perSecond();
  private volatile LongConsumer appendNanos = n -> { };
  private volatile UUID epochListener;
  private final UUID mergeListener;

  /** Call on the context the readers are to run on; {@code vertx} is clustered. */
  RingHistory(Vertx vertx, List<HistorySpec> specs, int maxAddresses, long maxTotalBytes) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.hazelcast = ((HazelcastClusterManager) ((VertxInternal) vertx).clusterManager()).getHazelcastInstance();
    this.specs = List.copyOf(specs);
    this.maxAddresses = maxAddresses;
    this.epochs = hazelcast.getMap(EPOCHS);
    this.budget = new RingBudget(vertx, context, hazelcast, maxTotalBytes);
    vertx.eventBus().addOutboundInterceptor(interceptor);
    // Only the members of the side that gave way see MERGED: their copies of the rings were dropped for the other side's.
    this.mergeListener = hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
        context.runOnContext(v -> merged());
      }
    });
  }

  /** Gets the time each append took, in nanoseconds. */
  void onAppend(LongConsumer nanos) {
    this.appendNanos = nanos;
  }

  /** Makes ready the ring and the epoch of every exact address, so that a node serves none of them before it knows its epoch. */
  Future<Void> prepare() {
    List<Future<?>> ready = new ArrayList<>();
    ready.add(vertx.executeBlocking(() -> epochListener = epochs.addEntryListener(new EpochListener(), true), false));
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
    for (RingReader reader : readers.keySet()) {
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
    boolean held = false;
    try {
      Message<Object> msg = delivery.message();
      if (!msg.isSend() && msg.address() != null) {
        HistorySpec spec = specOf(msg.address());
        if (spec != null) {
          // Only this node's append says which copy carries a not-kept item's body.
          msg.headers().remove(HistoryStore.SEQ);
          // The context's body: the message's own is only decoded on the receiving side.
          held = append(msg.address(), spec, msg, delivery);
        }
      }
    } catch (RuntimeException e) {
      long unlogged = appendLine.pass();
      if (unlogged != LogThrottle.QUIET) {
        log.warn("A message could not be appended to its history: {}", e.toString());
      }
    } finally {
      if (!held) {
        delivery.next();
      }
    }
  }

  /** Appends the message; true when its event-bus copy goes on once the append is done (then carrying the seq of a not-kept item). */
  private boolean append(String address, HistorySpec spec, Message<Object> msg, DeliveryContext<Object> delivery) {
    Ring ring = ring(address, spec);
    Future<Long> appended;
    boolean held = false;
    if (ring == null) {
      long unlogged = fullLine.pass();
      if (unlogged != LogThrottle.QUIET) {
        log.warn("No history for {}: this node appends to bridge.maxHistoryAddresses ({}) rings already", address, maxAddresses);
      }
      appended = Future.failedFuture(new HistoryUnavailable(address, null));
    } else {
      byte[] item = item(msg, delivery.body());
      long start = System.nanoTime();
      Context origin = Vertx.currentContext();
      Future<Appended> added = ring.add(item).timeout(APPEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      added.onComplete(ar -> {
        if (ar.succeeded() && !ar.result().kept()) {
          msg.headers().set(HistoryStore.SEQ, Long.toString(ar.result().seq() + 1));
        }
        if (origin != null) {
          origin.runOnContext(v -> delivery.next());
        } else {
          delivery.next();
        }
      });
      held = true;
      appended = added.map(Appended::seq)
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
    return held;
  }

  /** The ring sequence an item got, and whether it kept its body. */
  private record Appended(long seq, boolean kept) {
  }

  /** The item of a message past its bounds: no body, no headers (both travel in the event-bus copy), when it was appended. */
  static byte[] notKept() {
    return new JsonObject().put("v", FORMAT).put("kept", false).put("at", System.currentTimeMillis()).toBuffer().getBytes();
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

  /** An item as read, or null for an item of another format version. */
  static JsonObject parse(byte[] item) {
    JsonObject parsed = new JsonObject(Buffer.buffer(item));
    return Integer.valueOf(FORMAT).equals(parsed.getValue("v")) ? parsed : null;
  }

  /** The {@code rec} frame of a parsed item that kept its body. */
  static JsonObject envelope(String address, JsonObject parsed) {
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
        public void copy(long seq, JsonObject envelope) {
        }

        @Override
        public void close() {
        }
      };
    }
    RingReader reader = new RingReader(this, context, ring, target);
    readers.put(reader, Boolean.TRUE);
    if (ring.known != null) {
      reader.epoch = ring.known;
      target.epoch(ring.known, 1);
      reader.started.tryComplete();
    }
    context.runOnContext(v -> reader.start());
    return reader;
  }

  /** Follows the epochs: an entry made anew comes with a ring made anew, an entry changed with the same ring going on. */
  private final class EpochListener implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String> {
    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      epochChanged(event.getKey(), event.getValue(), true);
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      epochChanged(event.getKey(), event.getValue(), false);
    }
  }

  /** From any thread: {@code address}'s ring is now under {@code epoch}. */
  private void epochChanged(String address, String epoch, boolean newRing) {
    if (address == null || epoch == null) {
      return;
    }
    Ring ring = rings.get(address);
    if (ring != null && ring.known != null) {
      ring.known = epoch;
    }
    for (RingReader reader : readers.keySet()) {
      if (reader.address().equals(address)) {
        reader.epochChanged(epoch, newRing);
      }
    }
  }

  /**
   * This node's side of a split merged into the other: a new epoch for every ring it knows, each
   * put and then read back (another node of the same side may put its own), and handed to this
   * node's readers at once, whether or not the epochs listener outlived the merge.
   */
  private void merged() {
    for (Ring ring : rings.values()) {
      renewEpoch(ring, 0);
    }
  }

  private void renewEpoch(Ring ring, int attempt) {
    String fresh = newEpoch();
    vertx.executeBlocking(() -> {
      epochs.put(ring.address, fresh);
      return epochs.get(ring.address);
    }, false).onComplete(ar -> {
      if (ar.succeeded()) {
        log.info("This node's side of a network split merged back: the history of {} goes on under a new epoch", ring.address);
        epochChanged(ring.address, ar.result() == null ? fresh : ar.result(), false);
      } else if (attempt < 20) {
        // Partitions may still be moving right after the merge.
        vertx.setTimer(500, id -> renewEpoch(ring, attempt + 1));
      } else {
        log.warn("The history of {} could not take a new epoch after the merge: {}", ring.address, ar.cause().toString());
      }
    });
  }

  static String newEpoch() {
    return Long.toString(System.currentTimeMillis(), 36) + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Override
  public void close() {
    hazelcast.getLifecycleService().removeLifecycleListener(mergeListener);
    UUID listening = epochListener;
    if (listening != null) {
      vertx.executeBlocking(() -> epochs.removeEntryListener(listening), false);
    }
    vertx.eventBus().removeOutboundInterceptor(interceptor);
    budget.close();
    readers.keySet().forEach(RingReader::close);
  }

  /** One address's ring, as this node appends to and reads it. */
  final class Ring {
    final String address;
    final HistorySpec spec;
    final long ttlMs;
    final Future<Ringbuffer<byte[]>> ready;
    /** Completes once the last append asked for has gone to the ring: the next one goes after it, in the order asked. */
    private Future<Void> lastIssued = Future.succeededFuture();
    volatile Ringbuffer<byte[]> ringbuffer;
    /** Its epoch once prepared: a log opened then starts under it at once. */
    volatile String known;

    Ring(String address, HistorySpec spec) {
      this.address = address;
      this.spec = spec;
      String base = RING_PREFIX + address;
      // TTL in whole seconds, the ring's unit: never shorter than ttlMs.
      int ttlSeconds = (int) Math.min(Integer.MAX_VALUE, (spec.ttlMs() + 999) / 1000);
      this.ttlMs = ttlSeconds * 1000L;
      this.ready = vertx.executeBlocking(() -> {
        // The same entry on every node (their bridge.history agree): adding it again changes nothing.
        hazelcast.getConfig().addRingBufferConfig(new RingbufferConfig(base).setCapacity(spec.size())
          .setTimeToLiveSeconds(ttlSeconds).setBackupCount(1).setAsyncBackupCount(0));
        Ringbuffer<byte[]> rb = hazelcast.getRingbuffer(base + "@" + address);
        ringbuffer = rb;
        return rb;
      }, false);
    }

    /** Counts the item against the bounds, then appends it, with its body or not; appends go out in the order asked. */
    synchronized Future<Appended> add(byte[] item) {
      Future<Boolean> keep = ready.compose(rb -> budget.reserve(address, spec, item.length, ttlMs));
      Promise<Appended> done = Promise.promise();
      // Each append is issued once the one before was: the reservations run side by side, the appends in order.
      lastIssued = lastIssued.transform(previous -> keep.transform(ar -> {
        if (ar.failed()) {
          done.fail(ar.cause());
        } else {
          boolean kept = ar.result();
          Future.fromCompletionStage(ringbuffer.addAsync(kept ? item : notKept(), OverflowPolicy.OVERWRITE), context)
            .map(seq -> new Appended(seq, kept)).onComplete(done);
        }
        return Future.succeededFuture();
      }));
      return done.future();
    }

    /** The ring's epoch: the one kept beside it, or a new one when none is (a ring new or lost). */
    Future<String> epoch() {
      String fresh = newEpoch();
      return vertx.executeBlocking(() -> epochs.putIfAbsent(address, fresh), false).map(old -> old != null ? old : fresh);
    }
  }

}
