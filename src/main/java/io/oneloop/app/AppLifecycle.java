package io.oneloop.app;

import io.oneloop.Addresses;
import io.oneloop.base.EventLoops;
import io.oneloop.config.AppConfig;
import io.oneloop.config.HookSpec;
import io.oneloop.config.TaskSpec;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.oneloop.jobs.JobManager;
import io.oneloop.logging.ConsoleLogging;
import io.oneloop.supervision.AppState;
import io.oneloop.supervision.Outcome;
import io.oneloop.supervision.StartFailure;
import io.oneloop.supervision.Supervisor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The app's phases: start (services, startup hooks, tasks in order), serve until the first child
 * ends or fails or a stop is asked for, then shut down within {@code shutdownTimeoutMs}.
 * What runs and how the parts meet is {@link Services}'. Runs on the main verticle's context.
 */
public final class AppLifecycle {

  private static final Logger log = LoggerFactory.getLogger(AppLifecycle.class);

  /** The hooks' two directions: a failed startup hook fails the start, a failed shutdown hook is logged. */
  private enum HookPhase {
    STARTUP("startup"),
    SHUTDOWN("shutdown");

    final String word;

    HookPhase(String word) {
      this.word = word;
    }
  }

  /** The shutdown's steps in order; {@code label} names the step in the message when the budget runs out. */
  private enum ShutdownStep {
    STOP_TAKING_WORK("taking no new work"),
    DRAIN_JOBS("the running jobs"),
    STOP_TASKS("stopping the tasks"),
    SHUTDOWN_HOOKS("the shutdown hooks"),
    FLUSH_BRIDGES("the last messages"),
    STOP_SERVICES("the services");

    final String label;

    ShutdownStep(String label) {
      this.label = label;
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final AppConfig config;
  private final Consumer<Outcome> onStopped;
  private final AppState state = new AppState();
  private final Promise<Void> started = Promise.promise();
  private final Promise<Outcome> terminated = Promise.promise();
  private final Services services;
  private final JobManager jobs;
  private Supervisor supervisor;
  private boolean shuttingDown;
  private boolean closingFromOutside;
  private ShutdownStep shutdownStep;
  /** The shutdown hook running now, named as in the log. */
  private String runningHook;
  /** When the shutdown budget runs out, on {@link System#nanoTime()}. */
  private long deadline;

  /** {@code config} is checked already; {@code onStopped} gets the outcome unless Vert.x itself is closing. */
  public AppLifecycle(Vertx vertx, Context context, AppConfig config, Consumer<Outcome> onStopped,
                      PrometheusMeterRegistry vertxRegistry) {
    this.vertx = vertx;
    this.context = context;
    this.config = config;
    this.onStopped = onStopped;
    this.services = new Services(vertx, context, config, state, vertxRegistry, terminated.future());
    this.jobs = services.jobs();
  }

  public AppState state() {
    return state;
  }

  public Future<Outcome> terminated() {
    return terminated.future();
  }

  /** Deploys the services, runs the startup hooks, then starts the tasks in config order. */
  public Future<Void> start() {
    ConsoleLogging.useFormat(config.ops().logFormat());
    services.connect();
    supervisor = services.supervisor();
    supervisor.firstExit().onSuccess(this::shutdown);

    return services.deploy()
      .compose(v -> runHooks(HookPhase.STARTUP))
      .compose(v -> startTasks())
      .onSuccess(v -> {
        state.markReady();
        log.info("oneloop started: {} task(s), serving on http://{}:{}{}", config.tasks().size(), config.http().host(),
          state.httpPort(), services.membership().clustered() ? "; cluster node " + services.membership().nodeId() + " of "
            + services.membership().members().size() + " on " + config.cluster().address() : "");
      })
      .onFailure(cause -> services.abandon())
      .onComplete(started);
  }

  /** Each task after the one before has started; none once a stop has been asked for. */
  private Future<Void> startTasks() {
    Future<Void> chain = Future.succeededFuture();
    for (TaskSpec spec : config.tasks()) {
      chain = chain.compose(v -> shuttingDown ? Future.succeededFuture() : supervisor.deployTask(spec));
    }
    return chain;
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

  /** The shutdown, each step after the one before, all of it within one budget. */
  private void runShutdown(Outcome outcome) {
    withinBudget(outcome, () -> Future.<Void>succeededFuture()
      // Stop taking work: health answers 503, no new jobs, bridge clients get the shutdown notice.
      .compose(v -> stopTakingWork())
      // Cancel the queued and running jobs, and wait until none runs.
      .compose(v -> drainJobs())
      // Stop the tasks in reverse order, each after the one before.
      .compose(v -> stopTasks())
      // Run the shutdown hooks in order, each within what is left of the budget.
      .compose(v -> runHooks(HookPhase.SHUTDOWN))
      // Let the bridge sockets write what was published before the server closes them.
      .compose(v -> flushBridges())
      // Stop the chat service, then the HTTP server, which closes the open connections.
      .compose(v -> stopServices())
      .onComplete(ar -> jobs.close()))
      .onSuccess(result -> {
        terminated.tryComplete(result);
        if (!closingFromOutside) {
          onStopped.accept(result);
        }
      });
  }

  /**
   * Runs {@code steps} within {@code shutdownTimeoutMs}: completes with {@code outcome} when they
   * are done, or, when the budget runs out first, with a failure naming what was still stopping.
   */
  private Future<Outcome> withinBudget(Outcome outcome, Supplier<Future<Void>> steps) {
    long budget = config.shutdownTimeoutMs();
    deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budget);
    Promise<Outcome> done = Promise.promise();
    long timer = vertx.setTimer(budget, id -> {
      String pending = pendingStep();
      jobs.abandonRunning();
      done.tryComplete(Outcome.failed("shutdown took longer than shutdownTimeoutMs (" + budget + " ms)"
        + (pending == null ? "" : "; still stopping: " + pending)));
    });
    steps.get().onComplete(ar -> {
      vertx.cancelTimer(timer);
      done.tryComplete(outcome);
    });
    return done.future();
  }

  /** What the shutdown is waiting for, as precisely as known: the task or hook, else the step. */
  private String pendingStep() {
    if (shutdownStep == null) {
      return null;
    }
    return switch (shutdownStep) {
      case STOP_TASKS -> supervisor.stillStopping() != null ? supervisor.stillStopping() : shutdownStep.label;
      case SHUTDOWN_HOOKS -> runningHook != null ? runningHook : shutdownStep.label;
      default -> shutdownStep.label;
    };
  }

  private Future<Void> stopTakingWork() {
    shutdownStep = ShutdownStep.STOP_TAKING_WORK;
    state.markStopping();
    // This node's clients only: in a cluster the other nodes go on serving theirs.
    vertx.eventBus().publish(Addresses.SERVER, new JsonObject().put("event", "shutdown")
      .put("reconnectWithinMs", config.cluster().reconnectSpreadMs()), new DeliveryOptions().setLocalOnly(true));
    return Future.succeededFuture();
  }

  private Future<Void> drainJobs() {
    shutdownStep = ShutdownStep.DRAIN_JOBS;
    return jobs.drain();
  }

  private Future<Void> stopTasks() {
    shutdownStep = ShutdownStep.STOP_TASKS;
    return supervisor.stopTasks();
  }

  /**
   * Completes once every event loop has run what was queued on it before: the deliveries of the
   * shutdown notice and of the jobs' last records to the bridge sockets are written before the
   * HTTP server closes those sockets. Twice over, as a delivery may queue one more write.
   */
  private Future<Void> flushBridges() {
    shutdownStep = ShutdownStep.FLUSH_BRIDGES;
    return EventLoops.caughtUp(vertx).compose(v -> EventLoops.caughtUp(vertx));
  }

  private Future<Void> stopServices() {
    shutdownStep = ShutdownStep.STOP_SERVICES;
    return supervisor.stopServices();
  }

  /** The hooks of one direction in config order, each after the one before, each bounded by its time-out. */
  private Future<Void> runHooks(HookPhase phase) {
    if (phase == HookPhase.SHUTDOWN) {
      shutdownStep = ShutdownStep.SHUTDOWN_HOOKS;
    }
    List<HookSpec> hooks = phase == HookPhase.STARTUP ? config.startupHooks() : config.shutdownHooks();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < hooks.size(); i++) {
      HookSpec hook = hooks.get(i);
      String name = phase.word + " hook " + (i + 1) + " (" + hook.type() + ")";
      chain = chain.compose(v -> runHook(phase, name, hook));
    }
    return chain;
  }

  /**
   * One hook. At startup none runs once a stop has been asked for, and a failure fails the start.
   * At shutdown each gets at most what is left of the budget, and a failure is logged and skipped.
   */
  private Future<Void> runHook(HookPhase phase, String name, HookSpec hook) {
    long timeoutMs = hook.timeoutMs();
    if (phase == HookPhase.STARTUP && shuttingDown) {
      return Future.succeededFuture();
    }
    if (phase == HookPhase.SHUTDOWN) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        log.warn("{} skipped: no shutdown budget left", name);
        return Future.succeededFuture();
      }
      timeoutMs = Math.min(timeoutMs, left);
      runningHook = name;
    }
    return jobs.runHook(hook.type(), hook.params(), timeoutMs)
      .<Void>mapEmpty()
      .onSuccess(v -> log.info("{} done", name))
      .recover(cause -> {
        if (phase == HookPhase.STARTUP) {
          return Future.failedFuture(new StartFailure(name + " failed: " + cause.getMessage()));
        }
        log.error("{} failed: {}", name, cause.getMessage());
        return Future.succeededFuture();
      });
  }
}
