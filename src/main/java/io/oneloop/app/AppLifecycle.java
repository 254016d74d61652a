package io.oneloop.app;

import io.oneloop.Addresses;
import io.oneloop.chat.ChatVerticle;
import io.oneloop.http.HttpVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * The app's phases: start (config, HTTP server, tasks in order), serve until the first child
 * ends or fails or a stop is asked for, then shut down within {@code shutdownTimeoutMs}.
 */
public final class AppLifecycle {

  private static final Logger log = LoggerFactory.getLogger(AppLifecycle.class);

  private final Vertx vertx;
  private final Context context;
  private final Consumer<Outcome> onStopped;
  private final AppState state = new AppState();
  private final Promise<Void> started = Promise.promise();
  private final Promise<Outcome> terminated = Promise.promise();
  private Supervisor supervisor;
  private AppConfig config;
  private boolean shuttingDown;
  private boolean closingFromOutside;

  public AppLifecycle(Vertx vertx, Context context, Consumer<Outcome> onStopped) {
    this.vertx = vertx;
    this.context = context;
    this.onStopped = onStopped;
  }

  public AppState state() {
    return state;
  }

  public AppConfig config() {
    return config;
  }

  public Future<Outcome> terminated() {
    return terminated.future();
  }

  /** Resolves and checks the config, then deploys the HTTP server and the tasks in config order. */
  public Future<Void> start(JsonObject given) {
    try {
      config = AppConfig.validate(ConfigLoader.resolveDeployed(given, System.getenv()), "config");
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    supervisor = new Supervisor(vertx, context);
    // Vert.x runs close hooks before it undeploys anything: a close from outside (the legacy
    // launcher's signal hook, an embedding app) still gets the ordered shutdown.
    ((VertxInternal) vertx).addCloseHook(completion ->
      context.runOnContext(v -> stopFromOutside().onComplete(ar -> completion.succeed())));
    var tasksList = vertx.eventBus().<Object>consumer(Addresses.TASKS_LIST,
      msg -> msg.reply(new JsonObject().put("tasks", supervisor.taskRecords())));
    terminated.future().onComplete(ar -> tasksList.unregister());
    supervisor.firstExit().onSuccess(this::shutdown);

    JsonObject httpConfig = new JsonObject()
      .put("host", config.host())
      .put("port", config.port())
      .put("bridge", config.bridge());
    Future<Void> chain = supervisor.deployService("http", () -> new HttpVerticle(state), new DeploymentOptions().setConfig(httpConfig))
      .compose(v -> supervisor.deployService("chat", ChatVerticle::new, new DeploymentOptions()));
    for (AppConfig.TaskSpec spec : config.tasks()) {
      chain = chain.compose(v -> shuttingDown ? Future.succeededFuture() : supervisor.deployTask(spec));
    }
    return chain
      .onSuccess(v -> {
        state.markReady();
        log.info("oneloop started: {} task(s), serving on http://{}:{}", config.tasks().size(), config.host(), state.httpPort());
      })
      .onFailure(cause -> supervisor.abandon())
      .onComplete(started);
  }

  /** Starts the graceful shutdown (once); later calls change nothing. */
  public Future<Outcome> shutdown(Outcome outcome) {
    if (shuttingDown) {
      return terminated.future();
    }
    shuttingDown = true;
    log.info("Shutting down: {}", outcome.reason());
    // A stop asked for during the start waits for the start to settle, then stops what started.
    started.future().onComplete(ar -> runShutdown(outcome));
    return terminated.future();
  }

  /** Vert.x is closing the main verticle: stop in order, but leave closing Vert.x to whoever started it. */
  public Future<Outcome> stopFromOutside() {
    closingFromOutside = true;
    return shutdown(Outcome.ok("Vert.x is closing"));
  }

  private void runShutdown(Outcome outcome) {
    long budget = config == null ? 10_000 : config.shutdownTimeoutMs();
    state.markStopping();
    vertx.eventBus().publish(Addresses.SERVER, new JsonObject().put("event", "shutdown"));
    Promise<Outcome> done = Promise.promise();
    long timer = vertx.setTimer(budget, id -> {
      String pending = supervisor == null ? null : supervisor.stillStopping();
      done.tryComplete(Outcome.failed("shutdown took longer than shutdownTimeoutMs (" + budget + " ms)"
        + (pending == null ? "" : "; still stopping: " + pending)));
    });
    Future<Void> stopped = supervisor == null ? Future.succeededFuture()
      : supervisor.stopTasks().compose(v -> supervisor.stopServices());
    stopped.onComplete(ar -> {
      vertx.cancelTimer(timer);
      done.tryComplete(outcome);
    });
    done.future().onSuccess(result -> {
      terminated.tryComplete(result);
      if (!closingFromOutside) {
        onStopped.accept(result);
      }
    });
  }
}
