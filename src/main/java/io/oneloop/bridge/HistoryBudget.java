package io.oneloop.bridge;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What all of a process's history logs keep together ({@code bridge.maxHistoryBytes}): past it the
 * oldest messages go first, whatever their address. Thread-safe; called with no log's lock held
 * except by {@link #kept} and {@link #dropped}, which take no lock.
 */
final class HistoryBudget {

  /** References to messages no longer kept that the age order may hold, beyond twice those kept, before it is cleaned. */
  private static final long STALE_SLACK = 4096;

  /** One kept message in the process-wide age order: its log and its seq there (not the frame, so a dropped one costs little). */
  private record Aged(History.AddressLog log, long seq) {
    /** Gone from its log already: that log's own bounds dropped it, or the log itself went. Once stale, always stale. */
    boolean stale() {
      return log.gone || seq < log.oldestSeq;
    }
  }

  private final long maxBytes;
  /** Bytes kept by all the logs together, and how many messages. */
  private final AtomicLong totalBytes = new AtomicLong();
  private final AtomicLong entries = new AtomicLong();
  /**
   * Every kept message, oldest first (in the order the logs appended them); references to
   * messages a log dropped itself are skipped when met, and cleaned out in one pass once there
   * are more of them than kept ones.
   */
  private final ConcurrentLinkedQueue<Aged> byAge = new ConcurrentLinkedQueue<>();
  private final AtomicLong byAgeSize = new AtomicLong();
  private final AtomicBoolean cleaning = new AtomicBoolean();

  HistoryBudget(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  long bytes() {
    return totalBytes.get();
  }

  void kept(History.AddressLog log, long seq, int bytes) {
    totalBytes.addAndGet(bytes);
    entries.incrementAndGet();
    byAge.offer(new Aged(log, seq));
    byAgeSize.incrementAndGet();
  }

  void dropped(int bytes) {
    totalBytes.addAndGet(-bytes);
    entries.decrementAndGet();
  }

  /**
   * Drops the oldest messages, whatever their log, while all the logs keep more than
   * {@code maxBytes}. Called with no lock held: it takes each log's lock in turn, one at a time.
   */
  void enforce() {
    while (totalBytes.get() > maxBytes) {
      Aged oldest = byAge.poll();
      if (oldest == null) {
        return;
      }
      byAgeSize.decrementAndGet();
      oldest.log.dropThrough(oldest.seq);
    }
    // Logs that drop messages by their own bounds leave references behind an older kept message: cleaned in one pass, rarely.
    if (byAgeSize.get() > 2 * entries.get() + STALE_SLACK && cleaning.compareAndSet(false, true)) {
      try {
        byAge.removeIf(Aged::stale);
        byAgeSize.set(byAge.size());
      } finally {
        cleaning.set(false);
      }
    }
  }
}
