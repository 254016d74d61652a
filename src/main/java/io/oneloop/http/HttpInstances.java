package io.oneloop.http;

import io.oneloop.bridge.BridgeSockets;
import io.oneloop.bridge.HistoryStore;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the instances of one HTTP server share: the port they listen on, the count of their bridge
 * sockets, the bridge's history, and one "listening" line in the log.
 */
public final class HttpInstances {

  /**
   * Vert.x lets servers share a port picked at random only when they ask with the same negative
   * number; each HTTP server gets its own, so two apps in one Vert.x never share a port by accident.
   */
  private static final AtomicInteger RANDOM_PORT_KEYS = new AtomicInteger();

  private final int listenPort;
  private final BridgeSockets bridgeSockets = new BridgeSockets();
  private final AtomicBoolean announced = new AtomicBoolean();
  private final HistoryStore history;

  /** @param port the configured port; 0 for one picked at random and shared by every instance */
  public HttpInstances(int port, HistoryStore history) {
    this.listenPort = port != 0 ? port : -RANDOM_PORT_KEYS.incrementAndGet();
    this.history = history;
  }

  public HistoryStore history() {
    return history;
  }

  int listenPort() {
    return listenPort;
  }

  public BridgeSockets bridgeSockets() {
    return bridgeSockets;
  }

  /** True for the first instance to ask: the one that says where the server listens. */
  boolean announce() {
    return announced.compareAndSet(false, true);
  }
}
