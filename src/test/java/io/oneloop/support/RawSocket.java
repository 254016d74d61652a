package io.oneloop.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket that reads nothing after the handshake: nothing drains it
 * behind the test's back, so it is how a test plays a client that stops reading.
 */
public final class RawSocket implements AutoCloseable {

  private static final int CONNECT_TIMEOUT_MS = 5000;
  private static final int HANDSHAKE_TIMEOUT_MS = 10_000;
  /** The longest answer to the upgrade request read before giving up on it. */
  private static final int MAX_HEAD = 8192;

  private final Socket socket;
  private final OutputStream out;

  private RawSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
  }

  /** The connection itself, for a test that writes to it on its own. */
  public Socket socket() {
    return socket;
  }

  /**
   * Opens {@code ws://127.0.0.1:<port><path>} with a receive buffer of {@code receiveBufferBytes}
   * (small, so the server's writes back up soon) and returns once the server answered 101.
   */
  public static RawSocket connect(int port, String path, int receiveBufferBytes) throws IOException {
    Socket socket = new Socket();
    try {
      socket.setReceiveBufferSize(receiveBufferBytes);
      socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MS);
      socket.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
      // Bytes sent before the 101 answer are not yet the WebSocket's.
      String head = readHead(socket.getInputStream());
      if (!head.startsWith("HTTP/1.1 101")) {
        throw new IOException("no WebSocket upgrade on " + path + ": " + head);
      }
      socket.setSoTimeout(0);
      return new RawSocket(socket);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      if (head.length() > MAX_HEAD) {
        throw new IOException("no end to the upgrade answer: " + head);
      }
      int b = in.read();
      if (b < 0) {
        throw new IOException("the server closed the connection during the handshake: " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }

  /** Sends {@code text} as one final text frame, masked as a client's must be. */
  public void sendText(String text) throws IOException {
    sendFrame(0x1, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends one frame of a message: {@code opcode} 1 (text), 2 (binary) or 0 (continuation), final or not. */
  public void sendFragment(int opcode, boolean fin, byte[] payload) throws IOException {
    sendFrame(opcode, fin, payload.clone());
  }

  /** One frame the server sent: its opcode and payload. */
  public record Frame(int opcode, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** A close frame's status code, or -1. */
    public int closeCode() {
      return opcode == 0x8 && payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
    }
  }

  /**
   * Reads the server's frames until its close frame or the end of the connection, within
   * {@code timeoutMs}; returns what came, the close frame last if one came.
   */
  public java.util.List<Frame> readUntilClose(long timeoutMs) throws IOException {
    java.util.List<Frame> frames = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
    try {
      while (System.nanoTime() < deadline) {
        socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        int first = in.read();
        if (first < 0) {
          return frames;
        }
        int second = in.readUnsignedByte();
        long length = second & 0x7F;
        if (length == 126) {
          length = in.readUnsignedShort();
        } else if (length == 127) {
          length = in.readLong();
        }
        if (length > 16 * 1024 * 1024) {
          throw new IOException("a frame of " + length + " bytes");
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        Frame frame = new Frame(first & 0x0F, payload);
        frames.add(frame);
        if (frame.opcode() == 0x8) {
          return frames;
        }
      }
    } catch (SocketTimeoutException | java.io.EOFException e) {
      return frames;
    } catch (SocketException e) {
      return frames; // reset by the server
    }
    return frames;
  }

  /** Sends a ping (at most 125 bytes of payload), which the server answers with a pong of the same payload. */
  public void sendPing(byte[] payload) throws IOException {
    sendFrame(0x9, payload);
  }

  /**
   * Reads and drops what the server sent until the connection ends (end of stream or reset);
   * false if it is still open after {@code timeoutMs}.
   */
  public boolean awaitEnd(long timeoutMs) throws IOException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    InputStream in = socket.getInputStream();
    byte[] sink = new byte[64 * 1024];
    while (System.nanoTime() < deadline) {
      socket.setSoTimeout((int) Math.max(1, Math.min(500, (deadline - System.nanoTime()) / 1_000_000)));
      try {
        if (in.read(sink) < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        // nothing came in that time: look at the clock again
      } catch (SocketException e) {
        return true; // reset by the server
      }
    }
    return false;
  }

  private void sendFrame(int opcode, byte[] payload) throws IOException {
    sendFrame(opcode, true, payload);
  }

  private void sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    out.write((fin ? 0x80 : 0) | opcode);
    if (payload.length < 126) {
      out.write(0x80 | payload.length);
    } else if (payload.length <= 0xFFFF) {
      out.write(0x80 | 126);
      out.write(payload.length >>> 8);
      out.write(payload.length & 0xFF);
    } else {
      out.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) ((long) payload.length >>> shift) & 0xFF);
      }
    }
    out.write(mask);
    for (int i = 0; i < payload.length; i++) {
      payload[i] ^= mask[i % 4];
    }
    out.write(payload);
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
