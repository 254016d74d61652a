package io.oneloop;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.oneloop.app.AppLifecycle;
import io.oneloop.supervision.Outcome;
import io.oneloop.config.AppConfig;
import io.oneloop.config.ConfigException;
import io.oneloop.config.ConfigLoader;
import io.oneloop.config.WorkingDirectory;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxException;
import io.vertx.core.internal.VertxInternal;

import java.util.function.Consumer;

/**
 * Deploys the HTTP server and one verticle per configured task, then supervises them: when the
 * first of them ends or fails, or a stop is asked for, it stops them in reverse order.
 */
public class MainVerticle extends VerticleBase {

  private final AppConfig givenConfig;
  private final Consumer<Outcome> onStopped;
  private final PrometheusMeterRegistry vertxRegistry;
  private AppLifecycle lifecycle;

  /**
   * As deployed by a launcher: the config is the deployment's JSON, completed and checked as
   * {@link Main} does; when the app stops by itself, Vert.x is closed.
   */
  public MainVerticle() {
    this(null, null, null);
  }

  /** {@code onStopped} gets the outcome once the children are stopped (or the stop overran its budget). */
  public MainVerticle(AppConfig config, Consumer<Outcome> onStopped) {
    this(config, onStopped, null);
  }

  /**
   * {@code vertxRegistry}: the registry Vert.x's own metrics are on, which oneloop's series join;
   * null for a registry of oneloop's own (as under a launcher that started Vert.x without metrics).
   */
  public MainVerticle(AppConfig config, Consumer<Outcome> onStopped, PrometheusMeterRegistry vertxRegistry) {
    this.givenConfig = config;
    this.onStopped = onStopped;
    this.vertxRegistry = vertxRegistry;
  }

  @Override
  public Future<?> start() {
    AppConfig config;
    try {
      config = givenConfig != null ? givenConfig : ConfigLoader.loadDeployed(config(), System.getenv());
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    String webroot = WorkingDirectory.webrootProblem();
    if (webroot != null) {
      return Future.failedFuture(new VertxException(webroot, true));
    }
    if (config.cluster().enabled() && !vertx.isClustered()) {
      // A launcher that started Vert.x itself did so without oneloop's Hazelcast setup.
      return Future.failedFuture(new VertxException("cluster.enabled is true, but this Vert.x was started without "
        + "oneloop's cluster: start a cluster node with io.oneloop.Main (java -jar target/oneloop.jar)", true));
    }
    lifecycle = new AppLifecycle(vertx, context, config, onStopped != null ? onStopped : outcome -> vertx.close(), vertxRegistry);
    // Vert.x runs close hooks before it undeploys anything: a close from outside (the legacy
    // launcher's signal hook, an embedding app) still gets the ordered shutdown.
    ((VertxInternal) vertx).addCloseHook(completion ->
      context.runOnContext(v -> lifecycle.stopFromOutside().onComplete(ar -> completion.succeed())));
    return lifecycle.start();
  }

  /** Vert.x is closing this verticle (e.g. the legacy launcher on a signal): stop the children first. */
  @Override
  public Future<?> stop() {
    return lifecycle == null ? Future.succeededFuture() : lifecycle.stopFromOutside();
  }

  /** Starts the graceful shutdown, as SIGINT or SIGTERM do; safe to call from any thread. */
  public void shutdown(String reason) {
    context.runOnContext(v -> lifecycle.shutdown(Outcome.ok(reason)));
  }

  /** The termination future, or null while the start has not begun. */
  Future<Outcome> terminatedOrNull() {
    return lifecycle == null ? null : lifecycle.terminated();
  }

  /** Completes with the outcome once the app has stopped its children. */
  public Future<Outcome> terminated() {
    return lifecycle.terminated();
  }

  /** The bound HTTP port (the real one when configured as 0), or -1 before it listens. */
  public int httpPort() {
    return lifecycle == null ? -1 : lifecycle.state().httpPort();
  }
}
