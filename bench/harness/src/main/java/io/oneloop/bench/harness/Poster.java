package io.oneloop.bench.harness;

import org.HdrHistogram.Histogram;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A backend publishing through {@code POST /api/publish}: a few keep-alive HTTP/1.1 connections,
 * one thread each, every connection waiting for its answer before its next POST. Message k of a
 * run is due at start + k/R and goes out on the first free connection; none is sent later than the
 * run's end (plus 20 ms, as the control protocol's publisher), so a server that answers too slowly
 * gets fewer. Each body is {@code {"address":A,"body":{"seq":n,"t":<epoch µs just before the
 * write>}}}, so the generator's latency is from the POST's send time to the delivery.
 */
final class Poster {

  /** What one run sent and how it was answered. */
  record Result(long due, long sent, long accepted, long refused, long failed,
      Map<Integer, Long> statuses, Histogram answerUs, String firstError, double seconds) {
  }

  private static final long SLACK_NS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final int MAX_HEAD = 16 * 1024;
  private static final int MAX_BODY = 1 << 20;

  private final int port;
  private final String address;
  private final int connections;
  private final int timeoutMs;
  private final Conn[] conns;

  Poster(int port, String address, int connections, int timeoutMs) {
    this.port = port;
    this.address = address;
    this.connections = connections;
    this.timeoutMs = timeoutMs;
    this.conns = new Conn[connections];
    for (int i = 0; i < connections; i++) {
      conns[i] = new Conn();
    }
  }

  int connections() {
    return connections;
  }

  /** Publishes messages first .. first+count-1 at {@code rate} per second; returns when done. */
  Result run(double rate, long count, long first) throws InterruptedException {
    long start = System.nanoTime();
    long end = start + (long) Math.ceil(count * 1e9 / rate) + SLACK_NS;
    AtomicLong next = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    Worker[] workers = new Worker[connections];
    for (int i = 0; i < connections; i++) {
      Worker w = new Worker(conns[i], rate, count, first, start, end, next);
      workers[i] = w;
      Thread t = new Thread(w, "poster-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      // bounded: each worker stops sending at the run's end and waits at most timeoutMs for an answer
      t.join(TimeUnit.NANOSECONDS.toMillis(end - start) + 2L * timeoutMs + 5_000);
      if (t.isAlive()) {
        t.interrupt();
      }
    }
    Histogram answers = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    long sent = 0;
    long accepted = 0;
    long refused = 0;
    long failed = 0;
    Map<Integer, Long> statuses = new TreeMap<>();
    String firstError = null;
    for (Worker w : workers) {
      answers.add(w.answers);
      sent += w.sent;
      accepted += w.accepted;
      refused += w.refused;
      failed += w.failed;
      w.statuses.forEach((k, v) -> statuses.merge(k, v, Long::sum));
      if (firstError == null) {
        firstError = w.firstError;
      }
    }
    return new Result(count, sent, accepted, refused, failed, statuses, answers, firstError,
        (end - SLACK_NS - start) / 1e9);
  }

  /** Closes every connection. */
  void close() {
    for (Conn c : conns) {
      c.close();
    }
  }

  private final class Worker implements Runnable {
    final Conn conn;
    final double rate;
    final long count;
    final long first;
    final long start;
    final long end;
    final AtomicLong next;
    final Histogram answers = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    final Map<Integer, Long> statuses = new TreeMap<>();
    long sent;
    long accepted;
    long refused;
    long failed;
    String firstError;

    Worker(Conn conn, double rate, long count, long first, long start, long end, AtomicLong next) {
      this.conn = conn;
      this.rate = rate;
      this.count = count;
      this.first = first;
      this.start = start;
      this.end = end;
      this.next = next;
    }

    @Override
    public void run() {
      while (!Thread.currentThread().isInterrupted()) {
        long k = next.getAndIncrement();
        if (k >= count) {
          return;
        }
        long due = start + (long) (k * 1e9 / rate);
        for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
          LockSupport.parkNanos(due - now);
        }
        if (System.nanoTime() > end) {
          return;
        }
        long t0 = System.nanoTime();
        int status;
        try {
          sent++;
          status = conn.post(body(first + k));
        } catch (IOException | RuntimeException e) {
          failed++;
          if (firstError == null) {
            firstError = e.toString();
          }
          conn.close();
          continue;
        }
        answers.recordValue(Math.min(answers.getHighestTrackableValue(),
            Math.max(0, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0))));
        statuses.merge(status, 1L, Long::sum);
        if (status == 200) {
          accepted++;
        } else {
          refused++;
        }
      }
    }
  }

  private byte[] body(long seq) {
    return String.format(Locale.ROOT, "{\"address\":\"%s\",\"body\":{\"seq\":%d,\"t\":%d}}",
        address, seq, LoadGen.nowMicros()).getBytes(StandardCharsets.UTF_8);
  }

  /** One keep-alive connection, opened when first used and again after a failure or a close. */
  private final class Conn {
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    /** POSTs {@code body} and reads the whole answer; returns its status. */
    int post(byte[] body) throws IOException {
      if (socket == null) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
        s.setSoTimeout(timeoutMs);
        s.setTcpNoDelay(true);
        socket = s;
        out = s.getOutputStream();
        in = new BufferedInputStream(s.getInputStream(), 8192);
      }
      byte[] head = ("POST /api/publish HTTP/1.1\r\nHost: 127.0.0.1:" + port
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);
      byte[] req = new byte[head.length + body.length];
      System.arraycopy(head, 0, req, 0, head.length);
      System.arraycopy(body, 0, req, head.length, body.length);
      out.write(req);
      out.flush();
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
      if (close) {
        close();
      }
      return status;
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

    void close() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
      socket = null;
      out = null;
      in = null;
    }
  }
}
