package io.oneloop.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.oneloop.Addresses;
import io.oneloop.logging.LogThrottle;
import io.oneloop.logging.Unexpected;
import io.oneloop.auth.Principal;
import io.oneloop.config.BridgeLimits;
import io.oneloop.metrics.BridgeMetrics;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The event-bus bridge engine behind every transport (raw WebSocket, SockJS over WebSocket, SockJS's
 * HTTP fallbacks): the same JSON frames, permissions, errors and limits as Vert.x's bridge, built
 * for fan-out. A published message costs one event-bus delivery and at most one encoding per wire
 * format per address, not per client; each client is flushed once per event-loop turn however
 * many messages it got in it, and a client that lets more than {@code bridge.maxQueuedBytes} wait
 * is closed rather than buffered for without bound. The wire code lives in the {@link Wire}s.
 * Addresses with history get their messages numbered from the process's {@link History}, and a
 * register with {@code oneloop.since} is answered with a {@link Replay} first.
 * <p>
 * One engine per HTTP server instance; it and all its clients live on that instance's event loop.
 */
public final class FanoutBridge {

  private static final Logger log = LoggerFactory.getLogger(FanoutBridge.class);

  // The same limits as Vert.x's bridge defaults, so clients see the same behaviour on both paths.
  static final int MAX_ADDRESS_LENGTH = 200;
  static final int MAX_HANDLERS_PER_SOCKET = 1000;
  static final long REPLY_TIMEOUT_MS = 30_000;
  /** The vertx-eventbus.js client's reply addresses are UUIDs: 36 characters. */
  static final int MAX_REPLY_ADDRESS_LENGTH = 36;
  /** Requests one client may hold unanswered; one more fails its sender at once. */
  static final int MAX_PENDING_REPLIES_PER_SOCKET = 1000;
  /** Vert.x's reply addresses, numbered in sequence: a client never sees one, nor may send to one. */
  static final String VERTX_REPLY_PREFIX = "__vertx.reply.";
  /** The failure a sender gets when the client it asked has too many requests unanswered. */
  private static final int TOO_MANY_PENDING_REPLIES = 503;
  private static final SecureRandom REPLY_TOKENS = new SecureRandom();
  private static final Session[] NO_SESSIONS = new Session[0];
  /** A replay goes out in batches of at most this many messages and about this many bytes, each after the last was written. */
  static final int REPLAY_BATCH_MESSAGES = 256;
  static final long REPLAY_BATCH_BYTES = 64 * 1024;
  /** The since of a client that must be told of a gap whatever is kept. */
  private static final long SINCE_UNKNOWN = -1;
  /** The close code for a client whose token expired, as SockJS sessions get for a refused one. */
  public static final int TOKEN_EXPIRED = 4401;
  private static final int INTERNAL_ERROR = 1011;
  private static final int MESSAGE_TOO_LARGE = 1009;
  private static final int POLICY_VIOLATION = 1008;
  /** A ping check this late means the process or its loop was held up: pings may be waiting unread. */
  private static final long LATE_CHECK_NANOS = 1_000_000_000L;
  /** Closing a client is logged at most once a second per reason in the process, whichever engine. */
  private static final LogThrottle.Keyed REFUSAL_LOG = LogThrottle.perSecondByKey();

  /**
   * The bridge's clocks: a client that sends no ping for {@code pingTimeoutMs} is closed (10 s, as
   * Vert.x's bridge), and SockJS WebSocket sessions get a heartbeat every {@code heartbeatIntervalMs}.
   */
  public record Timing(long pingTimeoutMs, long heartbeatIntervalMs) {

    /** Vert.x's bridge ping timeout and the SockJS handler's own heartbeat interval. */
    public static Timing of(SockJSHandlerOptions sockJs) {
      return new Timing(10_000, sockJs.getHeartbeatInterval());
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final EventLoop loop;
  private final EventBus eventBus;
  private final BridgePermissions permissions;
  private final BridgeLimits limits;
  private final long maxQueuedBytes;
  private final long pingTimeoutMs;
  private final BridgeSockets.Counts counts;
  private final BridgeMetrics metrics;
  private final History history;
  private final Map<String, Topic> topics = new HashMap<>();
  /** The sessions written to in this turn, each once (its {@code dirty} flag): a list, as a set's hashing showed in the fan-out's profile. */
  private final List<Session> dirty = new ArrayList<>();
  private final Set<Session> sessions = new LinkedHashSet<>();
  private final long heartbeatTimer;
  private boolean flushScheduled;

  /**
   * Called on the event loop that will run it (an HTTP server instance's start).
   *
   * @param maxQueuedBytes what a client may let wait before it is closed as too slow
   */
  public FanoutBridge(Vertx vertx, BridgePermissions permissions, long maxQueuedBytes, Timing timing, BridgeSockets.Counts counts) {
    this(vertx, permissions, maxQueuedBytes, timing, counts, History.none(vertx), BridgeLimits.DEFAULT);
  }

  /** With the process's {@code history}, shared by every engine. */
  public FanoutBridge(Vertx vertx, BridgePermissions permissions, long maxQueuedBytes, Timing timing, BridgeSockets.Counts counts,
                      History history) {
    this(vertx, permissions, maxQueuedBytes, timing, counts, history, BridgeLimits.DEFAULT);
  }

  /**
   * @param history the process's history, shared by every engine
   * @param limits what one client may send: the largest frame, frames a second, how long a flood is borne
   */
  public FanoutBridge(Vertx vertx, BridgePermissions permissions, long maxQueuedBytes, Timing timing, BridgeSockets.Counts counts,
                      History history, BridgeLimits limits) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.loop = ((ContextInternal) context).nettyEventLoop();
    this.eventBus = vertx.eventBus();
    this.permissions = permissions;
    this.limits = limits;
    this.maxQueuedBytes = maxQueuedBytes;
    this.pingTimeoutMs = timing.pingTimeoutMs();
    this.counts = counts;
    this.metrics = BridgeMetrics.of(vertx);
    this.history = history;
    this.heartbeatTimer = vertx.setPeriodic(timing.heartbeatIntervalMs(), id -> List.copyOf(sessions).forEach(s -> s.wire.heartbeat()));
  }

  /** Takes a WebSocket just accepted on one of the bridge's paths, auth off. */
  public void accept(BridgeTransport transport, ServerWebSocket ws) {
    accept(transport, ws, null, () -> { });
  }

  /**
   * Takes a WebSocket just accepted on one of the bridge's paths, admitted for {@code principal}
   * (null: auth is off). The token's name marks what the client sends, a JWT's
   * {@code oneloop.addresses} narrow what it may do, and the client is closed when the token expires.
   */
  public void accept(BridgeTransport transport, ServerWebSocket ws, Principal principal, Runnable onRelease) {
    accept(transport, ws, principal, null, onRelease);
  }

  /** As above, with the client's address as far as it can be trusted ({@code http.trustedProxies}); null: the socket's. */
  public void accept(BridgeTransport transport, ServerWebSocket ws, Principal principal, String client, Runnable onRelease) {
    switch (transport) {
      case RAW -> new Session(listener -> new RawWebSocketWire(ws, listener, limits.maxMessageBytes(), limits.closeTimeoutMs()),
        principal, client, onRelease);
      case SOCKJS_WEBSOCKET -> new Session(listener -> new SockJsWebSocketWire(ws, listener, limits.maxMessageBytes(),
        limits.closeTimeoutMs()), principal, client, onRelease);
      default -> throw new IllegalArgumentException(transport + " is not a WebSocket transport");
    }
  }

  /** Takes a session of one of SockJS's HTTP transports, from {@code SockJSHandler.socketHandler}, auth off. */
  public void accept(SockJSSocket socket) {
    accept(socket, null, () -> { });
  }

  /**
   * Takes a session of one of SockJS's HTTP transports, admitted for {@code principal};
   * {@code onRelease} runs once when it ends.
   */
  public void accept(SockJSSocket socket, Principal principal, Runnable onRelease) {
    accept(socket, principal, null, onRelease);
  }

  /** As above, with the client's address as far as it can be trusted; null: the socket's. */
  public void accept(SockJSSocket socket, Principal principal, String client, Runnable onRelease) {
    new Session(listener -> new SockJsFallbackWire(socket, context, listener), principal, client, onRelease);
  }

  /**
   * Refuses a SockJS session the way SockJS closes one, so the client's close event carries the
   * reason: {@code o}, then {@code c[code,"reason"]} and a close frame. Nothing the client sends is
   * read any more (no frame handled, no pong queued); the connection ends once those frames left,
   * and is reset if they have not left within {@code graceMs}.
   */
  public static void refuseSockJs(ServerWebSocket ws, int code, String reason, long graceMs) {
    WebSocketWire.stopReading(ws);
    ByteBuf frames = Unpooled.wrappedBuffer(Frames.SOCKJS_OPEN.duplicate(), Frames.sockJsClose(code, reason));
    WebSocketWire.sendAndEnd(ws, frames, 1000, "", graceMs);
  }

  /**
   * The sockets subscribed to one address, fed by an event-bus consumer of its own or, for an
   * address with history, by the process's one numbering consumer.
   */
  private final class Topic implements History.Sink {
    final String address;
    /** Its own event-bus consumer while it has no history, null once it has. */
    MessageConsumer<Object> consumer;
    History.AddressLog log;
    /** Replaced, never changed in place: a fan-out goes on over its snapshot while clients leave. */
    Session[] members = NO_SESSIONS;
    /** Members that resumed: they get only entries after this seq (Long.MAX_VALUE while their replay goes out). */
    final Map<Session, Long> heldUntil = new HashMap<>();
    int nextForSend;

    /** For {@code starter}'s register, which may start the address's history, within its bridge.maxHistoryAddressesPerClient. */
    Topic(String address, Session starter) {
      this.address = address;
      History.Attached attached = history.attach(address, this, starter.historiesStarted, starter.wire.remoteAddress());
      this.log = attached.log();
      if (attached.started()) {
        starter.historiesStarted++;
      }
      this.consumer = log == null ? FeedConsumers.consumer(eventBus, address, this::deliver) : null;
    }

    /**
     * A topic opened without history (its first client had started its share already, or every
     * history slot was taken) gets it from a later client that may start it: one client cannot
     * keep an address's history from everyone else on this engine.
     */
    void gainHistory(Session session) {
      History.Attached attached = history.attach(address, this, session.historiesStarted, session.wire.remoteAddress());
      if (attached.log() == null) {
        return;
      }
      if (attached.started()) {
        session.historiesStarted++;
      }
      log = attached.log();
      consumer.unregister();
      consumer = null;
    }

    @Override
    public EventLoop loop() {
      return loop;
    }

    @Override
    public void onEntry(History.Entry entry) {
      Session[] targets = members;
      if (targets.length == 0) {
        return;
      }
      Outgoing frame = Outgoing.encoded(entry.frame());
      try {
        int delivered = 0;
        for (Session target : targets) {
          if (!heldUntil.isEmpty()) {
            Long until = heldUntil.get(target);
            if (until != null) {
              if (entry.seq() <= until) {
                continue;
              }
              heldUntil.remove(target);
            }
          }
          target.write(frame);
          delivered++;
        }
        metrics.delivered(delivered);
      } finally {
        frame.release();
      }
    }

    @Override
    public void onSend(Message<Object> msg) {
      deliver(msg);
    }

    void close() {
      if (consumer != null) {
        consumer.unregister();
      } else {
        history.detach(log, this);
      }
    }

    void add(Session session) {
      Session[] grown = Arrays.copyOf(members, members.length + 1);
      grown[members.length] = session;
      members = grown;
    }

    /** Whether no member is left. */
    boolean remove(Session session) {
      int at = Arrays.asList(members).indexOf(session);
      heldUntil.remove(session);
      if (at >= 0) {
        Session[] shrunk = new Session[members.length - 1];
        System.arraycopy(members, 0, shrunk, 0, at);
        System.arraycopy(members, at + 1, shrunk, at, members.length - at - 1);
        members = shrunk;
      }
      return members.length == 0;
    }

    private void deliver(Message<Object> msg) {
      Session[] targets = members;
      if (targets.length == 0) {
        return;
      }
      Outgoing frame = new Outgoing(envelope(address, msg));
      try {
        if (frame.jsonBytes() > limits.maxOutboundBytes()) {
          // Larger than any client was promised: each subscriber is told and closed, so no one misses it silently.
          FanoutBridge.log.warn("A message of {} bytes on {} is larger than bridge.maxOutboundBytes ({}); closing its {} subscriber(s)",
            frame.jsonBytes(), address, limits.maxOutboundBytes(), targets.length);
          for (Session target : targets) {
            target.tooLarge(address);
          }
          return;
        }
        if (msg.isSend()) {
          // Point to point: one subscriber gets it, as with one consumer per socket.
          Session target = targets[Math.floorMod(nextForSend++, targets.length)];
          if (msg.replyAddress() == null) {
            target.write(frame);
          } else {
            target.writeAwaitingReply(address, msg);
          }
          metrics.delivered(1);
        } else {
          for (Session target : targets) {
            target.write(frame);
          }
          metrics.delivered(targets.length);
        }
      } finally {
        frame.release();
      }
    }
  }

  /** One client, over whichever transport, and what it registered for. */
  private final class Session implements Wire.Listener {
    final Wire wire;
    final Set<String> registrations = new LinkedHashSet<>();
    /** The replay going out per address: live messages there wait for it. */
    final Map<String, Replay> replays = new HashMap<>();
    /** Replay bytes written and not yet confirmed sent: not counted against bridge.maxQueuedBytes. */
    long replayBytesQueued;
    /**
     * Live bytes written in this event-loop turn, not flushed yet: a burst that arrives in one
     * turn is not the client being slow, so only what is still waiting after a flush counts.
     */
    long unflushedBytes;
    /** In the engine's list of sessions to flush at the end of this turn. */
    boolean dirty;
    /** The token's name (a static token's name, a JWT's subject), which marks what this client sends; null with auth off. */
    final String user;
    /** With auth off, the client's address, which marks what it sends instead; null with a token. */
    String client;
    final Predicate<String> maySend;
    final Predicate<String> mayReceive;
    long pingTimer;
    final long expiryTimer;
    /** Ends the connection should a close this side started not complete within closeTimeoutMs; -1 until one is. */
    long closeTimer = -1;
    final Runnable onRelease;
    long lastPing = System.currentTimeMillis();
    /** The inbound token bucket: frames this client may still send now, refilled at maxInboundPerSecond. */
    double allowance = limits.maxInboundPerSecond();
    long lastRefill = System.nanoTime();
    /** When this client's current flood began (its first refused frame), 0 while it is not flooding. */
    long floodingSince;
    long lastRefused;
    int handlers;
    /** Regex-history logs this socket's registers started, over its life: unregistering does not give one back, the log outlives it. */
    int historiesStarted;
    /** Messages delivered to this client that await its reply, by the random address it was shown: only it may answer, once. */
    final Map<String, PendingReply> pendingReplies = new HashMap<>();
    boolean released;

    Session(Function<Wire.Listener, Wire> connect, Principal principal, String client, Runnable onRelease) {
      this.onRelease = onRelease;
      this.user = principal != null ? principal.name() : null;
      this.client = client;
      BridgePermissions narrowed = permissions.narrowedBy(principal == null ? null : principal.addresses());
      this.maySend = narrowed::maySend;
      this.mayReceive = narrowed::mayReceive;
      this.wire = connect.apply(this);
      if (user == null && this.client == null) {
        this.client = wire.remoteAddress() == null ? "unknown" : wire.remoteAddress().hostAddress();
      }
      sessions.add(this);
      counts.opened(wire.transport());
      metrics.sockets(wire.transport().wireName(), 1);
      armPingCheck();
      long untilExpiry = principal == null || principal.expiresAtMs() == 0 ? -1 : principal.expiresAtMs() - System.currentTimeMillis();
      this.expiryTimer = untilExpiry < 0 ? -1 : vertx.setTimer(Math.max(1, untilExpiry), id -> {
        log.debug("Closing the bridge socket of {}: its token expired", wire.remoteAddress());
        close(() -> wire.close(TOKEN_EXPIRED, "token expired"));
      });
    }

    /**
     * Checks for a ping one timeout from now. A check that runs more than a second late finds the
     * process or its event loop was held up (a long GC, a stopped VM), while the client's pings
     * may be waiting unread in the kernel: it waits one more timeout instead of closing, so a
     * pause does not close every client at once.
     */
    private void armPingCheck() {
      long due = System.nanoTime() + pingTimeoutMs * 1_000_000;
      pingTimer = vertx.setTimer(pingTimeoutMs, id -> {
        if (released) {
          return;
        }
        boolean late = System.nanoTime() - due > LATE_CHECK_NANOS;
        if (!late && System.currentTimeMillis() - lastPing >= pingTimeoutMs) {
          log.debug("Closing a bridge socket that sent no ping for {} ms", pingTimeoutMs);
          close(wire::close);
        } else {
          armPingCheck();
        }
      });
    }

    /** The net for bugs: a frame whose handling throws is logged with an id, answered, and its client closed. */
    @Override
    public void onFrame(String text) {
      if (released) {
        return;
      }
      if (utf8Length(text) > limits.maxMessageBytes()) {
        refused("too_large");
        close(() -> wire.close(MESSAGE_TOO_LARGE, "message too large (bridge.maxMessageBytes)"));
        return;
      }
      if (!admitted()) {
        return;
      }
      try {
        handle(text);
      } catch (RuntimeException e) {
        onFailure(e);
      }
    }

    @Override
    public void onFailure(RuntimeException failure) {
      if (released) {
        return;
      }
      String id = Unexpected.log("handling a frame from the " + wire.transport().wireName() + " bridge socket of "
        + wire.remoteAddress(), failure);
      writeOwn(new JsonObject().put("type", "err").put("body", "internal_error").put("id", id));
      close(() -> wire.close(INTERNAL_ERROR, "internal error"));
    }

    /** A message over what the wire puts together: closed with 1009 as a frame over bridge.maxMessageBytes is. */
    @Override
    public void onTooLarge() {
      if (released || closeTimer >= 0) {
        return;
      }
      refused("too_large");
      close(() -> wire.close(MESSAGE_TOO_LARGE, "message too large (bridge.maxMessageBytes)"));
    }

    @Override
    public void onProtocolError(int code) {
      if (!released) {
        refused(code == MESSAGE_TOO_LARGE ? "too_large" : "protocol_error");
      }
    }

    /**
     * Whether this frame is within maxInboundPerSecond (burst the same); excess frames are answered
     * {@code rate_limited}, and a client still flooding after floodCloseMs is closed with 1008.
     */
    private boolean admitted() {
      if (takeToken()) {
        return true;
      }
      if (floodedTooLong()) {
        refused("flood");
        close(() -> wire.close(POLICY_VIOLATION, "flooding (bridge.maxInboundPerSecond)"));
        return false;
      }
      error("rate_limited");
      return false;
    }

    /** Takes one frame's token from the bucket; false (and the flood's start noted) when there is none. */
    private boolean takeToken() {
      long now = System.nanoTime();
      int rate = limits.maxInboundPerSecond();
      allowance = Math.min(rate, allowance + (now - lastRefill) * rate / 1e9);
      lastRefill = now;
      if (allowance >= 1) {
        allowance -= 1;
        if (floodingSince != 0 && now - lastRefused > 1_000_000_000L) {
          floodingSince = 0; // a quiet second ends a flood
        }
        return true;
      }
      lastRefused = now;
      if (floodingSince == 0) {
        floodingSince = now;
      }
      return false;
    }

    private boolean floodedTooLong() {
      return (System.nanoTime() - floodingSince) / 1_000_000 >= limits.floodCloseMs();
    }

    /**
     * Closes the transport's way ({@code how}), after what is queued; a peer that does not read
     * would hold that close open, so the connection is ended after closeTimeoutMs if it is still there.
     */
    void close(Runnable how) {
      how.run();
      if (closeTimer < 0 && !released) {
        closeTimer = vertx.setTimer(limits.closeTimeoutMs(), id -> {
          if (!released) {
            log.debug("Ending the {} bridge socket of {}: its close did not complete within bridge.closeTimeoutMs ({} ms)",
              wire.transport().wireName(), wire.remoteAddress(), limits.closeTimeoutMs());
            wire.abort();
          }
        });
      }
    }

    /** A message for this client was over bridge.maxOutboundBytes: an err frame says so, then the close. */
    void tooLarge(String address) {
      metrics.refused("message_too_large");
      writeOwn(new JsonObject().put("type", "err").put("address", address).put("body", "message_too_large"));
      close(() -> wire.close(MESSAGE_TOO_LARGE, "message too large (bridge.maxOutboundBytes)"));
    }

    private void refused(String reason) {
      metrics.refused(reason);
      long unlogged = REFUSAL_LOG.pass(reason);
      if (unlogged != LogThrottle.QUIET) {
        log.warn("Closing the {} bridge socket of {}: {}{}", wire.transport().wireName(), wire.remoteAddress(), reason,
          unlogged > 0 ? "; " + unlogged + " more closed for " + reason + " since the last such line" : "");
      }
    }

    private void handle(String text) {
      JsonObject msg;
      try {
        msg = new JsonObject(text);
      } catch (DecodeException | ClassCastException e) {
        error("invalid_json");
        return;
      }
      Object type = msg.getValue("type");
      if (!(type instanceof String)) {
        error("missing_type");
        return;
      }
      if ("ping".equals(type)) {
        lastPing = System.currentTimeMillis();
        return;
      }
      Object address = msg.getValue("address");
      if (!(address instanceof String addr)) {
        error("missing_address");
        return;
      }
      switch ((String) type) {
        case "register" -> register(addr, msg.getValue("headers") instanceof JsonObject headers ? headers : null);
        case "unregister" -> unregister(addr);
        case "send" -> send(addr, msg);
        case "publish" -> publish(addr, msg);
        default -> error("invalid_type");
      }
    }

    @Override
    public void onClosed() {
      release();
    }

    /**
     * A ping or pong costs a frame of the inbound budget, and the pong Vert.x queued for a ping
     * waits under bridge.maxQueuedBytes like a message. Nothing is answered (an answer would only
     * add to what waits): a client past either bound is reset.
     */
    @Override
    public void onControlFrame() {
      if (released) {
        return;
      }
      if (waitingBytes() > maxQueuedBytes) {
        closeAsSlow();
      } else if (!takeToken() && floodedTooLong()) {
        refused("flood");
        release();
        wire.abort();
      }
    }

    private void register(String address, JsonObject headers) {
      if (handlers >= MAX_HANDLERS_PER_SOCKET) {
        error("max_handlers_reached");
      } else if (address.length() > MAX_ADDRESS_LENGTH) {
        error("max_address_length_reached");
      } else if (!mayReceive.test(address)) {
        error("access_denied");
      } else if (registrations.contains(address)) {
        error("address_already_registered");
      } else {
        registrations.add(address);
        handlers++;
        Topic topic = topics.get(address);
        if (topic == null) {
          topic = new Topic(address, this);
          topics.put(address, topic);
        } else if (topic.log == null && history.mayKeep(address)) {
          topic.gainHistory(this);
        }
        topic.add(this);
        if (topic.log != null && headers != null && headers.containsKey(History.SINCE)) {
          resume(topic, headers);
        }
      }
    }

    /** Replays what this client missed, as its register asked, before it gets live messages again. */
    private void resume(Topic topic, JsonObject headers) {
      long since = parseSince(headers.getValue(History.SINCE));
      Object epoch = headers.getValue(History.EPOCH);
      boolean otherEpoch = epoch != null && !topic.log.epoch().equals(epoch);
      Replay replay = new Replay(this, topic, otherEpoch ? SINCE_UNKNOWN : since);
      replays.put(topic.address, replay);
      topic.heldUntil.put(this, Long.MAX_VALUE);
      replay.next();
    }

    private void unregister(String address) {
      if (registrations.remove(address)) {
        replays.remove(address);
        handlers--;
        leave(address);
      }
    }

    private void leave(String address) {
      Topic topic = topics.get(address);
      if (topic != null && topic.remove(this)) {
        topics.remove(address);
        topic.close();
      }
    }

    private void publish(String address, JsonObject msg) {
      if (!checkReplyAddress(msg) || !checkPermitted(address, null)) {
        return;
      }
      DeliveryOptions options = admit(msg);
      if (options != null) {
        eventBus.publish(address, msg.getValue("body"), options);
      }
    }

    /**
     * The frame's delivery options once a reply it asks for fits under the handler limit and its
     * headers pass; null once the client has been told why not.
     */
    private DeliveryOptions admit(JsonObject msg) {
      if (msg.getValue("replyAddress") instanceof String && handlers >= MAX_HANDLERS_PER_SOCKET) {
        error("max_handlers_reached");
        return null;
      }
      DeliveryOptions options = deliveryOptions(msg);
      if (options == null) {
        error("invalid_headers");
        return null;
      }
      metrics.received();
      return options;
    }

    private void send(String address, JsonObject msg) {
      if (!checkReplyAddress(msg)) {
        return;
      }
      Message<?> replyTo = takeReply(address);
      if (!checkPermitted(address, replyTo)) {
        return;
      }
      DeliveryOptions options = admit(msg);
      if (options == null) {
        return;
      }
      String replyAddress = msg.getValue("replyAddress") instanceof String r ? r : null;
      Object body = msg.getValue("body");
      if (replyAddress == null) {
        if (replyTo != null) {
          replyTo.reply(body, options);
        } else {
          eventBus.send(address, body, options);
        }
        return;
      }
      handlers++;
      (replyTo != null ? replyTo.replyAndRequest(body, options) : eventBus.request(address, body, options))
        .onComplete(ar -> {
          handlers--;
          if (ar.succeeded()) {
            JsonObject envelope = envelope(replyAddress, ar.result());
            if (ar.result().replyAddress() != null) {
              String token = awaitReply(ar.result());
              if (token == null) {
                envelope.remove("replyAddress");
              } else {
                envelope.put("replyAddress", token);
              }
            }
            writeOwn(envelope);
          } else if (ar.cause() instanceof ReplyException failure) {
            writeOwn(new JsonObject()
              .put("type", "err")
              .put("address", replyAddress)
              .put("failureCode", failure.failureCode())
              .put("failureType", failure.failureType().name())
              .put("message", failure.getMessage()));
          }
        });
    }

    private boolean checkReplyAddress(JsonObject msg) {
      if (msg.getValue("replyAddress") instanceof String r && r.length() > MAX_REPLY_ADDRESS_LENGTH) {
        error("invalid_reply_address");
        return false;
      }
      return true;
    }

    /**
     * A reply to a message this bridge delivered to this client is always allowed; anything else by
     * the inbound list, but never to one of Vert.x's reply addresses, which a permissive list would
     * otherwise open to anyone who counts.
     */
    private boolean checkPermitted(String address, Message<?> replyTo) {
      if (replyTo == null && (address.startsWith(VERTX_REPLY_PREFIX) || !maySend.test(address))) {
        error("access_denied");
        return false;
      }
      return true;
    }

    /**
     * A message for this client that asks for a reply: it goes out under a random reply address of
     * this client's own, so no other client can answer it, by guessing or by counting.
     */
    void writeAwaitingReply(String address, Message<?> msg) {
      String token = awaitReply(msg);
      if (token != null) {
        writeOwn(envelope(address, msg).put("replyAddress", token));
      }
    }

    /**
     * Keeps {@code msg} until this client answers it or {@code REPLY_TIMEOUT_MS} passes, under a new
     * token: the reply address this client is shown. Null when none can be kept: the client has
     * gone, or holds MAX_PENDING_REPLIES_PER_SOCKET already (then the sender is failed at once).
     */
    String awaitReply(Message<?> msg) {
      if (released) {
        return null;
      }
      if (pendingReplies.size() >= MAX_PENDING_REPLIES_PER_SOCKET) {
        msg.fail(TOO_MANY_PENDING_REPLIES, "the bridge client has " + MAX_PENDING_REPLIES_PER_SOCKET + " requests unanswered");
        return null;
      }
      byte[] random = new byte[16];
      REPLY_TOKENS.nextBytes(random);
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      long timer = vertx.setTimer(REPLY_TIMEOUT_MS, id -> pendingReplies.remove(token));
      pendingReplies.put(token, new PendingReply(msg, timer));
      return token;
    }

    /** The message this client was given {@code address} to answer, taken (a reply address serves once); null when it was given none such. */
    private Message<?> takeReply(String address) {
      PendingReply pending = pendingReplies.remove(address);
      if (pending == null) {
        return null;
      }
      vertx.cancelTimer(pending.timer());
      return pending.msg();
    }

    private void error(String code) {
      metrics.refused(code);
      writeOwn(new JsonObject().put("type", "err").put("body", code));
    }

    private void writeOwn(JsonObject json) {
      Outgoing frame = new Outgoing(json);
      try {
        write(frame);
      } finally {
        frame.release();
      }
    }

    /** Queues a frame; the flush comes once, at the end of this turn. Nothing follows a close frame. */
    void write(Outgoing frame) {
      if (released || closeTimer >= 0) {
        return;
      }
      if (waitingBytes() > maxQueuedBytes) {
        closeAsSlow();
        return;
      }
      unflushedBytes += wire.write(frame);
      flushSoon();
    }

    /** What waits for this client and counts against bridge.maxQueuedBytes: not a replay, not this turn's burst. */
    private long waitingBytes() {
      return wire.queuedBytes() - replayBytesQueued - unflushedBytes;
    }

    /** Counted each time; logged at most once a second per transport, so many stalled clients at once cannot flood the log. */
    private void closeAsSlow() {
      long unlogged = counts.slowCloseLine(wire.transport());
      if (unlogged != LogThrottle.QUIET) {
        log.warn("Closing the {} bridge socket of {}: it reads too slowly ({} bytes waiting, more than bridge.maxQueuedBytes {}){}",
          wire.transport().wireName(), wire.remoteAddress(), waitingBytes(), maxQueuedBytes,
          unlogged > 0 ? "; " + unlogged + " more closed for reading too slowly since the last such line" : "");
      }
      // Counted after its line: whoever reads the count finds the line it got, if any, already written.
      counts.closedAsSlow(wire.transport());
      metrics.slowClosed();
      release();
      wire.abort();
    }

    /** Queues a frame of a replay: not checked against the bound, whose bytes the replay paces itself. */
    int writeReplay(Outgoing frame, Runnable written) {
      int size = wire.write(frame, written);
      flushSoon();
      return size;
    }

    private void flushSoon() {
      if (!dirty) {
        dirty = true;
        FanoutBridge.this.dirty.add(this);
      }
      if (!flushScheduled) {
        flushScheduled = true;
        loop.execute(FanoutBridge.this::flushAll);
      }
    }

    /**
     * The frame's headers as event-bus headers, checked ({@link BridgeHeaders}), with the sender
     * set by the bridge alone; null when they break the rules.
     */
    private DeliveryOptions deliveryOptions(JsonObject msg) {
      Object given = msg.getValue("headers");
      MultiMap headers = given instanceof JsonObject object ? BridgeHeaders.toMultiMap(object)
        : given == null ? MultiMap.caseInsensitiveMultiMap() : null;
      if (headers == null) {
        return null;
      }
      // Only the bridge says who sent a message, and only the history numbers messages: a client
      // cannot fake a sender, its address, a seq, an epoch or a gap.
      headers.remove(Addresses.USER_HEADER).remove(Addresses.CLIENT_HEADER)
        .remove(History.SEQ).remove(History.EPOCH).remove(History.GAP);
      if (user != null) {
        headers.add(Addresses.USER_HEADER, user);
      } else if (client != null) {
        headers.add(Addresses.CLIENT_HEADER, client);
      }
      return new DeliveryOptions().setSendTimeout(REPLY_TIMEOUT_MS).setHeaders(headers);
    }

    /** Leaves every topic and stops counting this client; runs once, whoever notices the end first. */
    void release() {
      if (released) {
        return;
      }
      released = true;
      vertx.cancelTimer(pingTimer);
      if (closeTimer >= 0) {
        vertx.cancelTimer(closeTimer);
      }
      replays.clear();
      pendingReplies.values().forEach(pending -> vertx.cancelTimer(pending.timer()));
      pendingReplies.clear();
      if (expiryTimer >= 0) {
        vertx.cancelTimer(expiryTimer);
      }
      new ArrayList<>(registrations).forEach(this::leave);
      registrations.clear();
      if (dirty) {
        dirty = false;
        FanoutBridge.this.dirty.remove(this);
      }
      sessions.remove(this);
      counts.closed(wire.transport());
      metrics.sockets(wire.transport().wireName(), -1);
      onRelease.run();
    }
  }

  /**
   * One client's catch-up on one address: the kept messages after its {@code since}, in batches,
   * each batch once the one before has been written to its connection (so a replay never piles up
   * in memory), then the live stream from the next seq on. A client whose since is no longer kept
   * (or of another epoch) first gets a {@code rec} with {@code oneloop.gap} and a null body.
   */
  private final class Replay {
    final Session session;
    final Topic topic;
    /** The last seq the client has; SINCE_UNKNOWN for "tell of a gap, then everything kept". */
    long cursor;
    boolean gapOwed;

    Replay(Session session, Topic topic, long since) {
      this.session = session;
      this.topic = topic;
      this.gapOwed = since == SINCE_UNKNOWN;
      this.cursor = since == SINCE_UNKNOWN ? 0 : since;
    }

    void next() {
      if (session.released || session.replays.get(topic.address) != this) {
        return;
      }
      History.Batch batch = topic.log.after(cursor, REPLAY_BATCH_MESSAGES, REPLAY_BATCH_BYTES);
      List<History.Entry> entries = batch.entries();
      long first = entries.isEmpty() ? batch.next() : entries.get(0).seq();
      if (cursor >= batch.next()) {
        // A since the log never reached: from another start, or made up.
        gapOwed = true;
        cursor = batch.next() - 1;
      }
      if (gapOwed || first > cursor + 1) {
        gapOwed = false;
        write(gapFrame(first), false);
      }
      cursor = Math.max(cursor, first - 1);
      for (int i = 0; i < entries.size(); i++) {
        History.Entry entry = entries.get(i);
        // The last frame of a batch says when the batch is out: then the next one.
        write(Outgoing.encoded(entry.frame()), batch.more() && i == entries.size() - 1);
        cursor = entry.seq();
      }
      metrics.delivered(entries.size());
      if (!batch.more()) {
        // Caught up: live messages after the cursor go out now, those up to it were just replayed.
        session.replays.remove(topic.address);
        topic.heldUntil.put(session, cursor);
      }
    }

    /** Queues one frame of the replay; its bytes count as replay bytes until that frame has gone to the network. */
    private void write(Outgoing frame, boolean thenNext) {
      Sent sent = new Sent(thenNext);
      try {
        sent.bytes = session.writeReplay(frame, sent);
        session.replayBytesQueued += sent.bytes;
      } finally {
        frame.release();
      }
    }

    private Outgoing gapFrame(long first) {
      return new Outgoing(new JsonObject().put("type", "rec").put("address", topic.address)
        .put("headers", new JsonObject().put(History.GAP, Long.toString(first)).put(History.EPOCH, topic.log.epoch()))
        .putNull("body"));
    }

    /**
     * One replay frame handed to the network: its bytes no longer wait. Counted frame by frame,
     * not per batch, so the part of a batch already sent never hides live bytes from the bound.
     */
    private final class Sent implements Runnable {
      final boolean thenNext;
      int bytes;

      Sent(boolean thenNext) {
        this.thenNext = thenNext;
      }

      @Override
      public void run() {
        session.replayBytesQueued -= bytes;
        if (thenNext) {
          next();
        }
      }
    }
  }

  /** A since as a decimal string (or a JSON integer); SINCE_UNKNOWN for anything else. */
  static long parseSince(Object value) {
    if (value instanceof Integer || value instanceof Long) {
      long since = ((Number) value).longValue();
      return since >= 0 ? since : SINCE_UNKNOWN;
    }
    if (value instanceof String text && !text.isEmpty() && text.length() <= 18 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Long.parseLong(text);
    }
    return SINCE_UNKNOWN;
  }

  /**
   * Shutdown: closes every WebSocket client after what was already sent to it (raw clients with
   * 1001 "going away", SockJS ones with SockJS's close frame). SockJS's HTTP sessions are left to
   * the HTTP server's grace period: closing one at once can drop messages still waiting for its
   * next poll, the shutdown notice among them.
   */
  public void closeAll() {
    vertx.cancelTimer(heartbeatTimer);
    for (Session session : List.copyOf(sessions)) {
      if (session.wire.transport() != BridgeTransport.SOCKJS_FALLBACK) {
        session.close(session.wire::closeGoingAway);
      }
    }
  }

  private void flushAll() {
    flushScheduled = false;
    for (Session session : dirty) {
      session.dirty = false;
      session.wire.flush();
      session.unflushedBytes = 0;
    }
    dirty.clear();
  }

  /** A delivered message awaiting its client's reply, and the timer that forgets it. */
  private record PendingReply(Message<?> msg, long timer) {
  }

  /** The bytes of {@code text} in UTF-8, counted without encoding it. */
  static long utf8Length(String text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** The bridge's {@code rec} frame for a message, as Vert.x's bridge writes it. */
  static JsonObject envelope(String address, Message<?> msg) {
    JsonObject envelope = new JsonObject().put("type", "rec").put("address", address).put("body", msg.body());
    if (msg.replyAddress() != null) {
      envelope.put("replyAddress", msg.replyAddress());
    }
    if (msg.headers() != null && !msg.headers().isEmpty()) {
      JsonObject headers = new JsonObject();
      for (String name : msg.headers().names()) {
        List<String> values = msg.headers().getAll(name);
        headers.put(name, values.size() == 1 ? values.get(0) : values);
      }
      envelope.put("headers", headers);
    }
    return envelope;
  }
}
