package io.oneloop.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Pre-encoded WebSocket frames and SockJS framing: a server's frames are not masked, so one
 * encoding serves every client of a wire format.
 */
final class Frames {

  private static final int TEXT = 0x81;
  private static final int BINARY = 0x82;
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /** SockJS's "o": the session is open. */
  static final ByteBuf SOCKJS_OPEN = Unpooled.unreleasableBuffer(text(ascii("o")));
  /** SockJS's "h": a heartbeat. */
  static final ByteBuf SOCKJS_HEARTBEAT = Unpooled.unreleasableBuffer(text(ascii("h")));

  private Frames() {
  }

  /** A final binary frame (opcode 2) holding the JSON, as Vert.x's bridge sends it to raw clients. */
  static ByteBuf binary(ByteBuf json) {
    return frame(BINARY, json);
  }

  /** A final text frame (opcode 1) holding {@code payload}. */
  static ByteBuf text(ByteBuf payload) {
    return frame(TEXT, payload);
  }

  /** The SockJS text frame {@code a["<json as a SockJS string>"]}: one message. */
  static ByteBuf sockJsArray(String json) {
    ByteBuf payload = Unpooled.buffer(json.length() + 8);
    payload.writeByte('a').writeByte('[');
    sockJsString(json, payload);
    payload.writeByte(']');
    try {
      return text(payload);
    } finally {
      payload.release();
    }
  }

  /** The SockJS close frame {@code c[code,"reason"]}, sent before the server closes a session. */
  static ByteBuf sockJsClose(int code, String reason) {
    return text(ascii("c" + new JsonArray().add(code).add(reason).encode()));
  }

  /**
   * Writes {@code text} as a JSON string the way Vert.x's SockJS server does (its JsonCodec): every
   * character from U+0080 up as a {@code \}{@code uXXXX} escape, control characters with JSON's
   * escapes, so the frame is plain ASCII that no browser transport mangles.
   */
  static void sockJsString(String text, ByteBuf out) {
    out.ensureWritable(text.length() + 2);
    out.writeByte('"');
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if (c >= 0x80) {
        unicodeEscape(c, out);
      } else if (c == '"' || c == '\\') {
        out.writeByte('\\').writeByte(c);
      } else if (c >= 0x20) {
        out.writeByte(c);
      } else {
        switch (c) {
          case '\b' -> out.writeByte('\\').writeByte('b');
          case '\t' -> out.writeByte('\\').writeByte('t');
          case '\n' -> out.writeByte('\\').writeByte('n');
          case '\f' -> out.writeByte('\\').writeByte('f');
          case '\r' -> out.writeByte('\\').writeByte('r');
          default -> unicodeEscape(c, out);
        }
      }
    }
    out.writeByte('"');
  }

  private static void unicodeEscape(char c, ByteBuf out) {
    out.writeByte('\\').writeByte('u')
      .writeByte(HEX[(c >> 12) & 0xF]).writeByte(HEX[(c >> 8) & 0xF])
      .writeByte(HEX[(c >> 4) & 0xF]).writeByte(HEX[c & 0xF]);
  }

  /** The payload inside a frame made here. */
  static byte[] payload(ByteBuf frame) {
    int lengthByte = frame.getByte(frame.readerIndex() + 1) & 0x7F;
    int header = lengthByte < 126 ? 2 : lengthByte == 126 ? 4 : 10;
    byte[] bytes = new byte[frame.readableBytes() - header];
    frame.getBytes(frame.readerIndex() + header, bytes);
    return bytes;
  }

  private static ByteBuf frame(int firstByte, ByteBuf payload) {
    int length = payload.readableBytes();
    int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
    ByteBuf frame = Unpooled.directBuffer(header + length);
    frame.writeByte(firstByte);
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

  private static ByteBuf ascii(String s) {
    return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.US_ASCII));
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
