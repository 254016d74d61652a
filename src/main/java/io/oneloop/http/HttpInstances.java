package io.oneloop.http;

import io.oneloop.bridge.BridgeSockets;
import io.oneloop.bridge.FanoutBridge;
import io.oneloop.bridge.HistoryStore;
import io.oneloop.bridge.Presence;
import io.oneloop.bridge.PresenceOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the instances of one HTTP server share: the port they listen on, the count of their bridge
 * sockets, the bridge's history and presence, their engines (for a disconnect), the cluster's
 * members as this node sees them, and one "listening" line in the log.
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
  private final Presence presence;
  private final String nodeId;
  private final Supplier<List<String>> members;
  private final List<FanoutBridge> engines = new CopyOnWriteArrayList<>();
  /** The presence of a server built without one: none tracked, made by the first instance that asks. */
  private Presence fallbackPresence;

  /** @param port the configured port; 0 for one picked at random and shared by every instance */
  public HttpInstances(int port, HistoryStore history) {
    this(port, history, null, PresenceOptions.LOCAL_NODE, () -> List.of(PresenceOptions.LOCAL_NODE));
  }

  /**
   * @param presence the process's presence (null: none tracked)
   * @param nodeId this node's id
   * @param members the ids of the cluster's members now, this node's among them
   */
  public HttpInstances(int port, HistoryStore history, Presence presence, String nodeId, Supplier<List<String>> members) {
    this.listenPort = port != 0 ? port : -RANDOM_PORT_KEYS.incrementAndGet();
    this.history = history;
    this.presence = presence;
    this.nodeId = nodeId;
    this.members = members;
  }

  /** The process's presence: the one given, else one that tracks nothing. */
  public synchronized Presence presence(Vertx vertx) {
    if (presence == null) {
      return fallbackPresence == null ? fallbackPresence = Presence.none(vertx) : fallbackPresence;
    }
    return presence;
  }

  String nodeId() {
    return nodeId;
  }

  List<String> members() {
    return members.get();
  }

  void engine(FanoutBridge engine) {
    engines.add(engine);
  }

  /** Closes the matching sockets of every engine of this server: how many. */
  Future<Integer> disconnect(String user, String connId, String reason) {
    List<Future<Integer>> closed = engines.stream().map(e -> e.disconnect(user, connId, reason)).toList();
    return Future.all(closed).map(all -> closed.stream().mapToInt(Future::result).sum());
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
