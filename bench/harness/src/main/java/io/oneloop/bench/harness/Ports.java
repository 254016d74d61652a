package io.oneloop.bench.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

final class Ports {
  private Ports() {
  }

  /**
   * A currently free TCP port on 127.0.0.1, below the kernel's ephemeral range where it can: a
   * port from that range may be taken, before the server listens on it, as the local port of one
   * of the many outgoing connections (clients, cluster members) a run makes meanwhile.
   */
  static int free() throws IOException {
    int low = ephemeralLow();
    for (int i = 0; i < 50 && low > 11_000; i++) {
      int port = ThreadLocalRandom.current().nextInt(10_000, low);
      if (bindable(port)) {
        return port;
      }
    }
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      s.setReuseAddress(true);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The first port of the kernel's ephemeral range (32768 when it cannot be read). */
  private static int ephemeralLow() {
    try {
      // readAllLines: Files.readString read this /proc file short here ("3")
      return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim()
          .split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
