package io.oneloop.bench.harness;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Reads a number of a delivery frame ({@code "seq"}, {@code "t"}) where it lies, without parsing
 * the frame's JSON, so that the load generator's one thread spends little on each delivery.
 */
final class FrameScan {

  private static final byte[] SEQ_KEY = "\"seq\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] T_KEY = "\"t\"".getBytes(StandardCharsets.US_ASCII);

  private FrameScan() {
  }

  /** The frame's {@code seq}; MIN_VALUE if absent. */
  static long seq(ByteBuf frame) {
    return findNumber(frame, SEQ_KEY);
  }

  /** The frame's {@code t} (epoch microseconds when sent); MIN_VALUE if absent. */
  static long t(ByteBuf frame) {
    return findNumber(frame, T_KEY);
  }

  /** Finds {@code "key"} then a ':' and parses the integer after it; MIN_VALUE if absent. */
  private static long findNumber(ByteBuf b, byte[] key) {
    int start = b.readerIndex();
    int end = b.writerIndex();
    outer:
    for (int i = start; i <= end - key.length; i++) {
      for (int k = 0; k < key.length; k++) {
        if (b.getByte(i + k) != key[k]) {
          continue outer;
        }
      }
      int j = i + key.length;
      while (j < end && (b.getByte(j) == ' ' || b.getByte(j) == ':')) {
        j++;
      }
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
      if (digits == 0) {
        return Long.MIN_VALUE;
      }
      return neg ? -v : v;
    }
    return Long.MIN_VALUE;
  }
}
