package io.oneloop.bench.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

final class Ports {
  private Ports() {
  }

  /** A currently free TCP port on 127.0.0.1. */
  static int free() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
