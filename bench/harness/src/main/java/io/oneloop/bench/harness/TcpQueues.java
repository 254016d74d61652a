package io.oneloop.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's view of one loopback TCP connection, from {@code /proc/net/tcp} (and
 * {@code tcp6}): the state and send queue of the server's end, the receive queue of the client's
 * end. What a server has queued for a client that stopped reading is what it wrote minus what
 * these two queues hold.
 */
final class TcpQueues {

  static final int ESTABLISHED = 1;

  /** The server's end: state ({@code -1} when it is gone) and bytes in its send queue. */
  int serverState = -1;
  long serverSendQueue;
  /** The client's end: state ({@code -1} when it is gone) and bytes in its receive queue. */
  int clientState = -1;
  long clientRecvQueue;

  private TcpQueues() {
  }

  /** The connection between {@code serverPort} and {@code clientPort} now. */
  static TcpQueues read(int serverPort, int clientPort) {
    TcpQueues q = new TcpQueues();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines;
      try {
        lines = Files.readAllLines(Path.of(table));
      } catch (IOException e) {
        continue;
      }
      for (int i = 1; i < lines.size(); i++) {
        // sl local_address rem_address st tx_queue:rx_queue ...
        String[] f = lines.get(i).trim().split("\\s+");
        if (f.length < 5) {
          continue;
        }
        try {
          match(q, f, serverPort, clientPort);
        } catch (NumberFormatException e) {
          // a line in another format: not ours
        }
      }
    }
    return q;
  }

  private static void match(TcpQueues q, String[] f, int serverPort, int clientPort) {
    int local = port(f[1]);
    int remote = port(f[2]);
    int colon = f[4].indexOf(':');
    if (colon < 0) {
      return;
    }
    int state = Integer.parseInt(f[3], 16);
    if (local == serverPort && remote == clientPort) {
      q.serverState = state;
      q.serverSendQueue = Long.parseLong(f[4].substring(0, colon), 16);
    } else if (local == clientPort && remote == serverPort) {
      q.clientState = state;
      q.clientRecvQueue = Long.parseLong(f[4].substring(colon + 1), 16);
    }
  }

  /** Bytes the kernel holds for the connection on its way from the server to the client. */
  long kernelBytes() {
    return serverSendQueue + clientRecvQueue;
  }

  private static int port(String address) {
    int colon = address.lastIndexOf(':');
    return colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1), 16);
  }
}
