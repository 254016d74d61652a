package io.oneloop.bench.harness;

import io.netty.buffer.ByteBuf;

/**
 * Finds the deliveries in a frame ({@code "seq"} and then {@code "t"} of each message) where they
 * lie, without parsing the frame's JSON, so that the load generator's one thread spends little on
 * each delivery. One frame may hold several messages (SockJS's {@code a["...","..."]}), and a
 * message may be a JSON string inside the frame's JSON, its quotes escaped ({@code \"seq\":}):
 * both are read the same way. Every peer sends {@code seq} before {@code t}.
 */
final class FrameScan {

  /** Receives each delivery found in a frame. */
  interface Sink {
    void delivery(long seq, long t);
  }

  private FrameScan() {
  }

  /** Calls {@code sink} for every {@code seq}/{@code t} pair in the frame; returns how many. */
  static int scan(ByteBuf b, Sink sink) {
    return scan(b, b.readerIndex(), b.writerIndex(), sink);
  }

  /** As {@link #scan(ByteBuf, Sink)}, over bytes {@code start} to {@code end} of {@code b} (its indices untouched). */
  static int scan(ByteBuf b, int start, int end, Sink sink) {
    int found = 0;
    int i = start;
    while (i < end) {
      // 'q' is rare in these frames (only "seq" has one), and indexOf is vectorised
      int q = b.indexOf(i, end, (byte) 'q');
      if (q < 0) {
        break;
      }
      i = q + 1;
      if (q - 3 < start || b.getByte(q - 1) != 'e' || b.getByte(q - 2) != 's'
          || b.getByte(q - 3) != '"') {
        continue;
      }
      int at = afterKey(b, q + 1, end);
      if (at < 0) {
        continue;
      }
      long seq = number(b, at, end);
      if (seq == Long.MIN_VALUE) {
        continue;
      }
      int tKey = findT(b, at, end);
      if (tKey < 0) {
        break;
      }
      int tAt = afterKey(b, tKey + 1, end);
      long t = tAt < 0 ? Long.MIN_VALUE : number(b, tAt, end);
      if (t == Long.MIN_VALUE) {
        continue;
      }
      sink.delivery(seq, t);
      found++;
      i = tAt;
    }
    return found;
  }

  /**
   * After a key's last letter at {@code j - 1}: its closing quote (escaped or not), spaces and the
   * colon; the index of the value, or -1.
   */
  private static int afterKey(ByteBuf b, int j, int end) {
    if (j < end && b.getByte(j) == '\\') {
      j++;
    }
    if (j >= end || b.getByte(j) != '"') {
      return -1;
    }
    j++;
    while (j < end && b.getByte(j) == ' ') {
      j++;
    }
    if (j >= end || b.getByte(j) != ':') {
      return -1;
    }
    j++;
    while (j < end && b.getByte(j) == ' ') {
      j++;
    }
    return j;
  }

  /** The index of the 't' of the next {@code "t"} key from {@code from}, or -1. */
  private static int findT(ByteBuf b, int from, int end) {
    int k = from;
    while (k < end) {
      int t = b.indexOf(k, end, (byte) 't');
      if (t < 0) {
        return -1;
      }
      if (t > from && b.getByte(t - 1) == '"' && afterKey(b, t + 1, end) >= 0) {
        return t;
      }
      k = t + 1;
    }
    return -1;
  }

  /** The integer at {@code j}; MIN_VALUE if there is none. */
  private static long number(ByteBuf b, int j, int end) {
    boolean neg = j < end && b.getByte(j) == '-';
    if (neg) {
      j++;
    }
    long v = 0;
    int digits = 0;
    while (j < end) {
      byte d = b.getByte(j);
      if (d < '0' || d > '9') {
        break;
      }
      v = v * 10 + (d - '0');
      digits++;
      j++;
    }
    if (digits == 0 || digits > 18) {
      return Long.MIN_VALUE;
    }
    return neg ? -v : v;
  }
}
