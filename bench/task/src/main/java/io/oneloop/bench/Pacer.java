package io.oneloop.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.function.LongConsumer;

/**
 * Publishes {@code count} messages at {@code rate} per second, then stops.
 * Message k of a run is due at {@code start + k / rate}; each timer tick sends every message
 * that is due (so a late tick catches up), and nothing is sent by a tick later than {@code start + count / rate} + 20 ms:
 * a server that cannot keep pace publishes fewer messages, which the load generator sees as
 * missing deliveries. The load generator chooses the first sequence number of each run, so late
 * messages of an earlier run are never confused with the current one.
 *
 * <p>A run may ask for {@code pad} bytes of padding per message (the slow-consumer scenario sends
 * 10 KB messages): {@link #message(long)} then adds a {@code "pad"} string after {@code seq} and
 * {@code t}, so a reader that scans for those two finds them first.
 *
 * <p>All methods must be called on the owning verticle's context.
 */
public final class Pacer {

  private final Vertx vertx;
  private final LongConsumer publish;
  private long nextSeq;
  private long run;
  private long timerId = -1;
  private String pad = "";

  public Pacer(Vertx vertx, LongConsumer publish) {
    this.vertx = vertx;
    this.publish = publish;
  }

  /** Wall-clock time in epoch microseconds. */
  public static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  /**
   * Starts a run (cancelling any current one) of {@code count} messages at {@code rate}/s,
   * numbered from {@code first} (or from the next free number when {@code first < 0});
   * returns {firstSeq, count}.
   */
  public long[] start(double rate, long count, long first) {
    return start(rate, count, first, 0);
  }

  /** As {@link #start(double, long, long)}, each message padded with {@code padBytes} bytes. */
  public long[] start(double rate, long count, long first, int padBytes) {
    stop();
    pad = padBytes > 0 ? "x".repeat(padBytes) : "";
    if (!(rate > 0) || count < 0) {
      count = 0;
    }
    if (first >= 0) {
      nextSeq = first;
    }
    first = nextSeq;
    if (count > 0) {
      long id = ++run;
      long startNs = System.nanoTime();
      long endNs = startNs + (long) Math.ceil(count * 1e9 / rate);
      tick(id, startNs, endNs, rate, count, new long[] {0});
    }
    return new long[] {first, count};
  }

  /** Message {@code seq} of the current run: {@code {"seq":n,"t":micros}}, plus its padding. */
  public JsonObject message(long seq) {
    JsonObject m = new JsonObject().put("seq", seq).put("t", nowMicros());
    return pad.isEmpty() ? m : m.put("pad", pad);
  }

  /** The padding of the current run's messages ("" for none). */
  public String pad() {
    return pad;
  }

  public void stop() {
    run++;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  /**
   * A tick this late after the run's end still sends what was due before the end: at 1000/s the
   * last message is due 1 ms before it, less than a timer's usual lateness.
   */
  static final long LATE_TICK_NS = 20_000_000;

  private void tick(long id, long startNs, long endNs, double rate, long count, long[] sent) {
    timerId = -1;
    if (id != run) {
      return;
    }
    long now = System.nanoTime();
    if (now >= endNs + LATE_TICK_NS) {
      return;
    }
    long due = Math.min(count, (long) Math.floor((now - startNs) * rate / 1e9) + 1);
    while (sent[0] < due) {
      publish.accept(nextSeq++);
      sent[0]++;
    }
    if (sent[0] >= count) {
      return;
    }
    long nextDueNs = startNs + (long) Math.ceil(sent[0] * 1e9 / rate);
    long delayMs = Math.max(1, (long) Math.ceil((nextDueNs - System.nanoTime()) / 1e6));
    timerId = vertx.setTimer(delayMs, t -> tick(id, startNs, endNs, rate, count, sent));
  }
}
