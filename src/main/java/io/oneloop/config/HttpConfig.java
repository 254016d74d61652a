package io.oneloop.config;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The {@code http} config: where the HTTP server listens (port 0: any free port), how many
 * instances of it share that port (each on its own event loop with its own bridge engine), how
 * long a request may take to arrive, how long a connection may sit idle, how large a body may be,
 * which peers are proxies whose {@code X-Forwarded-For} is believed, how many connections may
 * be open at once over all instances, and which host names a request's {@code Host} may carry
 * with auth off (besides IP literals, loopback names and {@code host} itself), and how many
 * messages one caller may publish a second through {@code POST /api/publish} (burst the same).
 */
public record HttpConfig(String host, int port, int instances, long requestTimeoutMs, long idleTimeoutMs, long maxBodyBytes,
                         List<String> trustedProxies, int maxConnections, List<String> allowedHosts, int maxPublishPerSecond) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final long DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;
  public static final long DEFAULT_MAX_BODY_BYTES = 64 * 1024;
  /** Above bridge.maxConnections' default, so HTTP requests still get through with the bridge full. */
  public static final int DEFAULT_MAX_CONNECTIONS = 12_000;
  public static final int DEFAULT_MAX_PUBLISH_PER_SECOND = 1000;

  public HttpConfig {
    trustedProxies = List.copyOf(trustedProxies);
    allowedHosts = List.copyOf(allowedHosts);
  }

  /** Host, port and instances, every limit at its default. */
  public HttpConfig(String host, int port, int instances) {
    this(host, port, instances, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES, List.of(),
      DEFAULT_MAX_CONNECTIONS, List.of(), DEFAULT_MAX_PUBLISH_PER_SECOND);
  }

  /**
   * Whether the server listens on the loopback interface only: {@code localhost}, or a literal
   * loopback address in any spelling ({@code 127.1.2.3}, {@code ::1}, {@code [::1]},
   * {@code 0:0:0:0:0:0:0:1}). Any other host name counts as open: it is not looked up here, and
   * what it resolves to may change.
   */
  public boolean loopbackOnly() {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    // Parsed as a literal only (brackets and an IPv6 zone allowed); null for a name, so no DNS.
    byte[] address = NetUtil.createByteArrayFromIpAddressString(host);
    if (address == null) {
      return false;
    }
    try {
      return InetAddress.getByAddress(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      // Only for a byte array of the wrong length, which the parser never returns.
      return false;
    }
  }
}
