package io.oneloop.app;

import io.oneloop.Addresses;
import io.oneloop.bridge.BridgePermissions;
import io.oneloop.chat.ChatVerticle;
import io.oneloop.jobs.JobManager;
import io.oneloop.jobs.JobTypes;
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

import java.util.List;
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
  private JobManager jobs;
  private String shutdownStep;

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
    supervisor.firstExit().onSuccess(this::shutdown);

    JsonObject httpConfig = new JsonObject()
      .put("host", config.host())
      .put("port", config.port())
      .put("bridge", config.bridge());
    jobs = new JobManager(vertx, config.jobs(), new JobTypes(config.jobs().types(), BridgePermissions.outbound(config.bridge())));
    Future<Void> chain = supervisor.deployService("HTTP", "server", () -> new HttpVerticle(state, jobs), new DeploymentOptions().setConfig(httpConfig))
      .compose(v -> supervisor.deployService("chat", "service", ChatVerticle::new, new DeploymentOptions()));
    List<AppConfig.HookSpec> hooks = config.startupHooks();
    for (int i = 0; i < hooks.size(); i++) {
      AppConfig.HookSpec hook = hooks.get(i);
      String name = "startup hook " + (i + 1) + " (" + hook.type() + ")";
      chain = chain.compose(v -> shuttingDown ? Future.succeededFuture() : jobs.runHook(hook.type(), hook.params(), hook.timeoutMs())
        .<Void>mapEmpty()
        .onSuccess(x -> log.info("{} done", name))
        .recover(cause -> Future.failedFuture(new Supervisor.StartFailure(name + " failed: " + cause.getMessage()))));
    }
    for (AppConfig.TaskSpec spec : config.tasks()) {
      chain = chain.compose(v -> shuttingDown ? Future.succeededFuture() : supervisor.deployTask(spec));
    }
    return chain
      .onSuccess(v -> {
        state.markReady();
        log.info("oneloop started: {} task(s), serving on http://{}:{}", config.tasks().size(), config.host(), state.httpPort());
      })
      .onFailure(cause -> {
        supervisor.abandon();
        jobs.close();
      })
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

  /**
   * One budget, {@code shutdownTimeoutMs}, for the whole shutdown, in this order: stop taking work
   * (health 503, no new jobs, the notice to browsers); cancel the jobs and wait for them; stop the
   * tasks, last first; run the shutdown hooks; stop the services, the HTTP server last.
   */
  private void runShutdown(Outcome outcome) {
    long budget = config == null ? 10_000 : config.shutdownTimeoutMs();
    long deadline = System.currentTimeMillis() + budget;
    state.markStopping();
    vertx.eventBus().publish(Addresses.SERVER, new JsonObject().put("event", "shutdown"));
    Promise<Outcome> done = Promise.promise();
    long timer = vertx.setTimer(budget, id -> {
      String pending = shutdownStep;
      if ("stopping the tasks".equals(pending) && supervisor.stillStopping() != null) {
        pending = supervisor.stillStopping();
      }
      if (jobs != null) {
        jobs.abandonRunning();
      }
      done.tryComplete(Outcome.failed("shutdown took longer than shutdownTimeoutMs (" + budget + " ms)"
        + (pending == null ? "" : "; still stopping: " + pending)));
    });
    Future<Void> stopped = supervisor == null || jobs == null ? Future.succeededFuture()
      : step("the running jobs", jobs.drain())
        .compose(v -> step("stopping the tasks", supervisor.stopTasks()))
        .compose(v -> runShutdownHooks(deadline))
        .compose(v -> step("the last messages", eventLoopsCaughtUp().compose(x -> eventLoopsCaughtUp())))
        .compose(v -> step("the services", supervisor.stopServices()))
        .onComplete(ar -> jobs.close());
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

  /**
   * Completes once every event loop has run what was queued on it before: the deliveries of the
   * shutdown notice and of the jobs' last records to the bridge sockets are written before the
   * HTTP server closes those sockets. Twice over, as a delivery may queue one more write.
   */
  private Future<Void> eventLoopsCaughtUp() {
    List<Future<Void>> loops = new java.util.ArrayList<>();
    ((VertxInternal) vertx).nettyEventLoopGroup().forEach(loop -> {
      Promise<Void> ran = Promise.promise();
      loop.execute(ran::complete);
      loops.add(ran.future());
    });
    return Future.all(loops).mapEmpty();
  }

  private Future<Void> step(String name, Future<Void> work) {
    shutdownStep = name;
    return work;
  }

  /** Each hook in order, each bounded by its own time-out and by what is left of the budget; a failure is logged. */
  private Future<Void> runShutdownHooks(long deadline) {
    Future<Void> chain = Future.succeededFuture();
    List<AppConfig.HookSpec> hooks = config.shutdownHooks();
    for (int i = 0; i < hooks.size(); i++) {
      AppConfig.HookSpec hook = hooks.get(i);
      String name = "shutdown hook " + (i + 1) + " (" + hook.type() + ")";
      chain = chain.compose(v -> {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          log.warn("{} skipped: no shutdown budget left", name);
          return Future.succeededFuture();
        }
        return step(name, jobs.runHook(hook.type(), hook.params(), Math.min(hook.timeoutMs(), left))
          .onSuccess(x -> log.info("{} done", name))
          .onFailure(cause -> log.error("{} failed: {}", name, cause.getMessage()))
          .<Void>mapEmpty()
          .otherwiseEmpty());
      });
    }
    return chain;
  }
}
