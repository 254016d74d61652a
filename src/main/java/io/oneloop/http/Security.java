package io.oneloop.http;

import io.oneloop.auth.Authenticator;
import io.oneloop.bridge.BridgeLimits;
import io.oneloop.bridge.BridgeListener;
import io.oneloop.config.AppConfig;
import io.oneloop.metrics.AppMetrics;
import io.oneloop.metrics.HttpMetrics;
import io.vertx.core.Vertx;

/**
 * What every HTTP server instance of one app shares to hold under abuse: the token checks, the
 * refusal counts, the bridge's connection caps, the cap on all the server's connections and each
 * caller's rate on {@code POST /api/publish}.
 */
public record Security(Authenticator auth, Refusals refusals, ConnectionCaps caps, OpenConnections connections,
                       PublishRate publishRate) {

  public static Security create(Vertx vertx, AppConfig config) {
    BridgeLimits limits = config.bridge().limits();
    return new Security(Authenticator.create(vertx, config.auth()), new Refusals(reason -> bridgeListener(vertx).refused(reason)),
      new ConnectionCaps(limits.maxConnections(), limits.maxConnectionsPerIp(), config.http().trustedProxies()),
      new OpenConnections(config.http().maxConnections(), () -> HttpMetrics.of(vertx).refusedMaxConnections()),
      new PublishRate(config.http().maxPublishPerSecond()));
  }

  /** What the bridge of the app on {@code vertx} reports to: its metrics, or nothing when it runs without them. */
  static BridgeListener bridgeListener(Vertx vertx) {
    AppMetrics metrics = AppMetrics.of(vertx);
    return metrics == null ? BridgeListener.NOOP : metrics.bridge();
  }
}
