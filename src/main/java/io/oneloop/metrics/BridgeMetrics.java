package io.oneloop.metrics;

import java.util.function.LongConsumer;
import java.util.function.Consumer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.oneloop.bridge.BridgeListener;
import io.oneloop.bridge.BridgeTransport;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The bridge's series, fed by what the engine reports ({@link BridgeListener}): sockets open by
 * transport, messages in and out, refusals by their error string, slow clients closed, bytes the
 * history keeps. Cheap on the fan-out path: a publish to many sockets is one addition. Without
 * metrics every call does nothing.
 */
public final class BridgeMetrics implements BridgeListener {

  /** The transports' names, as the {@code transport} tag says them. */
  private static final List<String> TRANSPORTS = Arrays.stream(BridgeTransport.values()).map(BridgeTransport::wireName).toList();
  /** The bridge's error strings, each a series from the start; a new reason gets its series when first counted. */
  public static final List<String> REFUSAL_REASONS = List.of("access_denied", "invalid_json", "missing_type",
    "missing_address", "invalid_type", "address_already_registered", "max_handlers_reached",
    "max_address_length_reached", "invalid_reply_address");

  private final MeterRegistry registry;
  private final Map<String, AtomicLong> sockets = new ConcurrentHashMap<>();
  private final Map<String, Counter> refused = new ConcurrentHashMap<>();
  private final Counter in;
  private final Counter out;
  private final Counter slowClosed;
  private final Timer authorizer;
  private final Map<String, Counter> authorizerDenied = new HashMap<>();
  /** Why the authorizer denied, each a series from the start. */
  public static final List<String> AUTHORIZER_DENIALS = List.of("denied", "failed", "timeout");
  private final Counter disconnects;

  BridgeMetrics(MeterRegistry registry) {
    this.registry = registry;
    TRANSPORTS.forEach(t -> sockets.put(t, new AtomicLong()));
    if (registry == null) {
      in = out = slowClosed = disconnects = null;
      authorizer = null;
      return;
    }
    for (String transport : TRANSPORTS) {
      Gauge.builder("oneloop.bridge.sockets", this, m -> m.sockets(transport))
        .tag("transport", transport)
        .description("Bridge sockets open, by transport")
        .register(registry);
    }
    in = messages("in");
    out = messages("out");
    REFUSAL_REASONS.forEach(this::refusedCounter);
    slowClosed = Counter.builder("oneloop.bridge.slow.closed")
      .description("Bridge clients closed because too much waited to be sent to them")
      .register(registry);
    authorizer = Timer.builder("oneloop.authorizer")
      .description("How long bridge.authorizer took to answer (or to be given up on)")
      .register(registry);
    for (String reason : AUTHORIZER_DENIALS) {
      authorizerDenied.put(reason, Counter.builder("oneloop.authorizer.denied")
        .tag("reason", reason)
        .description("What bridge.authorizer denied, by reason: it said no, it failed, it did not answer in time")
        .register(registry));
    }
    disconnects = Counter.builder("oneloop.disconnects")
      .description("Bridge sockets closed by an administrator (POST /api/disconnect), on this node")
      .register(registry);
  }

  /** Reads the presence entries this process tracks, for the gauge {@code oneloop.presence.entries}. */
  public void presenceEntries(IntSupplier entries) {
    if (registry != null) {
      Gauge.builder("oneloop.presence.entries", entries, IntSupplier::getAsInt)
        .description("Presence entries this process tracks, every address together (at most bridge.maxPresenceEntries)")
        .strongReference(true)
        .register(registry);
    }
  }

  /** Reads the bytes waiting for every bridge client together, for the gauge {@code oneloop.bridge.queued.bytes}. */
  public void queuedBytes(LongSupplier queued) {
    if (registry != null) {
      Gauge.builder("oneloop.bridge.queued.bytes", queued, LongSupplier::getAsLong)
        .description("Bytes waiting to be sent to every bridge client together, counted at least once a second"
          + " (at most bridge.maxQueuedBytesTotal, past which the clients holding more than their share are closed)")
        .strongReference(true)
        .register(registry);
    }
  }

  /** Reads the registers not tracked for a presence bound, for the counter {@code oneloop.presence.untracked}. */
  public void presenceUntracked(LongSupplier untracked) {
    if (registry != null) {
      FunctionCounter.builder("oneloop.presence.untracked", untracked, u -> u.getAsLong())
        .description("Registers on a presence address not shown in its presence: bridge.maxPresenceEntries or"
          + " bridge.maxPresencePerAddress was reached (the socket still gets the messages)")
        .register(registry);
    }
  }

  @Override
  public void disconnected(int count) {
    if (disconnects != null && count > 0) {
      disconnects.increment(count);
    }
  }

  private Counter messages(String direction) {
    return Counter.builder("oneloop.bridge.messages")
      .tag("direction", direction)
      .description("Bridge messages: in from clients (send, publish), out to clients (deliveries)")
      .register(registry);
  }

  private Counter refusedCounter(String reason) {
    return refused.computeIfAbsent(reason, r -> Counter.builder("oneloop.bridge.refused")
      .tag("reason", r)
      .description("What the bridge refused a client, by the error string the client got")
      .register(registry));
  }

  /** Reads the bytes the bridge's history keeps, over every address, for the gauge {@code oneloop.bridge.history.bytes}. */
  public void historyBytes(LongSupplier bytes) {
    if (registry != null) {
      Gauge.builder("oneloop.bridge.history.bytes", bytes, LongSupplier::getAsLong)
        .description("Bytes the bridge's history keeps, every address together (at most bridge.maxHistoryBytes)")
        .strongReference(true)
        .register(registry);
    }
  }

  /**
   * A cluster's shared history: each append's time ({@code oneloop_history_append_seconds}), handed
   * to {@code appends}, and how many messages this node's ring readers are behind, the most over
   * its rings ({@code oneloop_history_read_lag}).
   */
  public void historyRings(Consumer<LongConsumer> appends, LongSupplier readLag) {
    if (registry != null) {
      Timer timer = Timer.builder("oneloop.history.append")
        .description("Time an append of a published message to its address's history ring took")
        .register(registry);
      appends.accept(nanos -> timer.record(nanos, TimeUnit.NANOSECONDS));
      Gauge.builder("oneloop.history.read.lag", readLag, LongSupplier::getAsLong)
        .description("Messages this node's history ring readers are behind, the most over its rings")
        .strongReference(true)
        .register(registry);
    }
  }

  @Override
  public void sockets(BridgeTransport transport, int delta) {
    AtomicLong count = sockets.get(transport.wireName());
    if (count != null) {
      count.addAndGet(delta);
    }
  }

  /**
   * The sockets open on {@code transport}, process-wide: the one place the gauge reads, so a bridge
   * that keeps its own counts can answer here instead.
   */
  public long sockets(String transport) {
    AtomicLong count = sockets.get(transport);
    return count == null ? 0 : count.get();
  }

  @Override
  public void received() {
    if (in != null) {
      in.increment();
    }
  }

  @Override
  public void delivered(int count) {
    if (out != null && count > 0) {
      out.increment(count);
    }
  }

  @Override
  public void refused(String reason) {
    if (registry != null) {
      refusedCounter(reason).increment();
    }
  }

  @Override
  public void authorizerAnswered(long nanos) {
    if (authorizer != null) {
      authorizer.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void authorizerDenied(String reason) {
    Counter counter = authorizerDenied.get(reason);
    if (counter != null) {
      counter.increment();
    }
  }

  @Override
  public void slowClosed() {
    if (slowClosed != null) {
      slowClosed.increment();
    }
  }
}
