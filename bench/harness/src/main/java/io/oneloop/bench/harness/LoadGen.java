package io.oneloop.bench.harness;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.HdrHistogram.Histogram;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The load generator: N WebSocket clients on one Netty event-loop thread, speaking the Vert.x
 * event-bus bridge frames (raw WebSocket, or inside SockJS's WebSocket transport) or Socket.IO 4
 * (Engine.IO 4 over WebSocket). Each socket's pipeline is one {@link LeanWs}, which reads the
 * frames where they lie in the read buffer, so that the generator costs little per delivery and
 * the server, not the generator, is what a saturation step measures. Every delivery's latency (receive wall time - the {@code t} the
 * server stamped, microseconds) goes into an HdrHistogram; per socket it tracks the sequence
 * numbers of the current step to count missing deliveries, gaps (a message missing before one
 * that arrived), duplicates and out-of-order ones. A socket can be told to stop reading (the slow
 * consumer); it is then left out of the step's figures. With history tracking on (the reconnect
 * storm, raw bridge only) each socket also keeps the last {@code oneloop.seq} and the
 * {@code oneloop.epoch} it got, and {@link #dropAndResume} closes every socket at once and opens
 * each again with a register that carries them, the new socket going on with the old one's step
 * figures. Roaming sockets (the rolling restart, {@link Roaming}) count by history seq instead, and
 * each goes to the next live node of a cluster when its own closes it. All step state is touched
 * on the event-loop thread only.
 */
final class LoadGen implements AutoCloseable {

  enum Protocol { BRIDGE, SOCKJS, SOCKETIO }

  /** Largest frame (after reassembling fragments) the generator accepts. */
  static final int MAX_FRAME = 16 << 20;

  private static final String HOST = "127.0.0.1";

  static final long HIGHEST_US = TimeUnit.MINUTES.toMicros(10);

  private final MultiThreadIoEventLoopGroup group;
  private final EventLoop loop;
  private final Class<? extends SocketChannel> channelClass;
  private final List<Conn> conns = new ArrayList<>();
  private final AtomicInteger openCount = new AtomicInteger();
  private final AtomicInteger failuresLogged = new AtomicInteger();
  private volatile long deliveredVolatile;
  private volatile int closedUnexpectedly;

  // step state (event-loop thread only)
  private long first = -1;
  private long count;
  private Histogram hist = new Histogram(HIGHEST_US, 3);
  private long delivered;
  private long deliveryFrames;
  private long deliveryBytes;
  private long duplicates;
  private long outOfOrder;
  private long stale;
  private long negative;
  private long firstRecvUs;
  private long lastRecvUs;
  private int closedAtStepStart;
  /** Parse oneloop.seq, oneloop.epoch and oneloop.gap in bridge frames (the reconnect storm). */
  private volatile boolean trackHistory;
  private long gapFrames;
  private volatile String epoch;
  private long lastFirst = -1;
  private long lastCount;
  private long lateForLast;
  private volatile long lastFrameNanos;

  LoadGen() {
    IoHandlerFactory factory;
    if (Epoll.isAvailable()) {
      factory = EpollIoHandler.newFactory();
      channelClass = EpollSocketChannel.class;
    } else {
      factory = NioIoHandler.newFactory();
      channelClass = NioSocketChannel.class;
    }
    group = new MultiThreadIoEventLoopGroup(1, factory);
    loop = group.next();
    loop.scheduleAtFixedRate(this::pingAll, 5, 5, TimeUnit.SECONDS);
  }

  String transport() {
    return channelClass.getSimpleName();
  }

  static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  /**
   * Opens n sockets (at most 64 handshakes in flight) and waits until each is ready (bridge:
   * upgraded and registered; SockJS: opened and registered; Socket.IO: namespace connected) or
   * failed; returns how many are ready. Bounded by timeoutMs. For SockJS, {@code {server}} and
   * {@code {session}} in the path are replaced per socket (one session id per socket).
   */
  int connect(Protocol protocol, int port, String path, String address, int n, long timeoutMs)
      throws InterruptedException {
    return open(port, path, n, timeoutMs, (i, onResult) -> new Conn(protocol, address, onResult));
  }

  /** Opens n sockets, socket i handled by the Conn {@code make} gives (see {@link #connect}). */
  private int open(int port, String path, int n, long timeoutMs,
      BiFunction<Integer, Consumer<Boolean>, Conn> make) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    Semaphore inFlight = new Semaphore(64);
    CountDownLatch done = new CountDownLatch(n);
    AtomicInteger ready = new AtomicInteger();
    Bootstrap b = bootstrap();
    for (int i = 0; i < n; i++) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !inFlight.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        break;
      }
      Conn c = make.apply(i, ok -> {
        if (ok) {
          ready.incrementAndGet();
        }
        inFlight.release();
        done.countDown();
      });
      synchronized (conns) {
        conns.add(c);
      }
      dial(b, port, path, c);
    }
    long left = deadline - System.nanoTime();
    done.await(Math.max(1, left), TimeUnit.NANOSECONDS);
    return ready.get();
  }

  private Bootstrap bootstrap() {
    return new Bootstrap().group(group).channel(channelClass)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        // one read takes a burst whole (a step's fan-out arrives as many small frames at once)
        .option(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(2048, 16 << 10, 256 << 10));
  }

  /** Opens one socket handled by {@code c}; its result goes to c's callback. */
  private void dial(Bootstrap b, int port, String path, Conn c) {
    c.target(HOST, port, socketPath(path));
    // the lean client is the whole pipeline: upgrade, frames read in place, fragments joined
    b.clone().handler(c).connect(HOST, port).addListener(f -> {
      if (!f.isSuccess()) {
        c.finish(false);
      }
    });
  }

  /**
   * Opens n sockets to node {@code node} of a {@link Roaming} cluster (see {@link #connect}), each
   * counting its history seqs in a client of {@code roaming} and, when its node closes it, going
   * to another live node with {@code oneloop.since} and {@code oneloop.epoch}.
   */
  int connectRoaming(Protocol protocol, String path, String address, int n, long timeoutMs,
      Roaming roaming, int node) throws InterruptedException {
    return open(roaming.port(node), path, n, timeoutMs, (i, onResult) -> {
      Conn c = new Conn(protocol, address, onResult);
      c.roam = roaming.client(node, path);
      return c;
    });
  }

  /**
   * A roaming socket lost: after {@code delayMs} another one goes to the next live node, resuming
   * after the last seq its client has; a failed attempt tries again (the client bounds the tries).
   */
  private void roam(Conn from, long delayMs) {
    loop.schedule(() -> {
      Roaming.Client rc = from.roam;
      if (!rc.active() || !rc.tryAgain()) {
        return;
      }
      int port = rc.nextPort();
      if (port < 0) {
        roam(from, 200);
        return;
      }
      Conn next = from.successor(ok -> {
        if (!ok) {
          roam(from, 200);
        }
      });
      next.roam = rc;
      next.since = rc.lastSeq();
      synchronized (conns) {
        int at = conns.indexOf(from);
        if (at >= 0) {
          conns.set(at, next);
        } else {
          conns.add(next);
        }
      }
      dial(bootstrap(), port, rc.path(), next);
    }, delayMs, TimeUnit.MILLISECONDS);
  }

  /** The path of one socket: SockJS's server and session ids filled in, fresh per socket. */
  private static String socketPath(String path) {
    if (!path.contains("{session}")) {
      return path;
    }
    ThreadLocalRandom r = ThreadLocalRandom.current();
    StringBuilder session = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      session.append((char) ('a' + r.nextInt(26)));
    }
    return path.replace("{server}", String.format("%03d", r.nextInt(1000)))
        .replace("{session}", session);
  }

  int openCount() {
    return openCount.get();
  }

  /** Turns history tracking on or off (see the class doc), forgetting the epoch and gap frames seen. */
  void trackHistory(boolean on) throws Exception {
    onLoop(() -> {
      trackHistory = on;
      epoch = null;
      gapFrames = 0;
      return null;
    });
  }

  /**
   * The reconnect storm: closes every socket at once (as a network cut would, with no close
   * handshake), waits (bounded) until all are gone, then opens one socket for each with a
   * register carrying {@code oneloop.since} (the last {@code oneloop.seq} it got) and
   * {@code oneloop.epoch}; each new socket goes on with its old one's step figures. Returns how
   * many are ready again within timeoutMs.
   */
  int dropAndResume(int port, String path, long timeoutMs) throws Exception {
    List<Conn> old = snapshot();
    onLoop(() -> {
      for (Conn c : old) {
        c.closingByUs = true;
        if (c.channel != null) {
          // from the first handler: past the WebSocket handler, which would send a close frame first
          c.channel.pipeline().firstContext().close();
        }
      }
      return null;
    });
    long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (openCount.get() > 0 && System.nanoTime() < gone) {
      Thread.sleep(5);
    }
    synchronized (conns) {
      conns.clear();
    }
    return open(port, path, old.size(), timeoutMs, (i, onResult) -> old.get(i).successor(onResult));
  }

  /** How many sockets have every message of the step from its first up to {@code seq}, none missing. */
  int caughtUp(long seq) throws Exception {
    return onLoop(() -> {
      int n = 0;
      for (Conn c : snapshot()) {
        if (c.socketsAtStart && !c.excluded && first + c.contiguous > seq) {
          n++;
        }
      }
      return n;
    });
  }

  /** The gap frames ({@code oneloop.gap}) received since history tracking was turned on. */
  long gapFrames() throws Exception {
    return onLoop(() -> gapFrames);
  }

  /**
   * Makes socket {@code index} (in connection order) stop reading: no more reads from its
   * channel, so the kernel's buffers fill and the server's queue for it grows. It is left out of
   * the step figures from now on. Returns its local port, or -1 when there is no such socket.
   */
  int stopReading(int index) throws Exception {
    List<Conn> all = snapshot();
    if (index >= all.size() || all.get(index).channel == null) {
      return -1;
    }
    Conn c = all.get(index);
    return onLoop(() -> {
      c.excluded = true;
      c.channel.config().setAutoRead(false);
      return ((InetSocketAddress) c.channel.localAddress()).getPort();
    });
  }

  /** Nanos (System.nanoTime) when socket {@code index} was seen closed, or -1 while open. */
  long closedAtNanos(int index) {
    List<Conn> all = snapshot();
    return index < all.size() ? all.get(index).closedAtNanos : -1;
  }

  int closedUnexpectedly() {
    return closedUnexpectedly;
  }

  long deliveredSoFar() {
    return deliveredVolatile;
  }

  /** Starts counting the deliveries of messages first .. first+count-1. */
  void beginStep(long first, long count) throws Exception {
    onLoop(() -> {
      this.first = first;
      this.count = count;
      hist = new Histogram(HIGHEST_US, 3);
      delivered = 0;
      deliveryFrames = 0;
      deliveryBytes = 0;
      deliveredVolatile = 0;
      duplicates = 0;
      outOfOrder = 0;
      stale = 0;
      negative = 0;
      firstRecvUs = 0;
      lastRecvUs = 0;
      closedAtStepStart = closedUnexpectedly;
      int words = (int) ((count + 63) / 64);
      for (Conn c : snapshot()) {
        c.seen = c.seen != null && c.seen.length >= words ? c.seen : new long[words];
        Arrays.fill(c.seen, 0, words, 0L);
        c.lastSeq = -1;
        c.stepDelivered = 0;
        c.contiguous = 0;
        c.socketsAtStart = c.open && !c.excluded;
      }
      return null;
    });
  }

  /** Ends the step and returns what it saw. */
  StepStats endStep() throws Exception {
    return onLoop(() -> {
      StepStats s = new StepStats();
      s.first = first;
      s.count = count;
      s.histogram = hist;
      s.delivered = delivered;
      s.deliveryFrames = deliveryFrames;
      s.deliveryBytes = deliveryBytes;
      s.duplicates = duplicates;
      s.outOfOrder = outOfOrder;
      s.stale = stale;
      s.negativeLatency = negative;
      s.firstRecvUs = firstRecvUs;
      s.lastRecvUs = lastRecvUs;
      s.closedDuringStep = closedUnexpectedly - closedAtStepStart;
      int sockets = 0;
      int withMissing = 0;
      int withGaps = 0;
      long missing = 0;
      long gaps = 0;
      for (Conn c : snapshot()) {
        if (!c.socketsAtStart || c.excluded) {
          continue;
        }
        sockets++;
        long m = count - c.stepDelivered;
        if (m > 0) {
          withMissing++;
          missing += m;
        }
        long g = highestSeen(c.seen, count) + 1 - c.stepDelivered;
        if (g > 0) {
          withGaps++;
          gaps += g;
        }
      }
      s.sockets = sockets;
      s.missing = missing;
      s.socketsWithMissing = withMissing;
      s.gaps = gaps;
      s.socketsWithGaps = withGaps;
      lastFirst = first;
      lastCount = count;
      lateForLast = 0;
      first = -1;
      count = 0;
      hist = new Histogram(HIGHEST_US, 3);
      return s;
    });
  }

  /** The index of the highest message seen in a step's bitmap, -1 for none. */
  private static long highestSeen(long[] seen, long count) {
    if (seen == null) {
      return -1;
    }
    int words = (int) Math.min(seen.length, (count + 63) / 64);
    for (int w = words - 1; w >= 0; w--) {
      if (seen[w] != 0) {
        return (long) w * 64 + 63 - Long.numberOfLeadingZeros(seen[w]);
      }
    }
    return -1;
  }

  /** Deliveries of the last ended step's messages that arrived after it ended. */
  long lateForLastStep() throws Exception {
    return onLoop(() -> lateForLast);
  }

  /** Waits (bounded) until no message frame has arrived for quietMs; returns the wait in ms. */
  long awaitQuiet(long quietMs, long maxMs) throws InterruptedException {
    long t0 = System.nanoTime();
    long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(maxMs);
    while (System.nanoTime() < deadline) {
      long idle = System.nanoTime() - lastFrameNanos;
      if (idle >= TimeUnit.MILLISECONDS.toNanos(quietMs)) {
        break;
      }
      Thread.sleep(Math.max(1, quietMs - TimeUnit.NANOSECONDS.toMillis(idle)));
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  /** Closes every socket (a normal WebSocket close is not counted as unexpected). */
  void disconnectAll() throws InterruptedException {
    List<Conn> all = snapshot();
    for (Conn c : all) {
      c.closingByUs = true;
      if (c.channel != null) {
        c.channel.close();
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (openCount.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    synchronized (conns) {
      conns.clear();
    }
    closedUnexpectedly = 0;
  }

  /** Marks every socket as expected to close (the server is being stopped). */
  void expectClose() {
    for (Conn c : snapshot()) {
      c.closingByUs = true;
    }
  }

  @Override
  public void close() throws InterruptedException {
    disconnectAll();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
  }

  private List<Conn> snapshot() {
    synchronized (conns) {
      return new ArrayList<>(conns);
    }
  }

  <T> T onLoop(Callable<T> task) throws Exception {
    return loop.submit(task).get(30, TimeUnit.SECONDS);
  }

  private void pingAll() {
    for (Conn c : snapshot()) {
      if (c.protocol == Protocol.BRIDGE && c.ready && c.open) {
        c.sendText(c.ctx, PING);
      } else if (c.protocol == Protocol.SOCKJS && c.ready && c.open) {
        c.sendText(c.ctx, sockJs(PING));
      }
    }
  }

  private static final String PING = "{\"type\":\"ping\"}";

  private static String register(String address) {
    return "{\"type\":\"register\",\"address\":\"" + address + "\"}";
  }

  /** A register that resumes after {@code since} in {@code epoch} (a seq and an epoch as the server sent them). */
  private static String register(String address, long since, String epoch) {
    return "{\"type\":\"register\",\"address\":\"" + address + "\",\"headers\":{\"oneloop.since\":\""
        + since + "\"" + (epoch == null ? "" : ",\"oneloop.epoch\":\"" + epoch + "\"") + "}}";
  }

  /** The history headers as a frame spells them: plainly on the raw path, escaped inside SockJS's JSON strings. */
  private record HeaderNeedles(ByteBuf seq, ByteBuf epoch, ByteBuf gap) {
    static HeaderNeedles of(String quote) {
      return new HeaderNeedles(header(quote + "oneloop.seq" + quote + ":" + quote),
          header(quote + "oneloop.epoch" + quote + ":" + quote), header(quote + "oneloop.gap" + quote + ":" + quote));
    }
  }

  private static final HeaderNeedles HEADERS = HeaderNeedles.of("\"");
  private static final HeaderNeedles ESCAPED_HEADERS = HeaderNeedles.of("\\\"");

  private static ByteBuf header(String text) {
    return Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
  }

  /** The index just after the first {@code needle} in {@code b} from {@code from} on, or -1. */
  private static int after(ByteBuf needle, ByteBuf b, int from) {
    int at = ByteBufUtil.indexOf(needle.duplicate(), b.slice(from, b.writerIndex() - from));
    return at < 0 ? -1 : from + at + needle.readableBytes();
  }

  /** A SockJS client frame: a JSON array holding the message as a JSON string. */
  private static String sockJs(String json) {
    return "[\"" + json.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
  }

  private void onDelivery(Conn c, long seq, long t, long recvUs) {
    if (c.excluded) {
      return;
    }
    if (first < 0 || seq < first || seq >= first + count) {
      if (seq >= lastFirst && seq < lastFirst + lastCount) {
        lateForLast++;
      } else {
        stale++;
      }
      return;
    }
    int idx = (int) (seq - first);
    long bit = 1L << (idx & 63);
    if ((c.seen[idx >>> 6] & bit) != 0) {
      duplicates++;
      return;
    }
    c.seen[idx >>> 6] |= bit;
    if (seq < c.lastSeq) {
      outOfOrder++;
    }
    c.lastSeq = seq;
    c.stepDelivered++;
    if (trackHistory) {
      while (c.contiguous < count && (c.seen[(int) (c.contiguous >>> 6)] & (1L << (c.contiguous & 63))) != 0) {
        c.contiguous++;
      }
    }
    delivered++;
    deliveredVolatile = delivered;
    if (firstRecvUs == 0) {
      firstRecvUs = recvUs;
    }
    lastRecvUs = recvUs;
    long lat = recvUs - t;
    if (lat < 0) {
      negative++;
      lat = 0;
    }
    hist.recordValue(Math.min(lat, HIGHEST_US));
  }

  private final class Conn extends LeanWs implements FrameScan.Sink {
    final Protocol protocol;
    final String address;
    final Consumer<Boolean> onResult;
    Channel channel;
    ChannelHandlerContext ctx;
    boolean finished;
    volatile boolean ready;
    volatile boolean open;
    volatile boolean closingByUs;
    volatile boolean excluded;
    volatile long closedAtNanos = -1;
    boolean socketsAtStart;
    long recvUs;
    long[] seen;
    long lastSeq = -1;
    long stepDelivered;
    /** Messages of the step from its first on this socket has with none missing (history tracking only). */
    long contiguous;
    /** The last oneloop.seq this socket got (history tracking only); -1 before any. */
    long historySeq = -1;
    /** What its register resumes from: -1 for a plain register. */
    long since = -1;
    /** Its client in a rolling restart, or null. */
    Roaming.Client roam;

    Conn(Protocol protocol, String address, Consumer<Boolean> onResult) {
      super(MAX_FRAME);
      this.protocol = protocol;
      this.address = address;
      this.onResult = onResult;
    }

    /** The socket that takes over from this one after a cut: its step figures, resuming after its last seq. */
    Conn successor(Consumer<Boolean> onResult) {
      Conn next = new Conn(protocol, address, onResult);
      next.seen = seen;
      next.lastSeq = lastSeq;
      next.stepDelivered = stepDelivered;
      next.contiguous = contiguous;
      next.socketsAtStart = socketsAtStart;
      next.excluded = excluded;
      next.historySeq = historySeq;
      next.since = historySeq;
      return next;
    }

    private String registerFrame() {
      return since < 0 ? register(address) : register(address, since, epoch);
    }

    void finish(boolean ok) {
      synchronized (this) {
        if (finished) {
          return;
        }
        finished = true;
      }
      onResult.accept(ok);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      channel = ctx.channel();
      this.ctx = ctx;
      open = true;
      openCount.incrementAndGet();
      super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      closedAtNanos = System.nanoTime();
      open = false;
      openCount.decrementAndGet();
      if (ready && !closingByUs) {
        closedUnexpectedly++;
      }
      if (ready && roam != null && !closingByUs) {
        // as /oneloop-bus.js does: to another live node after a short random wait
        roam.lost();
        roam(this, ThreadLocalRandom.current().nextLong(50, 500));
      }
      finish(false);
      super.channelInactive(ctx);
    }

    @Override
    void failed(String why) {
      // a generator fault must not pass for a server's close: said, a few times at most
      if (failuresLogged.incrementAndGet() <= 5) {
        Bench.log("  generator closed a socket: %s", why);
      }
    }

    @Override
    void upgraded(ChannelHandlerContext ctx) {
      if (protocol == Protocol.BRIDGE) {
        sendText(ctx, registerFrame());
        becomeReady();
      }
    }

    @Override
    void upgradeFailed(ChannelHandlerContext ctx) {
      finish(false);
    }

    private void becomeReady() {
      ready = true;
      if (roam != null) {
        roam.registered();
      }
      if (first >= 0 && seen == null) {
        seen = new long[(int) ((count + 63) / 64)];
      }
      finish(true);
    }

    @Override
    void message(ChannelHandlerContext ctx, ByteBuf buf, int start, int end, boolean text, long recv) {
      if (start >= end) {
        return;
      }
      if (protocol == Protocol.SOCKJS) {
        if (!text) {
          return;
        }
        byte type = buf.getByte(start);
        if (type == 'o') { // session open: register, as on the raw path but in SockJS framing
          sendText(ctx, sockJs(registerFrame()));
          becomeReady();
          return;
        }
        if (type == 'c') { // the server closes the session
          ctx.close();
          return;
        }
        if (type != 'a' && type != 'm') { // 'h' heartbeats and anything else
          return;
        }
      } else if (protocol == Protocol.SOCKETIO) {
        if (!text) {
          return;
        }
        byte type = buf.getByte(start);
        if (type == '2') { // Engine.IO ping
          sendText(ctx, "3");
          return;
        }
        if (type == '0') { // Engine.IO open: connect to the default namespace
          sendText(ctx, "40");
          return;
        }
        if (type != '4' || end - start < 2) {
          return;
        }
        byte sub = buf.getByte(start + 1);
        if (sub == '0') { // namespace connected
          ready = true;
          finish(true);
          return;
        }
        if (sub != '2') {
          return;
        }
      }
      int bytes = end - start;
      recvUs = recv;
      if (trackHistory) {
        readHistoryHeaders(buf.slice(start, bytes), protocol == Protocol.SOCKJS ? ESCAPED_HEADERS : HEADERS);
      }
      if (roam != null) {
        roam.frame(buf.slice(start, bytes), protocol == Protocol.SOCKJS);
        lastFrameNanos = System.nanoTime();
        return;
      }
      int n = FrameScan.scan(buf, start, end, this);
      if (n == 0) {
        return;
      }
      lastFrameNanos = System.nanoTime();
      if (!excluded && first >= 0) {
        deliveryFrames++;
        // what the frame took on the wire: payload and the server's (unmasked) frame header
        deliveryBytes += bytes + (bytes < 126 ? 2 : bytes < 65536 ? 4 : 10);
      }
    }

    /**
     * One frame's oneloop.seq (the last one, as a SockJS frame may hold several messages), its
     * oneloop.epoch (kept once) and oneloop.gap (counted), read as {@code h} spells them.
     */
    private void readHistoryHeaders(ByteBuf buf, HeaderNeedles h) {
      int at = -1;
      for (int next = after(h.seq, buf, buf.readerIndex()); next >= 0; next = after(h.seq, buf, next)) {
        at = next;
      }
      if (at >= 0) {
        long seq = 0;
        for (int j = at; j < buf.writerIndex() && buf.getByte(j) >= '0' && buf.getByte(j) <= '9'; j++) {
          seq = seq * 10 + (buf.getByte(j) - '0');
        }
        historySeq = seq;
      }
      if (epoch == null) {
        int e = after(h.epoch, buf, buf.readerIndex());
        int end = e < 0 ? -1 : buf.forEachByte(e, buf.writerIndex() - e, b -> b != '"' && b != '\\');
        if (end > e) {
          epoch = buf.toString(e, end - e, StandardCharsets.US_ASCII);
        }
      }
      for (int g = after(h.gap, buf, buf.readerIndex()); g >= 0; g = after(h.gap, buf, g)) {
        gapFrames++;
      }
    }

    @Override
    public void delivery(long seq, long t) {
      if (seen == null) {
        stale++;
        return;
      }
      onDelivery(this, seq, t, recvUs);
    }
  }
}
