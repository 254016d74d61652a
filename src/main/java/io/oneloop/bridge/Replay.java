package io.oneloop.bridge;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * One client's catch-up on one address: the kept messages after its {@code since}, in batches,
 * each batch once the one before has been written to its connection (so a replay never piles up
 * in memory), then the live stream from the next seq on. A client whose since is no longer kept
 * (or of another epoch) first gets a {@code rec} with {@code oneloop.gap} and a null body.
 */
final class Replay {

  /** A replay goes out in batches of at most this many messages and about this many bytes, each after the last was written. */
  static final int BATCH_MESSAGES = 256;
  static final long BATCH_BYTES = 64 * 1024;
  /** The since of a client that must be told of a gap whatever is kept. */
  static final long SINCE_UNKNOWN = -1;

  private final Subscriber subscriber;
  private final Topic topic;
  private final BridgeListener listener;
  /** The last seq the client has; SINCE_UNKNOWN for "tell of a gap, then everything kept". */
  private long cursor;
  private boolean gapOwed;
  /** Whether the log was asked if a since past what it has read was reached elsewhere (a node behind its cluster). */
  private boolean askedAhead;
  /** The epoch the client's since belongs to (null: not given), compared once the log knows its own. */
  private Object clientEpoch;

  /**
   * For a register with history {@code headers}: the client's since, or everything kept after a gap
   * when its epoch is another. Live messages for it wait until it has caught up.
   */
  static Replay of(Subscriber subscriber, Topic topic, JsonObject headers, BridgeListener listener) {
    long since = parseSince(headers.getValue(HistoryStore.SINCE));
    Replay replay = new Replay(subscriber, topic, since, headers.getValue(HistoryStore.EPOCH), listener);
    topic.replaying(subscriber, replay);
    return replay;
  }

  private Replay(Subscriber subscriber, Topic topic, long since, Object epoch, BridgeListener listener) {
    this.clientEpoch = epoch;
    this.subscriber = subscriber;
    this.topic = topic;
    this.listener = listener;
    this.gapOwed = since == SINCE_UNKNOWN;
    this.cursor = since == SINCE_UNKNOWN ? 0 : since;
  }

  void next() {
    if (!topic.stillReplaying(subscriber, this)) {
      return;
    }
    if (clientEpoch != null) {
      Future<Void> ready = topic.log.ready();
      if (!ready.isComplete()) {
        ready.onComplete(ar -> topic.loop().execute(this::next));
        return;
      }
      if (!topic.log.epoch().equals(clientEpoch)) {
        gapOwed = true;
        cursor = 0;
      }
      clientEpoch = null;
    }
    HistoryStore.Batch batch = topic.log.after(cursor, BATCH_MESSAGES, BATCH_BYTES);
    List<HistoryStore.Entry> entries = batch.entries();
    long first = entries.isEmpty() ? batch.next() : entries.get(0).seq();
    if (cursor >= batch.next()) {
      if (!askedAhead) {
        askedAhead = true;
        Future<Boolean> reached = topic.log.reached(cursor);
        if (!reached.isComplete()) {
          // This node's copy is behind the cluster's numbering: carry on once it has read that far (or is told it never got there).
          reached.onComplete(ar -> topic.loop().execute(this::next));
          return;
        }
        if (reached.succeeded() && reached.result()) {
          next();
          return;
        }
      }
    }
    if (cursor >= batch.next()) {
      // A since the log never reached: from another start, or made up.
      gapOwed = true;
      cursor = batch.next() - 1;
    }
    if (gapOwed || first > cursor + 1) {
      gapOwed = false;
      write(gapFrame(first), false);
    }
    cursor = Math.max(cursor, first - 1);
    for (int i = 0; i < entries.size(); i++) {
      HistoryStore.Entry entry = entries.get(i);
      // The last frame of a batch says when the batch is out: then the next one.
      write(Outgoing.encoded(entry.frame()), batch.more() && i == entries.size() - 1);
      cursor = entry.seq();
    }
    listener.delivered(entries.size());
    if (!batch.more()) {
      // Caught up: live messages after the cursor go out now, those up to it were just replayed.
      topic.caughtUp(subscriber, cursor);
    }
  }

  /** Queues one frame of the replay; its bytes count as replay bytes until that frame has gone to the network. */
  private void write(Outgoing frame, boolean thenNext) {
    Sent sent = new Sent(thenNext);
    try {
      sent.bytes = subscriber.writeReplay(frame, sent);
      subscriber.replayBytes(sent.bytes);
    } finally {
      frame.release();
    }
  }

  private Outgoing gapFrame(long first) {
    return new Outgoing(new JsonObject().put("type", "rec").put("address", topic.address)
      .put("headers", new JsonObject().put(HistoryStore.GAP, Long.toString(first)).put(HistoryStore.EPOCH, topic.log.epoch()))
      .putNull("body"));
  }

  /** A since as a decimal string (or a JSON integer); SINCE_UNKNOWN for anything else. */
  static long parseSince(Object value) {
    if (value instanceof Integer || value instanceof Long) {
      long since = ((Number) value).longValue();
      return since >= 0 ? since : SINCE_UNKNOWN;
    }
    if (value instanceof String text && !text.isEmpty() && text.length() <= 18 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Long.parseLong(text);
    }
    return SINCE_UNKNOWN;
  }

  /**
   * One replay frame handed to the network: its bytes no longer wait. Counted frame by frame,
   * not per batch, so the part of a batch already sent never hides live bytes from the bound.
   */
  private final class Sent implements Runnable {
    final boolean thenNext;
    int bytes;

    Sent(boolean thenNext) {
      this.thenNext = thenNext;
    }

    @Override
    public void run() {
      subscriber.replayBytes(-bytes);
      if (thenNext) {
        next();
      }
    }
  }
}
