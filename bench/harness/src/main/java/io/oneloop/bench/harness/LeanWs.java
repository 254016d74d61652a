package io.oneloop.bench.harness;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client reduced to what the load generator needs, the whole pipeline of a socket: it
 * writes the upgrade request, reads the 101 answer, then reads the server's frames straight from
 * the channel's buffer, as a C reader would. A complete unfragmented data frame is handed over
 * where it lies (buffer, start, end), no frame object, no slice, no copy; only a frame split
 * across reads is kept (copied once) until the rest arrives, and only a fragmented message is
 * reassembled. Pings are answered, a close frame is answered and the socket closed, a masked or
 * malformed frame closes the socket. Frames it sends are masked, as a client's must be. Every
 * read's bytes share one receive time.
 */
abstract class LeanWs extends ChannelDuplexHandler {

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  /** Longest upgrade answer (status line and headers) it reads before giving up. */
  private static final int MAX_HANDSHAKE = 64 << 10;
  private static final byte[] END_OF_HEADERS = {'\r', '\n', '\r', '\n'};

  private final int maxMessage;
  private String host;
  private int port;
  private String pathAndQuery;
  private String key;
  private boolean upgraded;
  private boolean closeSent;
  /** Bytes kept between reads: an unfinished upgrade answer or an unfinished frame. */
  private ByteBuf pending;
  /** A fragmented message being reassembled, or null. */
  private ByteBuf fragments;
  private boolean fragmentsText;
  private ScheduledFuture<?> handshakeTimer;

  LeanWs(int maxMessage) {
    this.maxMessage = maxMessage;
  }

  /** Where the upgrade request goes; set before the socket connects. */
  void target(String host, int port, String pathAndQuery) {
    this.host = host;
    this.port = port;
    this.pathAndQuery = pathAndQuery;
  }

  /** The server accepted the upgrade; frames follow. */
  abstract void upgraded(ChannelHandlerContext ctx);

  /** The upgrade failed (an answer other than a valid 101) or took longer than the timeout. */
  abstract void upgradeFailed(ChannelHandlerContext ctx);

  /**
   * One whole message, bytes {@code start} to {@code end} of {@code buf}, read at {@code recvUs}.
   * The bytes are only valid during the call, and {@code buf}'s indices must be left alone.
   */
  abstract void message(ChannelHandlerContext ctx, ByteBuf buf, int start, int end, boolean text, long recvUs);

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    key = Base64.getEncoder().encodeToString(nonce);
    String req = "GET " + pathAndQuery + " HTTP/1.1\r\n"
        + "Host: " + host + ":" + port + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + key + "\r\n"
        + "Origin: http://" + host + ":" + port + "\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n";
    ctx.writeAndFlush(ctx.alloc().buffer(req.length()).writeBytes(req.getBytes(StandardCharsets.US_ASCII)));
    handshakeTimer = ctx.executor().schedule(() -> {
      if (!upgraded) {
        upgradeFailed(ctx);
        ctx.close();
      }
    }, 10, TimeUnit.SECONDS);
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releaseBuffers();
    if (handshakeTimer != null) {
      handshakeTimer.cancel(false);
    }
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseBuffers();
  }

  private void releaseBuffers() {
    if (pending != null) {
      pending.release();
      pending = null;
    }
    if (fragments != null) {
      fragments.release();
      fragments = null;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    long recvUs = LoadGen.nowMicros();
    try {
      ByteBuf b = in;
      if (pending != null && pending.isReadable()) {
        pending.writeBytes(in);
        b = pending;
      }
      if (!upgraded && !readUpgrade(ctx, b)) {
        keep(ctx, b, in);
        return;
      }
      readFrames(ctx, b, recvUs);
      keep(ctx, b, in);
    } finally {
      in.release();
    }
  }

  /** Keeps what is left unread of {@code b} for the next read (copied out of {@code in}, which is released). */
  private void keep(ChannelHandlerContext ctx, ByteBuf b, ByteBuf in) {
    if (!ctx.channel().isOpen()) {
      releaseBuffers();
      return;
    }
    if (b == in) {
      if (in.isReadable()) {
        if (pending == null) {
          pending = ctx.alloc().heapBuffer(Math.max(in.readableBytes(), 4096));
        }
        pending.clear().writeBytes(in);
      } else if (pending != null) {
        pending.clear();
      }
    } else {
      pending.discardSomeReadBytes();
    }
  }

  /** Reads the upgrade answer when it is all there: true once upgraded, false while it is incomplete. */
  private boolean readUpgrade(ChannelHandlerContext ctx, ByteBuf b) {
    int end = indexOf(b, END_OF_HEADERS);
    if (end < 0) {
      if (b.readableBytes() > MAX_HANDSHAKE) {
        fail(ctx);
      }
      return false;
    }
    String head = b.toString(b.readerIndex(), end - b.readerIndex(), StandardCharsets.ISO_8859_1);
    b.readerIndex(end + END_OF_HEADERS.length);
    String[] lines = head.split("\r\n");
    String[] status = lines[0].split(" ", 3);
    if (status.length < 2 || !status[0].startsWith("HTTP/1.") || !status[1].equals("101")
        || !expectedAccept().equals(header(lines, "sec-websocket-accept"))) {
      fail(ctx);
      return false;
    }
    upgraded = true;
    if (handshakeTimer != null) {
      handshakeTimer.cancel(false);
    }
    upgraded(ctx);
    return ctx.channel().isOpen();
  }

  private void fail(ChannelHandlerContext ctx) {
    upgradeFailed(ctx);
    ctx.close();
  }

  private static String header(String[] lines, String name) {
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
        return lines[i].substring(colon + 1).trim();
      }
    }
    return null;
  }

  private String expectedAccept() {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int indexOf(ByteBuf b, byte[] needle) {
    int last = b.writerIndex() - needle.length;
    for (int i = b.readerIndex(); i <= last; i++) {
      int j = 0;
      while (j < needle.length && b.getByte(i + j) == needle[j]) {
        j++;
      }
      if (j == needle.length) {
        return i;
      }
    }
    return -1;
  }

  /** Reads every whole frame in {@code b}, leaving its reader index at the first incomplete one. */
  private void readFrames(ChannelHandlerContext ctx, ByteBuf b, long recvUs) {
    while (ctx.channel().isOpen()) {
      int r = b.readerIndex();
      int avail = b.writerIndex() - r;
      if (avail < 2) {
        return;
      }
      int b0 = b.getByte(r) & 0xff;
      int b1 = b.getByte(r + 1) & 0xff;
      int head = 2;
      long len = b1 & 0x7f;
      if (len == 126) {
        if (avail < 4) {
          return;
        }
        len = b.getUnsignedShort(r + 2);
        head = 4;
      } else if (len == 127) {
        if (avail < 10) {
          return;
        }
        len = b.getLong(r + 2);
        head = 10;
      }
      int op = b0 & 0x0f;
      boolean fin = (b0 & 0x80) != 0;
      // a server's frames are never masked, carry no extension bits here, and stay within bounds
      if ((b1 & 0x80) != 0 || (b0 & 0x70) != 0 || len < 0 || len > maxMessage
          || (op >= 8 && (!fin || len > 125))) {
        protocolError(ctx, "bad frame header " + Integer.toHexString(b0) + " " + Integer.toHexString(b1) + ", length " + len);
        return;
      }
      if (avail < head + len) {
        return;
      }
      int start = r + head;
      int end = start + (int) len;
      b.readerIndex(end);
      switch (op) {
        case 1, 2 -> {
          if (fragments != null) {
            protocolError(ctx, "a data frame inside a fragmented message");
            return;
          }
          if (fin) {
            message(ctx, b, start, end, op == 1, recvUs);
          } else {
            fragments = ctx.alloc().heapBuffer((int) Math.max(len * 2, 256));
            fragments.writeBytes(b, start, (int) len);
            fragmentsText = op == 1;
          }
        }
        case 0 -> {
          if (fragments == null || fragments.readableBytes() + len > maxMessage) {
            protocolError(ctx, fragments == null ? "a continuation frame with no message begun" : "a message over " + maxMessage + " bytes");
            return;
          }
          fragments.writeBytes(b, start, (int) len);
          if (fin) {
            ByteBuf whole = fragments;
            fragments = null;
            try {
              message(ctx, whole, whole.readerIndex(), whole.writerIndex(), fragmentsText, recvUs);
            } finally {
              whole.release();
            }
          }
        }
        case 9 -> ctx.writeAndFlush(frame(ctx.alloc(), 0xA, b, start, (int) len));
        case 10 -> {
        }
        case 8 -> {
          // answer with the server's code, as the protocol asks, then close
          if (!closeSent) {
            closeSent = true;
            ctx.writeAndFlush(frame(ctx.alloc(), 0x8, b, start, Math.min(2, (int) len)));
          }
          ctx.close();
          return;
        }
        default -> {
          protocolError(ctx, "opcode " + op);
          return;
        }
      }
    }
  }

  /** Closes a socket whose server broke the protocol, saying why. */
  private void protocolError(ChannelHandlerContext ctx, String why) {
    failed(why);
    ctx.close();
  }

  /** A socket is being closed because of {@code why} (a protocol error or an exception): for the log. */
  abstract void failed(String why);

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    failed(cause.toString());
    ctx.close();
  }

  /** Sends a text message (masked, one frame). */
  void sendText(ChannelHandlerContext ctx, String text) {
    byte[] p = text.getBytes(StandardCharsets.UTF_8);
    ctx.writeAndFlush(frame(ctx.alloc(), 0x1, io.netty.buffer.Unpooled.wrappedBuffer(p), 0, p.length));
  }

  /** A normal close starts with a close frame; a cut (close from the pipeline's head) skips this handler. */
  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (upgraded && !closeSent && ctx.channel().isActive()) {
      closeSent = true;
      ByteBuf code = ctx.alloc().heapBuffer(2).writeShort(1000);
      ctx.write(frame(ctx.alloc(), 0x8, code, 0, 2));
      code.release();
      ctx.flush();
    }
    ctx.close(promise);
  }

  /** One final client frame: header, a random mask, the payload masked. */
  static ByteBuf frame(ByteBufAllocator alloc, int op, ByteBuf payload, int from, int len) {
    ByteBuf f = alloc.buffer(len + 14);
    f.writeByte(0x80 | op);
    if (len < 126) {
      f.writeByte(0x80 | len);
    } else if (len < 65536) {
      f.writeByte(0x80 | 126).writeShort(len);
    } else {
      f.writeByte(0x80 | 127).writeLong(len);
    }
    int mask = ThreadLocalRandom.current().nextInt();
    f.writeInt(mask);
    for (int i = 0; i < len; i++) {
      f.writeByte(payload.getByte(from + i) ^ (mask >>> (8 * (3 - (i & 3)))));
    }
    return f;
  }
}
