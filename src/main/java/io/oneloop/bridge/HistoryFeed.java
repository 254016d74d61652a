package io.oneloop.bridge;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Where the seqs of an address's published messages come from when not from this process's own
 * count: a store the whole cluster shares, read by each node in order. With a feed, {@link History}
 * keeps on each node a copy of what the feed hands it (within the same bounds), its event-bus
 * consumer then only passing point-to-point messages on.
 */
public interface HistoryFeed {

  /** What the feed tells one address's log. Called one call at a time, in seq order. */
  interface Target {
    /**
     * The numbering is under {@code epoch} from here on and its next message gets {@code next}:
     * what the log kept under another epoch goes.
     */
    void epoch(String epoch, long next);

    /** The message numbered {@code seq}: {@code envelope} is its {@code rec} frame without the seq headers. */
    void numbered(long seq, JsonObject envelope);

    /**
     * The message numbered {@code seq} was not kept (past its bounds): delivered live from
     * {@code envelope}, its event-bus copy (null: none came, nothing is delivered), and nothing
     * before it is kept, so a resume across it gets the gap frame.
     */
    void notKept(long seq, JsonObject envelope);
  }

  /** An address's numbering, as open for one log. */
  interface Handle {
    /** See {@link HistoryStore.Log#reached}: {@code next} is the seq the log waits for. */
    Future<Boolean> reached(long seq, long next);

    /** A published copy on this node carrying {@code oneloop.seq}: the body of the not-kept message of that seq. */
    void copy(long seq, JsonObject envelope);

    /** Completes once the numbering's epoch is known (handed to the target). */
    Future<Void> ready();

    void close();
  }

  /** Starts handing {@code address}'s numbered messages, kept ones first, to {@code target}. */
  Handle open(String address, HistorySpec spec, Target target);

  /** See {@link HistoryStore#appended}. */
  Future<Void> appended(Runnable publish);

  void close();
}
