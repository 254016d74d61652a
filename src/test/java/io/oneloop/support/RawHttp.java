package io.oneloop.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** HTTP as bytes on a socket, for requests no HTTP client would send: broken, trickled, or never finished. */
public final class RawHttp implements AutoCloseable {

  private final Socket socket;

  private RawHttp(Socket socket) {
    this.socket = socket;
  }

  public static RawHttp connect(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(15_000);
    return new RawHttp(socket);
  }

  public RawHttp send(String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    return this;
  }

  /** Everything the server sends until it closes the connection (bounded by the socket's read time-out). */
  public String readUntilClosed() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new IOException("the server did not close the connection; got so far: " + out.toString(StandardCharsets.UTF_8), e);
    } catch (IOException e) {
      // A reset after the answer still leaves the answer.
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The response's status line and headers, up to the blank line. */
  public String readHead() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    while (!out.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0 || out.size() > 65_536) {
        break;
      }
      out.write(b);
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * Sends one more byte of a body every {@code everyMs} (the wait for an answer in between is the
   * pace) until the server closes the connection, and returns what it answered; fails if the
   * connection is still open after {@code maxMs}.
   */
  public String trickleUntilClosed(long everyMs, long maxMs) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    long deadline = System.nanoTime() + maxMs * 1_000_000;
    boolean writable = true;
    try {
      while (System.nanoTime() < deadline) {
        if (writable) {
          try {
            socket.getOutputStream().write('x');
            socket.getOutputStream().flush();
          } catch (IOException e) {
            // The server closed its side: what it answered is still to be read.
            writable = false;
          }
        }
        socket.setSoTimeout((int) Math.max(1, Math.min(everyMs, (deadline - System.nanoTime()) / 1_000_000)));
        try {
          int n = in.read(buffer);
          if (n < 0) {
            return out.toString(StandardCharsets.UTF_8);
          }
          out.write(buffer, 0, n);
        } catch (SocketTimeoutException e) {
          // nothing yet: the next byte
        }
      }
    } catch (IOException e) {
      // A reset after the answer still leaves the answer.
      return out.toString(StandardCharsets.UTF_8);
    } finally {
      socket.setSoTimeout(15_000);
    }
    throw new IOException("the connection was still open after " + maxMs + " ms of trickling; got so far: "
      + out.toString(StandardCharsets.UTF_8));
  }

  /** One whole response whose length is given by {@code Content-Length}: head and body. */
  public String readResponse() throws IOException {
    String head = readHead();
    int length = 0;
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    byte[] body = socket.getInputStream().readNBytes(length);
    return head + new String(body, StandardCharsets.UTF_8);
  }

  /** The status code of a raw response, or -1. */
  public static int status(String response) {
    if (!response.startsWith("HTTP/1.")) {
      return -1;
    }
    return Integer.parseInt(response.substring(9, 12));
  }

  /** The body of a raw response (after the blank line). */
  public static String body(String response) {
    int at = response.indexOf("\r\n\r\n");
    return at < 0 ? "" : response.substring(at + 4);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
