package io.oneloop.bridge;

/**
 * {@code bridge.maxQueuedBytesTotal} on one engine: what waits for every client of the process
 * together. Each client's own bound is {@code bridge.maxQueuedBytes}, but a thousand clients
 * falling behind at once may each hold that much, more than the heap. Each engine counts its
 * clients' waiting bytes on its own loop and adds what changed to the process's total once per
 * turn (one atomic add a turn, not one a message); a client that drained gets no write to say so,
 * so every engine also counts its clients again each second. Past the total, a client holding
 * more than an equal share of it is closed at its next message, as one past its own bound is:
 * clients that keep up hold little and are never the ones cut.
 */
final class QueueBudget {

  /** How often each engine counts its clients again. */
  static final long RECOUNT_MS = 1000;

  private final long max;
  private final BridgeSockets.Counts counts;
  /** What changed in this engine's clients' waiting bytes since it last added to the process's total. */
  private long unadded;

  QueueBudget(long max, BridgeSockets.Counts counts) {
    this.max = max;
    this.counts = counts;
  }

  long max() {
    return max;
  }

  /**
   * Counts {@code waiting}, what waits for {@code session} now; whether it must be closed: the
   * clients together hold more than the budget and it holds more than its share.
   */
  boolean over(Session session, long waiting) {
    count(session, waiting);
    return counts.queuedBytes() + unadded > max && waiting > share();
  }

  /** What this turn's burst was charged before its flush may read below nothing for a moment: counted as nothing. */
  private void count(Session session, long waiting) {
    long now = Math.max(0, waiting);
    unadded += now - session.counted;
    session.counted = now;
  }

  /** An equal share of the budget among the clients open in the process now. */
  long share() {
    return max / Math.max(1, counts.allOpen());
  }

  /** {@code session} has gone: what it held is no longer counted. */
  void forget(Session session) {
    unadded -= session.counted;
    session.counted = 0;
  }

  /** Adds what changed in this turn to the process's total. */
  void add() {
    if (unadded != 0) {
      counts.addQueued(unadded);
      unadded = 0;
    }
  }

  /** Counts every client of this engine again, as it stands now. */
  void recount(Iterable<Session> sessions) {
    for (Session session : sessions) {
      count(session, session.waitingBytes());
    }
    add();
  }
}
