package io.oneloop.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * One bridge frame on its way to clients, encoded at most once per wire format however many
 * clients get it. Lives for one delivery on one event loop; {@link #release()} frees its buffers.
 */
final class Outgoing {

  private final JsonObject json;
  private String text;
  private ByteBuf utf8;
  private ByteBuf binaryFrame;
  private ByteBuf sockJsFrame;

  Outgoing(JsonObject json) {
    this.json = json;
  }

  /** A frame already encoded as UTF-8 JSON, e.g. by the history; the bytes are shared, never changed. */
  static Outgoing encoded(byte[] utf8Json) {
    Outgoing frame = new Outgoing(null);
    frame.utf8 = Unpooled.wrappedBuffer(utf8Json);
    return frame;
  }

  /** The JSON text, for transports that frame it themselves. */
  String text() {
    if (text == null) {
      text = utf8 != null ? utf8.toString(StandardCharsets.UTF_8) : json.encode();
    }
    return text;
  }

  /** The size of the JSON in UTF-8 bytes: what a client's queue is charged for it. */
  int size() {
    return utf8().readableBytes();
  }

  /** The raw path's binary WebSocket frame. */
  ByteBuf binaryFrame() {
    if (binaryFrame == null) {
      binaryFrame = Frames.binary(utf8());
    }
    return binaryFrame;
  }

  /** SockJS's WebSocket text frame {@code a["..."]} holding just this message. */
  ByteBuf sockJsFrame() {
    if (sockJsFrame == null) {
      sockJsFrame = Frames.sockJsArray(text());
    }
    return sockJsFrame;
  }

  /** The size of the message's JSON in bytes (encoded once, and kept for the frames). */
  long jsonBytes() {
    return utf8().readableBytes();
  }

  private ByteBuf utf8() {
    if (utf8 == null) {
      utf8 = ((BufferInternal) json.toBuffer()).getByteBuf();
    }
    return utf8;
  }

  /** Frees the encoded frames; clients that were handed one hold their own reference. */
  void release() {
    if (binaryFrame != null) {
      binaryFrame.release();
    }
    if (sockJsFrame != null) {
      sockJsFrame.release();
    }
  }
}
