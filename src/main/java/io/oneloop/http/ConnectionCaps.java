package io.oneloop.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code bridge.maxConnections} and {@code bridge.maxConnectionsPerIp}, counted over every HTTP
 * instance. The peer is the socket's remote address, or, when that is one of
 * {@code http.trustedProxies}, the first untrusted hop of {@code X-Forwarded-For} read from the
 * right; loopback peers are not capped per address (local tools, a proxy on the same machine).
 */
public final class ConnectionCaps {

  private final int max;
  private final int maxPerIp;
  private final Set<String> trustedProxies;
  private final AtomicInteger total = new AtomicInteger();
  private final Map<String, AtomicInteger> perIp = new ConcurrentHashMap<>();

  public ConnectionCaps(int max, int maxPerIp, List<String> trustedProxies) {
    this.max = max;
    this.maxPerIp = maxPerIp;
    this.trustedProxies = Set.copyOf(trustedProxies);
  }

  /** The client's address as far as it can be trusted. */
  public String peer(HttpServerRequest request) {
    return peer(request.remoteAddress(), request.getHeader("X-Forwarded-For"));
  }

  /**
   * The same from the connection's remote address and its {@code X-Forwarded-For} header (null
   * when absent): what a SockJS session knows of the request that opened it.
   */
  public String peer(SocketAddress remote, String forwardedFor) {
    String host = remote == null ? "unknown" : remote.hostAddress();
    if (forwardedFor == null || !trustedProxies.contains(host)) {
      return host;
    }
    String[] hops = forwardedFor.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (!hop.isEmpty() && !trustedProxies.contains(hop)) {
        return hop.length() > 64 ? hop.substring(0, 64) : hop;
      }
    }
    return host;
  }

  /** Counts a new connection from {@code peer}, or refuses it (null) with the reason. */
  public String tryOpen(String peer) {
    if (total.incrementAndGet() > max) {
      total.decrementAndGet();
      return "the server has bridge.maxConnections (" + max + ") connections";
    }
    if (!isLoopback(peer)) {
      AtomicInteger count = perIp.computeIfAbsent(peer, p -> new AtomicInteger());
      if (count.incrementAndGet() > maxPerIp) {
        count.decrementAndGet();
        total.decrementAndGet();
        return "this address has bridge.maxConnectionsPerIp (" + maxPerIp + ") connections";
      }
    }
    return null;
  }

  /** A connection counted by {@link #tryOpen} has ended. */
  public void closed(String peer) {
    total.decrementAndGet();
    if (!isLoopback(peer)) {
      AtomicInteger count = perIp.get(peer);
      if (count != null && count.decrementAndGet() <= 0) {
        perIp.remove(peer, count);
      }
    }
  }

  static boolean isLoopback(String address) {
    return address.startsWith("127.") || address.equals("0:0:0:0:0:0:0:1") || address.equals("::1") || address.equals("localhost");
  }
}
