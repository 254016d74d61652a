package io.oneloop.bridge;

import io.netty.channel.EventLoop;
import io.oneloop.logging.LogThrottle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
/**
 * The bridge's history, one per process and shared by every engine: for each address with
 * history, ONE event-bus consumer numbers each message as it arrives ({@code oneloop.seq},
 * consecutive per address, under this start's {@code oneloop.epoch}) or a {@link HistoryFeed} does
 * (a cluster's shared numbering), the last ones are kept within the address's bounds, and the
 * frame, encoded once, goes to every engine that has clients for the address, in seq order.
 * <p>
 * All the logs together keep at most {@code maxBytes}: past it the oldest messages go first,
 * whatever their address (a client resuming from one of them gets the gap frame). One socket
 * starts at most {@code maxAddressesPerClient} regex-history logs, so no one client takes every
 * address slot.
 * <p>
 * Thread-safe: engines attach, detach and read from their own event loops. Locks are taken in
 * one order, this object's before a log's, and a log's lock is never held while another log's is
 * taken: the global budget drops other logs' entries only after the appending log's lock is released.
 */
public final class History implements HistoryStore {

  private static final Logger log = LoggerFactory.getLogger(History.class);
  private static final long SWEEP_MS = 1000;

  private final Vertx vertx;
  private final List<HistorySpec> specs;
  private final int maxAddresses;
  private final int maxAddressesPerClient;
  private final String epoch;
  /** Where seqs come from; null: this process numbers each message itself. */
  private final HistoryFeed feed;
  private final Map<String, AddressLog> logs = new HashMap<>();
  private final long sweepTimer;
  /** The highest seq handed out for any address: a later log of an address starts above it. */
  private final AtomicLong highest = new AtomicLong();
  /** What all the logs together keep, within bridge.maxHistoryBytes. */
  private final HistoryBudget budget;
  private final LogThrottle fullLine = LogThrottle.perSecond();
  private final LogThrottle perClientLine = LogThrottle.perSecond();

  /** Starts consuming the exact addresses at once; regex ones wait for their first client. The default global bounds. */
  public History(Vertx vertx, List<HistorySpec> specs, int maxAddresses) {
    this(vertx, specs, maxAddresses, HistorySpec.DEFAULT_MAX_TOTAL_BYTES, HistorySpec.DEFAULT_MAX_ADDRESSES_PER_CLIENT);
  }

  /**
   * @param maxBytes what all the logs together keep at most ({@code bridge.maxHistoryBytes})
   * @param maxAddressesPerClient regex-history logs one socket may start ({@code bridge.maxHistoryAddressesPerClient})
   */
  public History(Vertx vertx, List<HistorySpec> specs, int maxAddresses, long maxBytes, int maxAddressesPerClient) {
    this(vertx, specs, maxAddresses, maxBytes, maxAddressesPerClient, null);
  }

  /**
   * The same bounds, numbered by {@code feed} (null: by this process): each node keeps a copy of
   * what the feed hands it, within them.
   */
  public History(Vertx vertx, List<HistorySpec> specs, int maxAddresses, long maxBytes, int maxAddressesPerClient, HistoryFeed feed) {
    this.vertx = vertx;
    this.feed = feed;
    this.specs = List.copyOf(specs);
    this.maxAddresses = maxAddresses;
    this.budget = new HistoryBudget(maxBytes);
    this.maxAddressesPerClient = maxAddressesPerClient;
    this.epoch = Long.toString(System.currentTimeMillis(), 36) + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24), 36);
    synchronized (this) {
      for (HistorySpec spec : this.specs) {
        if (spec.address() != null && !logs.containsKey(spec.address()) && logs.size() < maxAddresses) {
          logs.put(spec.address(), new AddressLog(spec.address(), spec, 1));
        }
      }
    }
    this.sweepTimer = specs.isEmpty() ? -1 : vertx.setPeriodic(SWEEP_MS, id -> sweep());
  }

  public static History none(Vertx vertx) {
    return new History(vertx, List.of(), 0);
  }

  /** The epoch of this start's own numbering (a feed's logs have the feed's). */
  public String epoch() {
    return epoch;
  }

  @Override
  public Future<Void> appended(Runnable publish) {
    if (feed == null) {
      publish.run();
      return Future.succeededFuture();
    }
    return feed.appended(publish);
  }

  @Override
  public boolean mayKeep(String address) {
    for (HistorySpec spec : specs) {
      if (spec.matches(address)) {
        return true;
      }
    }
    return false;
  }

  /** Such a client still gets the address's live messages, from its engine. */
  @Override
  public synchronized Attached attach(String address, Sink sink, int startedByClient, Object client) {
    AddressLog found = logs.get(address);
    boolean started = false;
    if (found == null) {
      HistorySpec spec = specs.stream().filter(s -> s.regex() != null && s.matches(address)).findFirst().orElse(null);
      if (spec == null) {
        return Attached.NONE;
      }
      if (startedByClient >= maxAddressesPerClient) {
        long unlogged = perClientLine.pass();
        if (unlogged != LogThrottle.QUIET) {
          log.warn("No history for {} registered by {}: it started bridge.maxHistoryAddressesPerClient ({}) already; it gets live messages only{}",
            address, client, maxAddressesPerClient, unlogged > 0 ? "; " + unlogged + " more such registers since the last such line" : "");
        }
        return Attached.NONE;
      }
      if (logs.size() >= maxAddresses) {
        long unlogged = fullLine.pass();
        if (unlogged != LogThrottle.QUIET) {
          log.warn("No history for {}: bridge.maxHistoryAddresses ({}) addresses keep one already{}", address, maxAddresses,
            unlogged > 0 ? "; " + unlogged + " more addresses got none since the last such line" : "");
        }
        return Attached.NONE;
      }
      // Above every seq given so far: a client of an earlier log of this address sees a gap, not a false continuation.
      found = new AddressLog(address, spec, highest.get() + 2);
      logs.put(address, found);
      started = true;
    }
    found.attach(sink);
    return new Attached(found, started);
  }

  @Override
  public synchronized void detach(Log addressLog, Sink sink) {
    ((AddressLog) addressLog).detach(sink);
  }

  @Override
  public synchronized int addresses() {
    return logs.size();
  }

  /** Bytes kept by every address's log together, at most {@code bridge.maxHistoryBytes} once an append is done. */
  @Override
  public long bytes() {
    return budget.bytes();
  }

  private synchronized void sweep() {
    long now = System.nanoTime();
    for (AddressLog addressLog : List.copyOf(logs.values())) {
      if (addressLog.sweep(now)) {
        logs.remove(addressLog.address);
      }
    }
  }

  /** Stops every consumer. */
  @Override
  public synchronized void close() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    logs.values().forEach(AddressLog::retire);
    logs.clear();
    if (feed != null) {
      feed.close();
    }
  }

  /** One address's numbered messages, oldest first, in a ring that grows up to {@code size}. */
  final class AddressLog implements Log, HistoryFeed.Target {
    final String address;
    private final HistorySpec spec;
    private final boolean fromRegex;
    private final long ttlNanos;
    private Entry[] ring;
    private final MessageConsumer<Object> consumer;
    /** The feed's numbering of this address; null without a feed. */
    private final HistoryFeed.Handle numbering;
    /** The epoch of the seqs kept: this start's, or the feed's. */
    private volatile String logEpoch = epoch;
    private int head;
    private int count;
    private long bytes;
    private long next;
    private Sink[] sinks = new Sink[0];
    private int nextForSend;
    private long idleSince = System.nanoTime();
    /** The seq of the oldest message kept (the next one's while none is): older references in the age order are stale. */
    volatile long oldestSeq;
    /** Retired: its consumer is gone and it keeps nothing; a message still on its way is not kept. */
    volatile boolean gone;

    AddressLog(String address, HistorySpec spec, long firstSeq) {
      this.address = address;
      this.spec = spec;
      this.fromRegex = spec.regex() != null;
      this.ttlNanos = spec.ttlMs() * 1_000_000;
      // Grown as messages come: a thousand quiet addresses with a large size cost next to nothing.
      this.ring = new Entry[Math.min(spec.size(), 16)];
      this.next = firstSeq;
      this.oldestSeq = firstSeq;
      // On the context of whoever creates the log; its messages are handled one at a time there.
      this.numbering = feed == null ? null : feed.open(address, spec, this);
      this.consumer = FeedConsumers.consumer(vertx.eventBus(), address, this::receive);
    }

    @Override
    public String epoch() {
      return logEpoch;
    }

    @Override
    public Future<Void> ready() {
      return numbering == null ? Future.succeededFuture() : numbering.ready();
    }

    @Override
    public Future<Boolean> reached(long seq) {
      long waiting;
      synchronized (this) {
        waiting = next;
      }
      return numbering == null ? Future.succeededFuture(false) : numbering.reached(seq, waiting);
    }

    @Override
    public synchronized void epoch(String epoch, long first) {
      dropAll();
      logEpoch = epoch;
      next = first;
      oldestSeq = first;
    }

    @Override
    public void numbered(long seq, JsonObject envelope) {
      synchronized (this) {
        if (seq < next) {
          return;
        }
        if (seq > next) {
          // Messages this node never read (overwritten first): what it keeps stays consecutive, so a resume across the hole gets the gap.
          dropAll();
          next = seq;
          oldestSeq = seq;
        }
      }
      keep(seq, envelope, true);
    }

    @Override
    public void notKept(long seq, JsonObject envelope) {
      synchronized (this) {
        if (seq < next) {
          return;
        }
        // What is kept stays consecutive: a resume from before this seq gets the gap frame.
        dropAll();
        next = seq + 1;
        oldestSeq = next;
      }
      if (envelope != null) {
        keep(seq, envelope, false);
      }
    }

    private synchronized void attach(Sink sink) {
      Sink[] grown = Arrays.copyOf(sinks, sinks.length + 1);
      grown[sinks.length] = sink;
      sinks = grown;
    }

    private synchronized void detach(Sink sink) {
      List<Sink> left = new ArrayList<>(Arrays.asList(sinks));
      left.remove(sink);
      sinks = left.toArray(new Sink[0]);
      if (sinks.length == 0) {
        idleSince = System.nanoTime();
      }
    }

    /** Whether the log is to go: a regex history no client has wanted for {@code ttlMs}. */
    private synchronized boolean sweep(long now) {
      expire(now);
      if (fromRegex && sinks.length == 0 && now - idleSince >= ttlNanos) {
        retire();
        return true;
      }
      return false;
    }

    /** Stops its consumer and gives back what it keeps to the global budget. */
    private synchronized void retire() {
      gone = true;
      consumer.unregister();
      if (numbering != null) {
        numbering.close();
      }
      dropAll();
    }

    private void dropAll() {
      while (count > 0) {
        dropOldest();
      }
    }

    /**
     * Drops the kept messages up to {@code seq}, the oldest of the process: their references have
     * left the age order (this log's are in seq order there), so keeping one would put it out of
     * the budget's reach for good.
     */
    synchronized void dropThrough(long seq) {
      while (count > 0 && ring[head].seq() <= seq) {
        dropOldest();
      }
    }

    private void receive(Message<Object> msg) {
      if (msg.isSend()) {
        Sink[] targets;
        synchronized (this) {
          targets = sinks;
        }
        if (targets.length > 0) {
          Sink target = targets[Math.floorMod(nextForSend++, targets.length)];
          run(target, () -> target.onSend(msg));
        }
        return;
      }
      if (numbering != null) {
        // The feed numbers published messages, this node's copy among them; a copy with a seq carries a not-kept one's body.
        long seq = msg.headers() == null ? -1 : Replay.parseSince(msg.headers().get(SEQ));
        if (seq > 0) {
          numbering.copy(seq, Frames.envelope(address, msg));
        }
        return;
      }
      // Only this consumer's context writes next: read without the lock, published with it.
      keep(next, Frames.envelope(address, msg), true);
    }

    /** Numbers {@code envelope} {@code seq}, keeps it ({@code store}) and hands it to every sink. Called by one thread at a time. */
    private void keep(long seq, JsonObject envelope, boolean store) {
      JsonObject headers = envelope.getJsonObject("headers");
      if (headers == null) {
        headers = new JsonObject();
        envelope.put("headers", headers);
      }
      headers.remove(GAP);
      headers.put(SEQ, Long.toString(seq)).put(EPOCH, logEpoch);
      Entry entry = new Entry(seq, envelope.toBuffer().getBytes(), System.nanoTime());
      Sink[] targets;
      synchronized (this) {
        if (gone) {
          return;
        }
        next = seq + 1;
        if (store) {
          append(entry);
        } else {
          oldestSeq = next;
        }
        targets = sinks;
      }
      highest.accumulateAndGet(seq, Math::max);
      // Outside this log's lock: it may drop other logs' messages, each under that log's lock.
      budget.enforce();
      for (Sink target : targets) {
        run(target, () -> target.onEntry(entry));
      }
    }

    private void run(Sink target, Runnable action) {
      if (target.loop().inEventLoop()) {
        action.run();
      } else {
        target.loop().execute(action);
      }
    }

    private void append(Entry entry) {
      if (count == ring.length && ring.length < spec.size()) {
        Entry[] grown = new Entry[(int) Math.min(spec.size(), 2L * ring.length)];
        for (int i = 0; i < count; i++) {
          grown[i] = ring[(head + i) % ring.length];
        }
        ring = grown;
        head = 0;
      }
      if (count == ring.length) {
        dropOldest();
      }
      ring[(head + count) % ring.length] = entry;
      if (count == 0) {
        oldestSeq = entry.seq();
      }
      count++;
      bytes += entry.frame().length;
      budget.kept(this, entry.seq(), entry.frame().length);
      while (count > 0 && bytes > spec.maxBytes()) {
        dropOldest();
      }
      expire(entry.atNanos());
    }

    private void expire(long now) {
      while (count > 0 && now - ring[head].atNanos() > ttlNanos) {
        dropOldest();
      }
    }

    private void dropOldest() {
      int length = ring[head].frame().length;
      bytes -= length;
      budget.dropped(length);
      ring[head] = null;
      head = (head + 1) % ring.length;
      count--;
      oldestSeq = count == 0 ? next : ring[head].seq();
    }

    @Override
    public synchronized Batch after(long after, int maxEntries, long maxBytes) {
      expire(System.nanoTime());
      List<Entry> found = new ArrayList<>();
      long first = count == 0 ? next : ring[head].seq();
      long from = Math.max(after + 1, first);
      int index = (int) Math.min(count, Math.max(0, from - first));
      long taken = 0;
      while (index < count && found.size() < maxEntries && taken < maxBytes) {
        Entry entry = ring[(head + index) % ring.length];
        found.add(entry);
        taken += entry.frame().length;
        index++;
      }
      return new Batch(found, next, index < count);
    }

    synchronized long bytes() {
      return bytes;
    }

    synchronized int count() {
      return count;
    }
  }

  /**
   * {@code {"address","epoch","messages":[{"seq","headers","body"}]}}: the kept messages of
   * {@code address} after {@code since}, oldest first, at most {@code limit}; null when the
   * address has no history here now.
   */
  @Override
  public JsonObject read(String address, long since, int limit) {
    AddressLog found;
    synchronized (this) {
      found = logs.get(address);
    }
    if (found == null) {
      return null;
    }
    JsonArray messages = new JsonArray();
    for (Entry entry : found.after(since, limit, Long.MAX_VALUE).entries()) {
      JsonObject frame = new JsonObject(Buffer.buffer(entry.frame()));
      messages.add(new JsonObject().put("seq", entry.seq()).put("headers", frame.getJsonObject("headers"))
        .put("body", frame.getValue("body")));
    }
    return new JsonObject().put("address", address).put("epoch", found.epoch()).put("messages", messages);
  }

  /** The log of an address, or null: for tests. */
  synchronized AddressLog logOf(String address) {
    return logs.get(address);
  }
}
