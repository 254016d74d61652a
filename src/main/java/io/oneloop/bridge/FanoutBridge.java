package io.oneloop.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.oneloop.metrics.BridgeMetrics;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.function.Predicate;

/**
 * The event-bus bridge for raw WebSocket clients on {@code /eventbus/websocket}: the same JSON
 * frames, permissions and errors as Vert.x's SockJS bridge, but built for fan-out. A published
 * message costs one event-bus delivery and one encoding per address, not per socket: every
 * subscriber gets the same pre-encoded WebSocket frame, and each socket is flushed once per
 * event-loop turn however many messages it got in it. A client too slow to keep up is closed
 * rather than buffered for without bound.
 * <p>
 * One instance per HTTP server verticle; all its sockets live on that verticle's event loop.
 */
public final class FanoutBridge {

  private static final Logger log = LoggerFactory.getLogger(FanoutBridge.class);

  // The same limits as Vert.x's bridge defaults, so clients see the same behaviour on both paths.
  static final int MAX_ADDRESS_LENGTH = 200;
  static final int MAX_HANDLERS_PER_SOCKET = 1000;
  static final long PING_TIMEOUT_MS = 10_000;
  static final long REPLY_TIMEOUT_MS = 30_000;
  /** The vertx-eventbus.js client's reply addresses are UUIDs: 36 characters. */
  static final int MAX_REPLY_ADDRESS_LENGTH = 36;
  /** Bytes a socket may have waiting to be sent before it counts as too slow and is closed. */
  static final long MAX_PENDING_BYTES = 4 * 1024 * 1024;
  private static final short GOING_AWAY = 1001;

  private final Vertx vertx;
  private final EventBus eventBus;
  private final Predicate<String> inbound;
  private final Predicate<String> outbound;
  private final IntConsumer socketCount;
  private final BridgeMetrics metrics;
  private final Map<String, Topic> topics = new HashMap<>();
  /** Reply addresses of messages delivered to clients: a client may send to them once. */
  private final Map<String, Message<?>> awaitingReply = new HashMap<>();
  private final Set<Socket> dirty = new LinkedHashSet<>();
  private final Set<Socket> sockets = new LinkedHashSet<>();
  private boolean flushScheduled;

  /**
   * @param socketCount told +1 and -1 as sockets open and close
   */
  public FanoutBridge(Vertx vertx, BridgePermissions permissions, IntConsumer socketCount) {
    this.vertx = vertx;
    this.eventBus = vertx.eventBus();
    this.inbound = permissions::maySend;
    this.outbound = permissions::mayReceive;
    this.socketCount = socketCount;
    this.metrics = BridgeMetrics.of(vertx);
  }

  /** Takes a freshly accepted WebSocket. Runs on this bridge's event loop. */
  public void accept(ServerWebSocket ws) {
    Socket socket = new Socket(ws);
    sockets.add(socket);
    socketCount.accept(1);
    ws.textMessageHandler(text -> socket.onFrame(text));
    ws.binaryMessageHandler(data -> socket.onFrame(data.toString(StandardCharsets.UTF_8)));
    ws.exceptionHandler(err -> log.debug("Bridge socket error: {}", err.toString()));
    ws.closeHandler(v -> socket.closed());
  }

  /** The sockets subscribed to one address, fed by one event-bus consumer. */
  private final class Topic {
    final String address;
    final MessageConsumer<Object> consumer;
    final List<Socket> sockets = new ArrayList<>();
    int nextForSend;

    Topic(String address) {
      this.address = address;
      this.consumer = eventBus.consumer(address, this::deliver);
    }

    private void deliver(Message<Object> msg) {
      if (sockets.isEmpty()) {
        return;
      }
      if (msg.isSend()) {
        // Point to point: one subscriber gets it, as with one consumer per socket.
        Socket target = sockets.get(Math.floorMod(nextForSend++, sockets.size()));
        rememberReplyAddress(msg);
        target.write(Frames.encode(envelope(address, msg)));
        metrics.delivered(1);
        return;
      }
      ByteBuf frame = Frames.encode(envelope(address, msg));
      try {
        for (int i = 0; i < sockets.size(); i++) {
          sockets.get(i).writeShared(frame);
        }
      } finally {
        frame.release();
      }
      metrics.delivered(sockets.size());
    }
  }

  /** One client connection and what it registered for. */
  private final class Socket {
    final ServerWebSocket ws;
    final ChannelHandlerContext channel;
    final Set<String> registrations = new LinkedHashSet<>();
    final long pingTimer;
    long lastPing = System.currentTimeMillis();
    int handlers;
    boolean open = true;
    boolean cleanedUp;

    Socket(ServerWebSocket ws) {
      this.ws = ws;
      this.channel = ws instanceof WebSocketInternal internal ? internal.channelHandlerContext() : null;
      this.pingTimer = vertx.setPeriodic(PING_TIMEOUT_MS, id -> {
        if (System.currentTimeMillis() - lastPing >= PING_TIMEOUT_MS) {
          log.debug("Closing a bridge socket that sent no ping for {} ms", PING_TIMEOUT_MS);
          ws.close();
        }
      });
    }

    void onFrame(String text) {
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
        case "register" -> register(addr);
        case "unregister" -> unregister(addr);
        case "send" -> sendOrPublish(true, addr, msg);
        case "publish" -> sendOrPublish(false, addr, msg);
        default -> error("invalid_type");
      }
    }

    private void register(String address) {
      if (handlers >= MAX_HANDLERS_PER_SOCKET) {
        error("max_handlers_reached");
      } else if (address.length() > MAX_ADDRESS_LENGTH) {
        error("max_address_length_reached");
      } else if (!outbound.test(address)) {
        error("access_denied");
      } else if (registrations.contains(address)) {
        error("address_already_registered");
      } else {
        registrations.add(address);
        handlers++;
        topics.computeIfAbsent(address, Topic::new).sockets.add(this);
      }
    }

    private void unregister(String address) {
      if (registrations.remove(address)) {
        handlers--;
        leave(address);
      }
    }

    private void leave(String address) {
      Topic topic = topics.get(address);
      if (topic != null) {
        topic.sockets.remove(this);
        if (topic.sockets.isEmpty()) {
          topics.remove(address);
          topic.consumer.unregister();
        }
      }
    }

    private void sendOrPublish(boolean send, String address, JsonObject msg) {
      Object body = msg.getValue("body");
      String replyAddress = msg.getValue("replyAddress") instanceof String r ? r : null;
      if (replyAddress != null && replyAddress.length() > MAX_REPLY_ADDRESS_LENGTH) {
        error("invalid_reply_address");
        return;
      }
      Message<?> replyTo = send ? awaitingReply.remove(address) : null;
      if (replyTo == null && !inbound.test(address)) {
        error("access_denied");
        return;
      }
      if (replyAddress != null && handlers >= MAX_HANDLERS_PER_SOCKET) {
        error("max_handlers_reached");
        return;
      }
      metrics.received();
      DeliveryOptions options = new DeliveryOptions().setSendTimeout(REPLY_TIMEOUT_MS);
      if (msg.getValue("headers") instanceof JsonObject headers) {
        MultiMap map = HttpHeaders.headers();
        headers.forEach(e -> map.add(e.getKey(), String.valueOf(e.getValue())));
        options.setHeaders(map);
      }
      if (!send) {
        eventBus.publish(address, body, options);
      } else if (replyAddress == null) {
        if (replyTo != null) {
          replyTo.reply(body, options);
        } else {
          eventBus.send(address, body, options);
        }
      } else {
        handlers++;
        (replyTo != null ? replyTo.replyAndRequest(body, options) : eventBus.request(address, body, options))
          .onComplete(ar -> {
            handlers--;
            if (!open) {
              return;
            }
            if (ar.succeeded()) {
              rememberReplyAddress(ar.result());
              write(Frames.encode(envelope(replyAddress, ar.result())));
            } else if (ar.cause() instanceof ReplyException failure) {
              write(Frames.encode(new JsonObject()
                .put("type", "err")
                .put("address", replyAddress)
                .put("failureCode", failure.failureCode())
                .put("failureType", failure.failureType().name())
                .put("message", failure.getMessage())));
            }
          });
      }
    }

    private void error(String code) {
      metrics.refused(code);
      write(Frames.encode(new JsonObject().put("type", "err").put("body", code)));
    }

    /** Writes a frame this socket owns (released here). */
    void write(ByteBuf frame) {
      try {
        writeShared(frame);
      } finally {
        frame.release();
      }
    }

    /** Queues a frame shared with other sockets; the flush comes once, at the end of this turn. */
    void writeShared(ByteBuf frame) {
      if (!open) {
        return;
      }
      if (channel == null) {
        ws.writeBinaryMessage(Buffer.buffer(Frames.payload(frame)));
        return;
      }
      ChannelOutboundBuffer pending = channel.channel().unsafe().outboundBuffer();
      if (pending != null && pending.totalPendingWriteBytes() > MAX_PENDING_BYTES) {
        log.warn("Dropping the bridge socket of {}: it reads too slowly ({} bytes waiting)",
          ws.remoteAddress(), pending.totalPendingWriteBytes());
        metrics.slowClosed();
        // A close frame could not reach a client that does not read: end the connection itself.
        closed();
        channel.channel().close();
        return;
      }
      channel.write(frame.retainedDuplicate(), channel.voidPromise());
      dirty.add(this);
      if (!flushScheduled) {
        flushScheduled = true;
        channel.executor().execute(FanoutBridge.this::flushAll);
      }
    }

    void closed() {
      if (cleanedUp) {
        return;
      }
      cleanedUp = true;
      open = false;
      vertx.cancelTimer(pingTimer);
      new ArrayList<>(registrations).forEach(this::leave);
      registrations.clear();
      dirty.remove(this);
      sockets.remove(this);
      socketCount.accept(-1);
    }
  }

  /**
   * Shutdown: closes every socket with 1001 "going away", after what was already sent to it. The
   * HTTP server's own shutdown would leave WebSockets open until its grace period ends.
   */
  public void closeAll() {
    for (Socket socket : new ArrayList<>(sockets)) {
      if (socket.open) {
        socket.ws.close(GOING_AWAY, "server shutting down");
      }
    }
  }

  private void flushAll() {
    flushScheduled = false;
    for (Socket socket : dirty) {
      if (socket.open) {
        socket.channel.flush();
      }
    }
    dirty.clear();
  }

  private void rememberReplyAddress(Message<?> msg) {
    String replyAddress = msg.replyAddress();
    if (replyAddress != null) {
      awaitingReply.put(replyAddress, msg);
      vertx.setTimer(REPLY_TIMEOUT_MS, id -> awaitingReply.remove(replyAddress));
    }
  }

  /** The bridge's {@code rec} frame for a message, as Vert.x's bridge writes it. */
  private static JsonObject envelope(String address, Message<?> msg) {
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

  /** Pre-encoded WebSocket frames: a server's frames are not masked, so one encoding serves every client. */
  static final class Frames {

    private Frames() {
    }

    /** A final binary frame (opcode 2) holding the JSON, as Vert.x's bridge sends it. */
    static ByteBuf encode(JsonObject json) {
      ByteBuf payload = ((BufferInternal) json.toBuffer()).getByteBuf();
      int length = payload.readableBytes();
      int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
      ByteBuf frame = Unpooled.directBuffer(header + length);
      frame.writeByte(0x82);
      if (length < 126) {
        frame.writeByte(length);
      } else if (length <= 0xFFFF) {
        frame.writeByte(126).writeShort(length);
      } else {
        frame.writeByte(127).writeLong(length);
      }
      frame.writeBytes(payload, payload.readerIndex(), length);
      return frame;
    }

    /** The JSON inside a frame made by {@link #encode}. */
    static byte[] payload(ByteBuf frame) {
      int lengthByte = frame.getByte(frame.readerIndex() + 1) & 0x7F;
      int header = lengthByte < 126 ? 2 : lengthByte == 126 ? 4 : 10;
      byte[] bytes = new byte[frame.readableBytes() - header];
      frame.getBytes(frame.readerIndex() + header, bytes);
      return bytes;
    }
  }
}
