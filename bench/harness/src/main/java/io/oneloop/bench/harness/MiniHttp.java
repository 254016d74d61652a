package io.oneloop.bench.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A tiny HTTP/1.1 GET client (Connection: close) for /health and /control on 127.0.0.1. */
final class MiniHttp {
  private MiniHttp() {
  }

  record Response(int status, String body) {
  }

  static int status(int port, String path, int timeoutMs) {
    try {
      return get(port, path, timeoutMs).status();
    } catch (IOException e) {
      return -1;
    }
  }

  static Response get(int port, String path, int timeoutMs) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
      s.setSoTimeout(timeoutMs);
      s.setTcpNoDelay(true);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      byte[] b = new byte[4096];
      int n;
      while ((n = in.read(b)) > 0) {
        buf.write(b, 0, n);
        if (buf.size() > 1 << 20) {
          break;
        }
      }
      String text = buf.toString(StandardCharsets.ISO_8859_1);
      int sp = text.indexOf(' ');
      if (!text.startsWith("HTTP/") || sp < 0 || text.length() < sp + 4) {
        throw new IOException("not an HTTP response");
      }
      int status = Integer.parseInt(text.substring(sp + 1, sp + 4));
      int bodyAt = text.indexOf("\r\n\r\n");
      String body = bodyAt < 0 ? "" : text.substring(bodyAt + 4);
      return new Response(status, body);
    }
  }
}
