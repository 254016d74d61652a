package io.oneloop.bridge;

import io.vertx.core.internal.net.RFC3986;

import java.util.regex.Pattern;

/**
 * Where the bridge's WebSocket transports live, judged by the request's path normalized exactly as
 * Vert.x Web's router normalizes it: every spelling the router would send to the SockJS handler's
 * WebSocket routes ({@code /eventbus//websocket}, {@code /eventbus/./websocket},
 * {@code /%65ventbus/1/a/websocket}...) is recognised here, so it reaches the engine.
 */
public final class BridgePaths {

  /** Where the bridge is mounted. */
  public static final String MOUNT = "/eventbus";
  /** SockJS's {@code /{server}/{session}/websocket}, as Vert.x's SockJS handler matches it. */
  private static final Pattern SOCKJS_WEBSOCKET = Pattern.compile("/[^/.]+/[^/.]+/websocket");

  private BridgePaths() {
  }

  /** The WebSocket transport a request path asks for, or null when it is not a bridge WebSocket path. */
  public static BridgeTransport webSocketTransport(String path) {
    if (path == null) {
      return null;
    }
    String normalized = RFC3986.normalizePath(path);
    if (!normalized.startsWith(MOUNT + "/")) {
      return null;
    }
    String rest = normalized.substring(MOUNT.length());
    // The router ignores one trailing slash on a plain path, never on a pattern.
    if ("/websocket".equals(rest) || "/websocket/".equals(rest)) {
      return BridgeTransport.RAW;
    }
    return SOCKJS_WEBSOCKET.matcher(rest).matches() ? BridgeTransport.SOCKJS_WEBSOCKET : null;
  }

  /** Whether a (normalized) path is the bridge's, where the page's security headers do not belong. */
  public static boolean isBridge(String normalizedPath) {
    return normalizedPath.equals(MOUNT) || normalizedPath.startsWith(MOUNT + "/");
  }
}
