package io.oneloop.bench.harness;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A backend publishing through {@code POST /api/publish}, open loop: message k of a run is due at
 * start + k/R and is written at that time on keep-alive HTTP/1.1 connection k mod N, whether or not
 * the earlier POSTs on it were answered (pipelining, at most {@code maxInFlight} unanswered per
 * connection). So the rate is the schedule's, not N ÷ the round trip, and a server that falls
 * behind shows it as queueing in the latencies rather than as fewer POSTs sent (coordinated
 * omission). Each body is {@code {"address":A,"body":{"seq":n,"t":<epoch µs of its scheduled send
 * time>}}}, and the POST's answer time is also counted from the scheduled time. None is written
 * later than the run's end (plus 20 ms, as the control protocol's publisher); a message whose
 * connection already has {@code maxInFlight} unanswered is not sent and counts as not accepted.
 */
final class Poster {

  /** What one run sent and how it was answered. */
  record Result(long due, long sent, long accepted, long refused, long failed, long notSent,
      Map<Integer, Long> statuses, Histogram answerUs, String firstError, double seconds,
      int maxInFlightSeen) {
  }

  private static final long SLACK_NS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final int MAX_HEAD = 16 * 1024;
  private static final int MAX_BODY = 1 << 20;

  private final int port;
  private final String address;
  private final int connections;
  private final int maxInFlight;
  private final int timeoutMs;
  private final Conn[] conns;

  Poster(int port, String address, int connections, int maxInFlight, int timeoutMs) {
    if (connections < 1 || maxInFlight < 1) {
      throw new IllegalArgumentException("connections and maxInFlight must be >= 1, got "
          + connections + " and " + maxInFlight);
    }
    this.port = port;
    this.address = address;
    this.connections = connections;
    this.maxInFlight = maxInFlight;
    this.timeoutMs = timeoutMs;
    this.conns = new Conn[connections];
  }

  int connections() {
    return connections;
  }

  /** One run's counts, shared by the sending thread and the connections' reading threads. */
  private static final class Tally {
    final LongAdder accepted = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder failed = new LongAdder();
    final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    final Histogram answerUs = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(60), 3);
    final AtomicReference<String> firstError = new AtomicReference<>();

    void error(String e) {
      firstError.compareAndSet(null, e);
    }
  }

  /** Publishes messages first .. first+count-1 at {@code rate} per second; returns when answered. */
  Result run(double rate, long count, long first) throws InterruptedException {
    Tally tally = new Tally();
    ByteArrayOutputStream[] batch = new ByteArrayOutputStream[connections];
    Conn[] batchConn = new Conn[connections];
    for (int i = 0; i < connections; i++) {
      batch[i] = new ByteArrayOutputStream(4096);
    }
    // connected before the clock starts: a connect is not part of the schedule
    for (int i = 0; i < connections; i++) {
      conn(i, tally);
    }
    long start = System.nanoTime();
    long startUs = LoadGen.nowMicros();
    long end = start + (long) Math.ceil(count * 1e9 / rate) + SLACK_NS;
    long sent = 0;
    long notSent = 0;
    int maxSeen = 0;
    long k = 0;
    while (k < count) {
      long now = System.nanoTime();
      long due = start + (long) (k * 1e9 / rate);
      if (now < due) {
        LockSupport.parkNanos(due - now);
        continue;
      }
      if (now > end) {
        break;
      }
      // every message due by now, each on its connection, then one write per connection
      long upTo = Math.min(count, (long) Math.floor((now - start) * rate / 1e9) + 1);
      for (; k < upTo; k++) {
        int c = (int) (k % connections);
        Conn conn = conn(c, tally);
        if (conn == null) {
          tally.failed.increment();
          sent++;
          continue;
        }
        if (conn != batchConn[c]) {
          // replaced mid-batch: the dead one's POSTs were counted as failed, not to be resent
          batch[c].reset();
          batchConn[c] = conn;
        }
        int inFlight = conn.inFlight.get();
        if (inFlight >= maxInFlight) {
          notSent++;
          continue;
        }
        maxSeen = Math.max(maxSeen, inFlight + 1);
        long dueK = start + (long) (k * 1e9 / rate);
        conn.expect(dueK, tally);
        request(batch[c], first + k, startUs + (dueK - start) / 1000);
        sent++;
      }
      for (int c = 0; c < connections; c++) {
        if (batch[c].size() > 0) {
          batchConn[c].write(batch[c]);
          batch[c].reset();
        }
      }
    }
    notSent += count - k;
    // the answers still on their way: each connection waited for, bounded by timeoutMs
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    for (Conn c : conns) {
      while (c != null && c.inFlight.get() > 0 && !c.dead && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      if (c != null && c.inFlight.get() > 0) {
        c.fail("no answer within " + timeoutMs + " ms");
      }
    }
    Map<Integer, Long> statuses = new TreeMap<>();
    tally.statuses.forEach((code, n) -> statuses.put(code, n.sum()));
    return new Result(count, sent, tally.accepted.sum(), tally.refused.sum(), tally.failed.sum(),
        notSent, statuses, tally.answerUs, tally.firstError.get(), (end - SLACK_NS - start) / 1e9,
        maxSeen);
  }

  /** The live connection at index {@code i}, opened again after a failure or a close; null when it cannot be. */
  private Conn conn(int i, Tally tally) {
    Conn c = conns[i];
    if (c != null && !c.dead) {
      return c;
    }
    try {
      c = new Conn(i);
      conns[i] = c;
      return c;
    } catch (IOException e) {
      tally.error(e.toString());
      return null;
    }
  }

  private void request(ByteArrayOutputStream to, long seq, long tUs) {
    byte[] body = String.format(Locale.ROOT, "{\"address\":\"%s\",\"body\":{\"seq\":%d,\"t\":%d}}",
        address, seq, tUs).getBytes(StandardCharsets.UTF_8);
    byte[] head = ("POST /api/publish HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    to.writeBytes(head);
    to.writeBytes(body);
  }

  /** Closes every connection. */
  void close() {
    for (Conn c : conns) {
      if (c != null) {
        c.fail(null);
      }
    }
  }

  /**
   * One keep-alive connection and the thread reading its answers, in order: each answer is the
   * oldest unanswered POST's. Once it fails or the server closes it, its unanswered POSTs count as
   * failed and the next use opens another.
   */
  private final class Conn {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    /** The unanswered POSTs' scheduled send times and the run each belongs to, oldest first. */
    private final ConcurrentLinkedQueue<Object[]> pending = new ConcurrentLinkedQueue<>();
    final AtomicInteger inFlight = new AtomicInteger();
    volatile boolean dead;

    Conn(int index) throws IOException {
      Socket s = new Socket();
      try {
        s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
        s.setTcpNoDelay(true);
        out = s.getOutputStream();
        in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
      } catch (IOException e) {
        s.close();
        throw e;
      }
      socket = s;
      Thread reader = new Thread(this::read, "poster-" + index);
      reader.setDaemon(true);
      reader.start();
    }

    void expect(long dueNanos, Tally tally) {
      inFlight.incrementAndGet();
      pending.add(new Object[] {dueNanos, tally});
    }

    void write(ByteArrayOutputStream b) {
      if (dead) {
        fail(null);
        return;
      }
      try {
        b.writeTo(out);
        out.flush();
      } catch (IOException e) {
        fail(e.toString());
      }
    }

    private void read() {
      try {
        while (!dead) {
          String h = readHead();
          int sp = h.indexOf(' ');
          if (!h.startsWith("HTTP/1.1 ") || h.length() < sp + 4) {
            throw new IOException("not an HTTP/1.1 response: " + h.substring(0, Math.min(40, h.length())));
          }
          int status = Integer.parseInt(h.substring(sp + 1, sp + 4));
          long length = -1;
          boolean close = false;
          for (String line : h.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
              continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (name.equals("content-length")) {
              length = Long.parseLong(value);
            } else if (name.equals("connection") && value.equalsIgnoreCase("close")) {
              close = true;
            } else if (name.equals("transfer-encoding")) {
              throw new IOException("a " + value + " answer: only Content-Length is read");
            }
          }
          if (length < 0 || length > MAX_BODY) {
            throw new IOException("answer " + status + " without a usable Content-Length");
          }
          in.skipNBytes(length);
          Object[] p = pending.poll();
          if (p == null) {
            throw new IOException("an answer to no request");
          }
          Tally t = (Tally) p[1];
          long us = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - (long) p[0]);
          t.answerUs.recordValue(Math.min(t.answerUs.getHighestTrackableValue(), Math.max(0, us)));
          t.statuses.computeIfAbsent(status, x -> new LongAdder()).increment();
          (status == 200 ? t.accepted : t.refused).increment();
          // only once it is tallied: the run reads the tallies as soon as nothing is in flight
          inFlight.decrementAndGet();
          if (close) {
            fail(pending.isEmpty() ? null : "server closed the connection with POSTs unanswered");
            return;
          }
        }
      } catch (IOException | RuntimeException e) {
        fail(dead ? null : e.toString());
      }
    }

    private String readHead() throws IOException {
      StringBuilder b = new StringBuilder();
      int matched = 0;
      while (matched < 4) {
        int c = in.read();
        if (c < 0) {
          throw new IOException("connection closed before an answer");
        }
        if (b.length() >= MAX_HEAD) {
          throw new IOException("answer head over " + MAX_HEAD + " bytes");
        }
        b.append((char) c);
        matched = (c == '\r' && (matched == 0 || matched == 2)) || (c == '\n' && (matched == 1
            || matched == 3)) ? matched + 1 : c == '\r' ? 1 : 0;
      }
      return b.toString();
    }

    /** Closes it; every POST still unanswered counts as failed ({@code error} the first reason, or null). */
    synchronized void fail(String error) {
      dead = true;
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      for (Object[] p = pending.poll(); p != null; p = pending.poll()) {
        inFlight.decrementAndGet();
        Tally t = (Tally) p[1];
        t.failed.increment();
        if (error != null) {
          t.error(error);
        }
      }
    }
  }
}
