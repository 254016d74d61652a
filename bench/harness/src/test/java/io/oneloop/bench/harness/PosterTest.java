package io.oneloop.bench.harness;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The publish scenario's poster: open loop, pipelined, each POST stamped with its scheduled time. */
@Timeout(60)
class PosterTest {

  private SlowServer server;

  @AfterEach
  void close() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void keepsTheScheduleWhenEachAnswerTakesLong() throws Exception {
    // 100 ms per answer: 4 connections each awaiting its answer would send about 4 / 0.1 s = 40 a second
    server = new SlowServer(TimeUnit.MILLISECONDS.toNanos(100));
    Poster poster = new Poster(server.port(), "a", 4, 256, 10_000);
    try {
      Poster.Result res = poster.run(200, 200, 1);
      // waiting for answers would send about 40; a thread starved by a busy machine may miss a few at the end
      assertTrue(res.sent() >= 120, "sent " + res.sent() + " of 200 due in 1 s");
      assertEquals(res.sent(), res.accepted(), "every POST sent was answered 200: " + res);
      assertTrue(server.bodies.size() >= 120, "the server got " + server.bodies.size());
      // the answer time counts from the scheduled send time, so it includes the server's 100 ms
      assertTrue(res.answerUs().getValueAtPercentile(50) >= 90_000,
          "median answer " + res.answerUs().getValueAtPercentile(50) + " µs");
    } finally {
      poster.close();
    }
  }

  @Test
  void stampsEachBodyWithItsScheduledSendTime() throws Exception {
    server = new SlowServer(0);
    Poster poster = new Poster(server.port(), "a", 8, 256, 10_000);
    try {
      Poster.Result res = poster.run(500, 250, 1000);
      assertTrue(res.sent() >= 50, "sent " + res.sent());
      List<long[]> seen = new ArrayList<>();
      for (String b : server.bodies) {
        JsonObject body = new JsonObject(b);
        assertEquals("a", body.getString("address"));
        seen.add(new long[] {body.getJsonObject("body").getLong("seq"), body.getJsonObject("body").getLong("t")});
      }
      seen.sort((x, y) -> Long.compare(x[0], y[0]));
      long[] firstSeen = seen.get(0);
      assertEquals(1000, firstSeen[0]);
      for (long[] m : seen) {
        long k = m[0] - 1000;
        // message k is due at start + k/R: 2 ms apart at 500/s, whatever the thread's wake-ups
        long expected = (long) (k * 1e9 / 500) / 1000;
        long offset = m[1] - firstSeen[1];
        assertTrue(Math.abs(offset - expected) <= 1, "seq " + m[0] + ": t is " + offset
            + " µs after the first's, its schedule says " + expected);
      }
    } finally {
      poster.close();
    }
  }

  @Test
  void boundsTheUnansweredPostsPerConnection() throws Exception {
    // a server that reads every POST and answers none within the run
    server = new SlowServer(TimeUnit.SECONDS.toNanos(60));
    Poster poster = new Poster(server.port(), "a", 2, 5, 1_000);
    try {
      Poster.Result res = poster.run(200, 100, 1);
      assertEquals(10, res.sent(), "2 connections × 5 unanswered: " + res);
      assertEquals(90, res.notSent(), res.toString());
      assertEquals(10, res.failed(), "no answer within the timeout: " + res);
      assertEquals(0, res.accepted());
    } finally {
      poster.close();
    }
  }

  /**
   * An HTTP/1.1 server that reads pipelined requests as they come and answers each {@code delayNanos}
   * after it arrived, in order: slow, but not limited to one request per connection at a time.
   */
  private static final class SlowServer {
    final ConcurrentLinkedQueue<String> bodies = new ConcurrentLinkedQueue<>();
    private final ServerSocket socket;
    private final long delayNanos;
    private final ConcurrentLinkedQueue<Socket> accepted = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    SlowServer(long delayNanos) throws IOException {
      this.delayNanos = delayNanos;
      socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
      Thread t = new Thread(this::accept, "slow-server");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void accept() {
      while (!closed) {
        try {
          Socket s = socket.accept();
          accepted.add(s);
          BlockingQueue<Long> answers = new LinkedBlockingQueue<>();
          Thread r = new Thread(() -> read(s, answers), "slow-server-read");
          r.setDaemon(true);
          r.start();
          Thread w = new Thread(() -> write(s, answers), "slow-server-write");
          w.setDaemon(true);
          w.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void read(Socket s, BlockingQueue<Long> answers) {
      try {
        InputStream in = new BufferedInputStream(s.getInputStream());
        while (!closed) {
          StringBuilder head = new StringBuilder();
          while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0 || head.length() > 8192) {
              return;
            }
            head.append((char) c);
          }
          int length = 0;
          for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
              length = Integer.parseInt(line.substring(15).trim());
            }
          }
          bodies.add(new String(in.readNBytes(length), StandardCharsets.UTF_8));
          answers.add(System.nanoTime() + delayNanos);
        }
      } catch (IOException | RuntimeException e) {
        // the connection ended
      }
    }

    private void write(Socket s, BlockingQueue<Long> answers) {
      byte[] ok = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
          .getBytes(StandardCharsets.US_ASCII);
      try {
        OutputStream out = s.getOutputStream();
        while (!closed && !s.isClosed()) {
          Long at = answers.poll(100, TimeUnit.MILLISECONDS);
          if (at == null) {
            continue;
          }
          for (long now = System.nanoTime(); now < at && !closed; now = System.nanoTime()) {
            LockSupport.parkNanos(Math.min(at - now, TimeUnit.MILLISECONDS.toNanos(100)));
          }
          out.write(ok);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // the connection ended
      }
    }

    void close() throws IOException {
      closed = true;
      socket.close();
      for (Socket s : accepted) {
        s.close();
      }
    }
  }
}
