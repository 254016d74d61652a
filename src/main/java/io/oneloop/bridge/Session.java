package io.oneloop.bridge;

import io.oneloop.logging.LogThrottle;
import io.oneloop.logging.Unexpected;
import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

import static io.oneloop.bridge.FanoutBridge.log;

/**
 * One client, over whichever transport: its frames in (within its limits), what it registered
 * for (its sends and publishes are {@link ClientSends}'), what waits for it, and its release, once.
 */
final class Session implements Wire.Listener, Subscriber {

  private static final int INTERNAL_ERROR = 1011;
  private static final int MESSAGE_TOO_LARGE = 1009;
  private static final int POLICY_VIOLATION = 1008;
  /** Closing a client is logged at most once a second per reason in the process, whichever engine. */
  private static final LogThrottle.Keyed REFUSAL_LOG = LogThrottle.perSecondByKey();

  private final Hub hub;
  final Wire wire;
  private final Set<String> registrations = new LinkedHashSet<>();
  /** This socket's id, in its presence entries and for an administrator's disconnect. */
  final String connId = Presence.newConnId();
  /** Its presence entries, by address. */
  private final Map<String, JsonObject> present = new HashMap<>();
  /** Replay bytes written and not yet confirmed sent: not counted against bridge.maxQueuedBytes. */
  private long replayBytesQueued;
  /**
   * Live bytes written in this event-loop turn, not flushed yet: a burst that arrives in one
   * turn is not the client being slow, so only what is still waiting after a flush counts.
   */
  long unflushedBytes;
  /** What waited for this client when the hub's {@link QueueBudget} last counted it. */
  long counted;
  /** In the hub's list of sessions to flush at the end of this turn. */
  boolean dirty;
  /** The admitted user (a static token's name, a JWT's subject), which marks what this client sends; null when anonymous. */
  private final String user;
  /** When anonymous, the client's address, which marks what it sends instead. */
  private String client;
  private final Predicate<String> mayReceive;
  private final InboundBudget inbound;
  private final Replies replies;
  /** Asked after the static lists, in the order this client's frames came. */
  final Authorization authorization;
  private final ClientSends sends;
  private final PingCheck pings;
  private final long expiryTimer;
  /** Ends the connection should a close this side started not complete within closeTimeoutMs; -1 until one is. */
  private long closeTimer = -1;
  private final Runnable onRelease;
  /** Registrations and requests awaiting a reply, held under FanoutBridge.MAX_HANDLERS_PER_SOCKET. */
  int handlers;
  /** Regex-history logs this socket's registers started, over its life: unregistering does not give one back, the log outlives it. */
  private int historiesStarted;
  private boolean released;

  /** {@code admission} null: anonymous, with the engine's permissions. */
  Session(Hub hub, Function<Wire.Listener, Wire> connect, Admission admission, Runnable onRelease) {
    this.hub = hub;
    this.onRelease = onRelease;
    this.inbound = new InboundBudget(hub.limits);
    this.replies = new Replies(hub.vertx);
    this.user = admission != null ? admission.user() : null;
    this.client = admission != null ? admission.client() : null;
    // Entries with {user} are filled in for this socket's user here; an anonymous socket gets none of them.
    BridgePermissions granted = admission != null && admission.permissions() != null ? admission.permissions()
      : hub.permissions.forUser(user);
    this.mayReceive = granted::mayReceive;
    this.wire = connect.apply(this);
    if (user == null && this.client == null) {
      this.client = wire.remoteAddress() == null ? "unknown" : wire.remoteAddress().hostAddress();
    }
    this.authorization = new Authorization(hub, this, user);
    this.sends = new ClientSends(hub, this, granted::maySend, mayReceive, replies, user, client);
    hub.sessions.add(this);
    hub.counts.opened(wire.transport());
    hub.listener.sockets(wire.transport(), 1);
    pings = new PingCheck(hub.vertx, hub.pingTimeoutMs, () -> released, () -> close(wire::close));
    pings.arm();
    long expiresAtMs = admission == null ? 0 : admission.expiresAtMs();
    long untilExpiry = expiresAtMs == 0 ? -1 : expiresAtMs - System.currentTimeMillis();
    this.expiryTimer = untilExpiry < 0 ? -1 : hub.vertx.setTimer(Math.max(1, untilExpiry), id -> {
      log.debug("Closing the bridge socket of {}: its token expired", wire.remoteAddress());
      close(() -> wire.close(FanoutBridge.TOKEN_EXPIRED, "token expired"));
    });
  }

  /** The net for bugs: a frame whose handling throws is logged with an id, answered, and its client closed. */
  @Override
  public void onFrame(String text) {
    if (released) {
      return;
    }
    if (Frames.utf8Length(text) > hub.limits.maxMessageBytes()) {
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
    if (inbound.take()) {
      return true;
    }
    if (inbound.floodedTooLong()) {
      refused("flood");
      close(() -> wire.close(POLICY_VIOLATION, "flooding (bridge.maxInboundPerSecond)"));
      return false;
    }
    error("rate_limited");
    return false;
  }

  /**
   * Closes the transport's way ({@code how}), after what is queued; a peer that does not read
   * would hold that close open, so the connection is ended after closeTimeoutMs if it is still there.
   */
  void close(Runnable how) {
    how.run();
    if (closeTimer < 0 && !released) {
      closeTimer = hub.vertx.setTimer(hub.limits.closeTimeoutMs(), id -> {
        if (!released) {
          log.debug("Ending the {} bridge socket of {}: its close did not complete within bridge.closeTimeoutMs ({} ms)",
            wire.transport().wireName(), wire.remoteAddress(), hub.limits.closeTimeoutMs());
          wire.abort();
        }
      });
    }
  }

  @Override
  public void tooLarge(String address) {
    hub.listener.refused("message_too_large");
    writeOwn(new JsonObject().put("type", "err").put("address", address).put("body", "message_too_large"));
    close(() -> wire.close(MESSAGE_TOO_LARGE, "message too large (bridge.maxOutboundBytes)"));
  }

  private void refused(String reason) {
    hub.listener.refused(reason);
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
      pings.pinged();
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
      case "send" -> sends.send(addr, msg);
      case "publish" -> sends.publish(addr, msg);
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
    if (waitingBytes() > hub.maxQueuedBytes) {
      closeAsSlow(false);
    } else if (!inbound.take() && inbound.floodedTooLong()) {
      refused("flood");
      release();
      wire.abort();
    }
  }

  private void register(String address, JsonObject headers) {
    if (address.length() > FanoutBridge.MAX_ADDRESS_LENGTH) {
      error("max_address_length_reached");
    } else if (!mayReceive.test(address)) {
      error("access_denied");
    } else {
      MultiMap asked = headers == null ? null : BridgeHeaders.toMultiMap(headers);
      authorization.then(AuthRequest.Action.REGISTER, address, asked == null ? MultiMap.caseInsensitiveMultiMap() : asked,
        () -> join(address, headers));
    }
  }

  /** Checked once authorized: another register may have come first while this one was asked about. */
  private void join(String address, JsonObject headers) {
    if (handlers >= FanoutBridge.MAX_HANDLERS_PER_SOCKET) {
      error("max_handlers_reached");
    } else if (registrations.contains(address)) {
      error("address_already_registered");
    } else {
      registrations.add(address);
      handlers++;
      Replay replay = hub.join(address, this, headers);
      hub.presence.joined(present, address, user, headers, connId);
      if (replay != null) {
        // What this client missed goes out first, as its register asked, then live messages again.
        replay.next();
      }
    }
  }

  private void unregister(String address) {
    if (registrations.remove(address)) {
      handlers--;
      hub.leave(address, this);
      hub.presence.left(present, address);
    }
  }

  /**
   * A message for this client that asks for a reply: it goes out under a random reply address of
   * this client's own, so no other client can answer it, by guessing or by counting.
   */
  @Override
  public void writeAwaitingReply(String address, Message<?> msg) {
    String token = released ? null : replies.await(msg);
    if (token != null) {
      writeOwn(Frames.envelope(address, msg).put("replyAddress", token));
    }
  }

  /** Whether this client is released: gone, nothing is written to it any more. */
  boolean released() {
    return released;
  }

  /** Whether this client is gone or being closed: nothing more is done for it. */
  boolean closing() {
    return released || closeTimer >= 0;
  }

  void error(String code) {
    hub.listener.refused(code);
    writeOwn(new JsonObject().put("type", "err").put("body", code));
  }

  void writeOwn(JsonObject json) {
    Outgoing frame = new Outgoing(json);
    try {
      write(frame);
    } finally {
      frame.release();
    }
  }

  /** Queues a frame; the flush comes once, at the end of this turn. Nothing follows a close frame. */
  @Override
  public void write(Outgoing frame) {
    if (released || closeTimer >= 0) {
      return;
    }
    long waiting = waitingBytes();
    if (waiting > hub.maxQueuedBytes || hub.budget.over(this, waiting)) {
      closeAsSlow(waiting <= hub.maxQueuedBytes);
      return;
    }
    unflushedBytes += wire.write(frame);
    hub.flushSoon(this);
  }

  /** What waits for this client and counts against bridge.maxQueuedBytes: not a replay, not this turn's burst. */
  long waitingBytes() {
    return wire.queuedBytes() - replayBytesQueued - unflushedBytes;
  }

  /**
   * Counted each time; logged at most once a second per transport, so many stalled clients at once cannot flood the log.
   * {@code share}: past its share of bridge.maxQueuedBytesTotal, not past bridge.maxQueuedBytes.
   */
  private void closeAsSlow(boolean share) {
    long unlogged = hub.counts.slowCloseLine(wire.transport());
    if (unlogged != LogThrottle.QUIET) {
      String bound = share
        ? "more than its share " + hub.budget.share() + " of bridge.maxQueuedBytesTotal " + hub.budget.max()
          + ", which the clients together passed"
        : "more than bridge.maxQueuedBytes " + hub.maxQueuedBytes;
      log.warn("Closing the {} bridge socket of {}: it reads too slowly ({} bytes waiting, {}){}",
        wire.transport().wireName(), wire.remoteAddress(), waitingBytes(), bound,
        unlogged > 0 ? "; " + unlogged + " more closed for reading too slowly since the last such line" : "");
    }
    // Counted after its line: whoever reads the count finds the line it got, if any, already written.
    hub.counts.closedAsSlow(wire.transport());
    hub.listener.slowClosed();
    release();
    wire.abort();
  }

  @Override
  public int writeReplay(Outgoing frame, Runnable written) {
    int size = wire.write(frame, written);
    hub.flushSoon(this);
    return size;
  }

  @Override
  public void replayBytes(long delta) {
    replayBytesQueued += delta;
  }

  String user() {
    return user;
  }

  /** An administrator's disconnect: closed with {@code code} and {@code reason}, after what is queued. */
  void disconnect(int code, String reason) {
    if (!released) {
      close(() -> wire.close(code, reason));
    }
  }

  @Override
  public SocketAddress remoteAddress() {
    return wire.remoteAddress();
  }

  @Override
  public int historiesStarted() {
    return historiesStarted;
  }

  @Override
  public void historyStarted() {
    historiesStarted++;
  }

  /** Leaves every topic and stops counting this client; runs once, whoever notices the end first. */
  void release() {
    if (released) {
      return;
    }
    released = true;
    pings.cancel();
    if (closeTimer >= 0) {
      hub.vertx.cancelTimer(closeTimer);
    }
    replies.clear();
    if (expiryTimer >= 0) {
      hub.vertx.cancelTimer(expiryTimer);
    }
    new ArrayList<>(registrations).forEach(address -> hub.leave(address, this));
    registrations.clear();
    hub.presence.leftAll(present);
    hub.forget(this);
    hub.counts.closed(wire.transport());
    hub.listener.sockets(wire.transport(), -1);
    onRelease.run();
  }
}
