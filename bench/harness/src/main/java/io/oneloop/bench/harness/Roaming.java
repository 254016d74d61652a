package io.oneloop.bench.harness;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The clients of a rolling restart as {@code /oneloop-bus.js} behaves: spread over the nodes of a
 * cluster, each goes to the next live node when its own closes it, registering again with
 * {@code oneloop.since} (the last {@code oneloop.seq} it has) and {@code oneloop.epoch}. Each
 * client counts what it got by the history seq: deliveries, seqs skipped (gaps), seqs it already
 * had (duplicates), gap messages ({@code oneloop.gap}), an epoch that changed under it, and per
 * reconnect the time from its register to the first live message after the replay (the first
 * message published at or after the register, by the publish time in its body's {@code time}).
 * A client's figures are touched on the generator's event-loop thread only.
 */
final class Roaming {

  /** Failed attempts to reach a live node before a client gives up (about 200 ms apart). */
  static final int MAX_TRIES = 600;

  private static final Needles PLAIN = Needles.of("\"");
  private static final Needles ESCAPED = Needles.of("\\\"");

  /** Each node's HTTP port; -1 while it is down (being restarted): no client goes there. */
  private final AtomicIntegerArray ports;
  private final List<Client> clients = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean active = true;
  /** The last seq the clients must have, once fixed: deliveries past it are not counted. */
  private long upTo = Long.MAX_VALUE;

  Roaming(int nodes) {
    ports = new AtomicIntegerArray(nodes);
    for (int i = 0; i < nodes; i++) {
      ports.set(i, -1);
    }
  }

  int port(int node) {
    return ports.get(node);
  }

  void up(int node, int port) {
    ports.set(node, port);
  }

  void down(int node) {
    ports.set(node, -1);
  }

  /** No more moves: the run is over and its sockets are closed on purpose. */
  void stop() {
    active = false;
  }

  Client client(int node, String path) {
    Client c = new Client(node, path);
    clients.add(c);
    return c;
  }

  List<Client> clients() {
    synchronized (clients) {
      return new ArrayList<>(clients);
    }
  }

  /** The history headers and the body's publish time, as a frame spells them. */
  private record Needles(ByteBuf seq, ByteBuf epoch, ByteBuf gap, ByteBuf time) {
    static Needles of(String q) {
      return new Needles(needle(q + "oneloop.seq" + q + ":" + q), needle(q + "oneloop.epoch" + q + ":" + q),
          needle(q + "oneloop.gap" + q + ":" + q), needle(q + "time" + q + ":" + q));
    }
  }

  private static ByteBuf needle(String text) {
    return Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
  }

  /** The index just after the first {@code needle} in {@code b} from {@code from} on, or -1. */
  private static int after(ByteBuf needle, ByteBuf b, int from) {
    int at = ByteBufUtil.indexOf(needle.duplicate(), b.slice(from, b.writerIndex() - from));
    return at < 0 ? -1 : from + at + needle.readableBytes();
  }

  /** The quoted value starting at {@code at} (up to a quote or a backslash), or null. */
  private static String quoted(ByteBuf b, int at) {
    int end = b.forEachByte(at, b.writerIndex() - at, x -> x != '"' && x != '\\');
    return end > at ? b.toString(at, end - at, StandardCharsets.US_ASCII) : null;
  }

  /** One client, whichever socket it has now. */
  final class Client {
    private int node;
    private final String path;
    private long firstSeq = -1;
    private long lastSeq = -1;
    private String epoch;
    private long received;
    private long duplicates;
    private long skipped;
    private long gapEvents;
    private long gapFrames;
    private long epochChanges;
    private int reconnects;
    private int tries;
    private boolean connected;
    private long lostNanos;
    /** When the register of a reconnect went out (epoch µs), until the first live message; 0 otherwise. */
    private long resumedMicros;
    private final List<Double> catchUpMs = new ArrayList<>();
    private final List<Double> reconnectMs = new ArrayList<>();

    private Client(int node, String path) {
      this.node = node;
      this.path = path;
    }

    boolean active() {
      return active;
    }

    String path() {
      return path;
    }

    long lastSeq() {
      return lastSeq;
    }

    /** Counts one more attempt; false once the client has tried too often. */
    boolean tryAgain() {
      return ++tries <= MAX_TRIES;
    }

    /** The next live node after its own (its own last), or -1 when none is up. */
    int nextPort() {
      int n = ports.length();
      for (int step = 1; step <= n; step++) {
        int target = (node + step) % n;
        int port = ports.get(target);
        if (port > 0) {
          node = target;
          return port;
        }
      }
      return -1;
    }

    void lost() {
      connected = false;
      lostNanos = System.nanoTime();
      reconnects++;
    }

    void registered() {
      connected = true;
      tries = 0;
      if (lostNanos != 0) {
        reconnectMs.add(Json.round((System.nanoTime() - lostNanos) / 1e6, 1));
        lostNanos = 0;
        resumedMicros = LoadGen.nowMicros();
      }
    }

    /** A frame from the server: its seqs in order (a SockJS frame may hold several messages). */
    void frame(ByteBuf buf, boolean sockJs) {
      Needles h = sockJs ? ESCAPED : PLAIN;
      int from = buf.readerIndex();
      for (int g = after(h.gap, buf, from); g >= 0; g = after(h.gap, buf, g)) {
        gapFrames++;
      }
      int e = after(h.epoch, buf, from);
      String frameEpoch = e < 0 ? null : quoted(buf, e);
      for (int at = after(h.seq, buf, from); at >= 0; at = after(h.seq, buf, at)) {
        long seq = 0;
        int j = at;
        for (; j < buf.writerIndex() && buf.getByte(j) >= '0' && buf.getByte(j) <= '9'; j++) {
          seq = seq * 10 + (buf.getByte(j) - '0');
        }
        if (j > at) {
          seq(seq, frameEpoch);
        }
      }
      if (resumedMicros != 0) {
        long now = LoadGen.nowMicros();
        for (int t = after(h.time, buf, from); t >= 0; t = after(h.time, buf, t)) {
          long published = micros(quoted(buf, t));
          if (published >= resumedMicros) {
            catchUpMs.add(Json.round((now - resumedMicros) / 1e3, 1));
            resumedMicros = 0;
            break;
          }
        }
      }
    }

    private void seq(long seq, String frameEpoch) {
      if (frameEpoch != null && epoch != null && !frameEpoch.equals(epoch)) {
        // a new history: what the old one held after lastSeq is lost to this client
        epochChanges++;
      } else if (lastSeq >= 0 && seq <= lastSeq) {
        duplicates++;
        return;
      } else if (lastSeq >= 0 && seq > lastSeq + 1) {
        skipped += seq - lastSeq - 1;
        gapEvents++;
      }
      if (frameEpoch != null) {
        epoch = frameEpoch;
      }
      if (firstSeq < 0) {
        firstSeq = seq;
      }
      lastSeq = seq;
      if (seq <= upTo) {
        received++;
      }
    }

    private static long micros(String iso) {
      if (iso == null) {
        return -1;
      }
      try {
        Instant t = Instant.parse(iso);
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
      } catch (DateTimeParseException e) {
        return -1;
      }
    }
  }

  /** True when every client is on a live socket and has every seq up to {@code seq}. */
  boolean allHave(long seq) {
    for (Client c : clients()) {
      if (!c.connected || c.lastSeq < seq) {
        return false;
      }
    }
    return true;
  }

  /** True when every client is on a live socket, registered. */
  boolean allConnected() {
    for (Client c : clients()) {
      if (!c.connected) {
        return false;
      }
    }
    return true;
  }

  /**
   * Fixes the last seq every client must reach at the highest any client has now, and returns
   * it; deliveries of later seqs are no longer counted (publishing may go on).
   */
  long fixUpTo() {
    long max = -1;
    for (Client c : clients()) {
      max = Math.max(max, c.lastSeq);
    }
    upTo = max;
    return max;
  }

  /** Every client's figures together, against the last seq every one had to reach ({@link #fixUpTo}). */
  JsonObject figures() {
    long received = 0;
    long duplicates = 0;
    long skipped = 0;
    long gapEvents = 0;
    long gapFrames = 0;
    long epochChanges = 0;
    long expected = 0;
    long behind = 0;
    long lowest = Long.MAX_VALUE;
    int reconnects = 0;
    int moved = 0;
    int gaveUp = 0;
    List<Double> catchUps = new ArrayList<>();
    List<Double> backs = new ArrayList<>();
    for (Client c : clients()) {
      received += c.received;
      duplicates += c.duplicates;
      skipped += c.skipped;
      gapEvents += c.gapEvents;
      gapFrames += c.gapFrames;
      epochChanges += c.epochChanges;
      reconnects += c.reconnects;
      moved += c.reconnects > 0 ? 1 : 0;
      gaveUp += c.tries > MAX_TRIES ? 1 : 0;
      if (c.firstSeq >= 0) {
        lowest = Math.min(lowest, c.firstSeq);
        expected += upTo - c.firstSeq + 1;
      }
      behind += c.lastSeq < upTo ? 1 : 0;
      catchUps.addAll(c.catchUpMs);
      backs.addAll(c.reconnectMs);
    }
    // a reconnect that never saw a live message has no catch-up time: counted apart
    int noCatchUp = (int) Math.max(0, backs.size() - catchUps.size());
    return new JsonObject()
        .put("clients", clients.size())
        .put("messages", lowest == Long.MAX_VALUE ? 0 : upTo - lowest + 1)
        .put("deliveries", received)
        .put("expectedDeliveries", expected)
        .put("gaps", skipped + gapFrames + epochChanges)
        .put("missingSeqs", skipped)
        .put("gapEvents", gapEvents)
        .put("gapFrames", gapFrames)
        .put("epochChanges", epochChanges)
        .put("duplicates", duplicates)
        .put("clientsBehind", behind)
        .put("clientsMoved", moved)
        .put("clientsGaveUp", gaveUp)
        .put("reconnects", reconnects)
        .put("reconnectsWithoutCatchUp", noCatchUp)
        .put("reconnectMsMedian", Summary.medianOf(backs))
        .put("reconnectMsMax", backs.stream().max(Double::compare).orElse(null))
        .put("catchUpMsMedian", Summary.medianOf(catchUps))
        .put("catchUpMsMax", catchUps.stream().max(Double::compare).orElse(null));
  }
}
