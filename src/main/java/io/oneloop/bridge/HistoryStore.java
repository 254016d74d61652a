package io.oneloop.bridge;

import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * What the engine asks of the history of the addresses that keep one: which addresses may keep
 * one, the numbered messages of an address as they come (to a {@link Sink} on the engine's event
 * loop, in seq order), and the kept ones after a seq for a resume. {@link History} is the one
 * implementation; where the numbers come from is its {@link HistoryFeed}: this process's own
 * counting, or a store shared by a cluster, handed in at wiring time.
 */
public interface HistoryStore {

  String SEQ = "oneloop.seq";
  String EPOCH = "oneloop.epoch";
  String SINCE = "oneloop.since";
  String GAP = "oneloop.gap";

  /** What an engine gives the history for one address: its event loop and what to do with each message. */
  interface Sink {
    EventLoop loop();

    /** A numbered message, in seq order. */
    void onEntry(Entry entry);

    /** A point-to-point message: for one client, not numbered. */
    void onSend(Message<Object> msg);
  }

  /** One kept message: its number, its whole {@code rec} frame as UTF-8 JSON, and when it came. */
  record Entry(long seq, byte[] frame, long atNanos) {
  }

  /** What a read found: up to the limits, the kept entries after a seq; {@code next} is the seq the next message will get. */
  record Batch(List<Entry> entries, long next, boolean more) {
  }

  /** One address's history as the engine reads it. */
  interface Log {
    /** The epoch its seqs belong to: final once {@link #ready()} completed. */
    String epoch();

    /** Completes (on any thread) once the log knows its epoch. */
    Future<Void> ready();

    /** The kept entries after {@code after}, at most {@code maxEntries} and about {@code maxBytes}. */
    Batch after(long after, int maxEntries, long maxBytes);

    /**
     * For a since at or past {@link Batch#next()}: completes true once this node's copy has
     * numbered past {@code seq} when the numbering did reach it elsewhere, false when no message
     * ever got that seq (so the client is told of a gap). Completes on any thread.
     */
    Future<Boolean> reached(long seq);
  }

  /** What {@link #attach} found: the log (null: no history for the address) and whether this attach started it. */
  record Attached(Log log, boolean started) {
    static final Attached NONE = new Attached(null, false);
  }

  /** Whether {@code address} is one that keeps a history, exact or by regex (whether or not it has one now). */
  boolean mayKeep(String address);

  /**
   * The log of {@code address} with {@code sink} attached, created for a regex history's first
   * client; no log when the address has no history, there is no room for one more address, or
   * the asking client ({@code client}, which has started {@code startedByClient} logs so far)
   * may start no more.
   */
  Attached attach(String address, Sink sink, int startedByClient, Object client);

  void detach(Log log, Sink sink);

  /**
   * Runs {@code publish} (event-bus publishes on this thread) and completes once the history has
   * taken every message it published; fails naming the address whose message it could not take.
   */
  Future<Void> appended(Runnable publish);

  /** Number of addresses with a log now. */
  int addresses();

  /** Bytes kept on this node by every address's log together. */
  long bytes();

  void close();

  /**
   * {@code {"address","epoch","messages":[{"seq","headers","body"}]}}: the kept messages of
   * {@code address} after {@code since}, oldest first, at most {@code limit}; null when the
   * address has no history here now.
   */
  JsonObject read(String address, long since, int limit);
}
