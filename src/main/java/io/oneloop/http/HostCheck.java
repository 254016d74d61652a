package io.oneloop.http;

import io.netty.util.NetUtil;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code http.allowedHosts}, against DNS rebinding: with auth off, a page on a name its owner
 * points at this machine would count as this server's own origin. So a request's {@code Host}
 * must be an IP literal (a rebinding page cannot have one: its origin is a name), a loopback name
 * ({@code localhost}, {@code *.localhost}: browsers resolve those to loopback themselves),
 * {@code http.host} when that is a name, or one of {@code http.allowedHosts}; case and port do not
 * matter. A request without {@code Host} (HTTP/1.0) names nothing to rebind and passes.
 */
final class HostCheck {

  /** The probes: a load balancer or orchestrator may ask them under any name. */
  private static final Set<String> UNCHECKED_PATHS = Set.of("/health", "/health/live", "/health/ready");

  private final Set<String> allowed;

  HostCheck(List<String> allowedHosts, String httpHost) {
    this.allowed = allowedHosts.stream().map(HostCheck::canonical).collect(Collectors.toCollection(HashSet::new));
    if (httpHost != null && !httpHost.isEmpty()) {
      // An IP literal passes anyway; a name is the one this server was told to answer to.
      this.allowed.add(canonical(httpHost));
    }
  }

  /** Whether a request for {@code path} is checked at all: not the probes (exactly, so no dot segment can smuggle another path past). */
  static boolean checked(String path) {
    String p = path != null && path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return !UNCHECKED_PATHS.contains(p);
  }

  /** Whether a {@code Host} header (null: none sent) may be served. */
  boolean permits(String hostHeader) {
    if (hostHeader == null || hostHeader.isBlank()) {
      return true;
    }
    String value = hostHeader.trim();
    if (value.startsWith("[")) {
      int end = value.indexOf(']');
      return end > 1 && NetUtil.isValidIpV6Address(value.substring(1, end)) && isPortOrNothing(value.substring(end + 1));
    }
    int colon = value.lastIndexOf(':');
    String host = value;
    if (colon >= 0) {
      if (!isPortOrNothing(value.substring(colon))) {
        return false;
      }
      host = value.substring(0, colon);
    }
    if (NetUtil.isValidIpV4Address(host)) {
      return true;
    }
    String name = canonical(host);
    return name.equals("localhost") || name.endsWith(".localhost") || allowed.contains(name);
  }

  /** Lower case, without a DNS name's trailing dot ({@code Example.COM.} is {@code example.com}). */
  private static String canonical(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }

  /** {@code ""} or {@code ":digits"}. */
  private static boolean isPortOrNothing(String rest) {
    if (rest.isEmpty()) {
      return true;
    }
    if (rest.charAt(0) != ':' || rest.length() == 1 || rest.length() > 6) {
      return false;
    }
    for (int i = 1; i < rest.length(); i++) {
      if (rest.charAt(i) < '0' || rest.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
