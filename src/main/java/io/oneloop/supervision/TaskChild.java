package io.oneloop.supervision;

import io.oneloop.Addresses;
import io.oneloop.base.ClassLoading;
import io.oneloop.config.RestartPolicy;
import io.oneloop.config.TaskSpec;
import io.oneloop.tasks.PublishLease;
import io.oneloop.tasks.TaskTypes;
import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.function.Supplier;

import static io.oneloop.supervision.StartFailure.message;

/** A configured task of the {@link Supervisor}: its record, its restart policy and the restarts it has had. */
final class TaskChild extends Child {
  final TaskSpec spec;
  final RestartPolicy policy;
  final RestartWindow window;
  Instant since = Instant.now();
  Instant startedAt;
  int restarts;
  String lastError;
  /**
   * The timer of the restart this task waits for while {@link ChildState#RESTARTING}, once its old
   * instance has stopped. Only a handle for cancelling: Vert.x ignores a cancel of a timer that
   * has fired, or of -1 (its timer ids start at 0).
   */
  long restartTimer = -1;
  /** A singleton's cluster-wide lock; null for a task that every node runs. */
  final SingletonLease lease;

  TaskChild(Supervisor supervisor, TaskSpec spec) {
    super(supervisor, spec.name(), spec.kind());
    this.spec = spec;
    this.policy = spec.restart();
    this.window = new RestartWindow(policy);
    this.lease = spec.singleton()
      ? new SingletonLease(vertx, name, supervisor.heldSingletonNames(), () -> !supervisor.stopping() && state == ChildState.STANDBY,
          () -> start().onFailure(this::onFailed), this::standDown, supervisor::belowMinMembers, supervisor::takeOverDelayMs)
      : null;
  }

  @Override
  String describe() {
    return "task \"" + name + "\"";
  }

  @Override
  String taskName() {
    return name;
  }

  /** A singleton's publishes go out only while this node holds its lock and may publish for the cluster. */
  @Override
  void deploying(Context instanceContext) {
    if (lease != null) {
      PublishLease.attach(instanceContext, name, () -> lease.held() && supervisor.singletonsMayPublish());
    }
  }

  JsonObject record() {
    return new JsonObject()
      .put("name", name)
      .put("node", supervisor.nodeId())
      .put("kind", kind)
      .put("singleton", spec.singleton())
      .put("state", state.wireName())
      .put("since", since.toString())
      .put("restarts", restarts)
      .put("startedAt", startedAt == null ? null : startedAt.toString())
      .put("lastError", lastError);
  }

  /** Enters a state and publishes the record; {@link ChildState#STOPPING} is entered without a word, as the records show no change. */
  @Override
  void enter(ChildState newState) {
    state = newState;
    since = Instant.now();
    vertx.eventBus().publish(Addresses.TASKS, record());
  }

  /**
   * The task's start at boot: a singleton stands by until it holds its lock (the boot does not
   * wait for that), any other task is deployed.
   */
  Future<Void> begin() {
    if (!spec.singleton()) {
      return start();
    }
    enter(ChildState.STANDBY);
    lease.waitForTurn();
    return Future.succeededFuture();
  }

  /** Set, to why, when a stand-down came while the task was starting: it stands down once started. */
  String standDownWhenStarted;

  /** The lease is gone ({@code why}: a healed split, too few members): stop the task and stand by for the lock again. */
  void standDown(String why) {
    switch (state) {
      case STARTING -> standDownWhenStarted = why;
      case RUNNING -> {
        log.warn("Task \"{}\" is a singleton {}: it stops here and stands by", name, why);
        state = ChildState.STOPPING;
        undeploy().onComplete(ar -> standBy());
      }
      case RESTARTING -> {
        vertx.cancelTimer(restartTimer);
        log.warn("Task \"{}\" is a singleton {}: it stands by instead of restarting", name, why);
        standBy();
      }
      default -> {
        // Ended or failed: nothing runs here, and the lock was not this node's any more.
      }
    }
  }

  private void standBy() {
    if (supervisor.stopping()) {
      enter(ChildState.STOPPED);
      return;
    }
    enter(ChildState.STANDBY);
    lease.waitForTurn();
  }

  /** A singleton lets go of its lock: another node may take it over. */
  void releaseLock() {
    if (lease != null) {
      lease.release();
    }
  }

  Future<Void> start() {
    enter(ChildState.STARTING);
    Supplier<Deployable> factory = spec.type() != null ? TaskTypes.builtIn(spec.type()) : () -> instantiate(spec.className());
    DeploymentOptions options = new DeploymentOptions()
      .setConfig(spec.config().copy())
      .setThreadingModel(spec.threading());
    return deploy(factory, options)
      .onSuccess(v -> {
        if (supervisor.stopping()) {
          // A restart that finished deploying after the stop began: nobody wants this instance.
          undeploy();
          return;
        }
        startedAt = Instant.now();
        enter(ChildState.RUNNING);
        log.info("Started task \"{}\" ({}){}", name, kind, restarts > 0 ? " again, restart " + restarts : "");
        if (standDownWhenStarted != null) {
          String why = standDownWhenStarted;
          standDownWhenStarted = null;
          standDown(why);
        }
      })
      .onFailure(cause -> {
        lastError = message(cause);
        if (restarts == 0) {
          enter(ChildState.FAILED);
        }
      });
  }

  @Override
  void onEnded() {
    if (policy.restartsAfterEnd()) {
      log.info("Task \"{}\" ended; its policy restarts it", name);
      restartOrGiveUp();
      return;
    }
    enter(ChildState.ENDED);
    log.info("Task \"{}\" ended", name);
    if (spec.critical()) {
      supervisor.exit(Outcome.ok(describe() + " ended"));
    } else {
      log.info("Task \"{}\" is not critical: the app goes on without it", name);
    }
  }

  @Override
  void onFailed(Throwable cause) {
    lastError = message(cause);
    log.error(describe() + " failed", cause);
    if (policy.restartsAfterFailure()) {
      restartOrGiveUp();
    } else {
      failForGood(describe() + " failed: " + lastError);
    }
  }

  private void restartOrGiveUp() {
    RestartWindow.Decision decision = window.record(System.nanoTime());
    if (decision instanceof RestartWindow.GiveUp giveUp) {
      failForGood(describe() + " failed: " + (lastError == null ? "it ended" : lastError) + " (gave up after "
        + giveUp.restarts() + " restart(s) within " + policy.withinMs() + " ms)");
      return;
    }
    long delay = ((RestartWindow.Restart) decision).delayMs();
    enter(ChildState.RESTARTING);
    log.info("Restarting task \"{}\" in {} ms", name, delay);
    undeploy().onComplete(ar -> {
      if (stillRestarting()) {
        restartTimer = vertx.setTimer(Math.max(1, delay), id -> {
          if (stillRestarting()) {
            restarts++;
            start().onFailure(this::onFailed);
          }
        });
      }
    });
  }

  private boolean stillRestarting() {
    return state == ChildState.RESTARTING && !supervisor.stopping();
  }

  /** The supervisor is stopping: a restart waiting for its timer will not happen. */
  void cancelRestart() {
    if (state == ChildState.RESTARTING) {
      vertx.cancelTimer(restartTimer);
    }
  }

  private void failForGood(String reason) {
    enter(ChildState.FAILED);
    // Another node may do better: a failed singleton is offered to the rest of the cluster.
    undeploy().onComplete(ar -> releaseLock());
    if (spec.critical()) {
      supervisor.exit(Outcome.failed(reason));
    } else {
      log.error("{}; it is not critical: the app goes on without it", reason);
    }
  }

  /**
   * A running task is undeployed; a starting or restarting one has no instance to undeploy (a
   * deploy still under way is undone when it completes); one that ended or failed is left as it is.
   */
  @Override
  Future<Void> stop() {
    return switch (state) {
      case RUNNING -> stopInstance().onComplete(ar -> releaseLock());
      case STARTING, RESTARTING, STANDBY -> {
        enter(ChildState.STOPPED);
        releaseLock();
        yield Future.succeededFuture();
      }
      default -> {
        releaseLock();
        yield Future.succeededFuture();
      }
    };
  }

  private static Deployable instantiate(String className) {
    try {
      return ClassLoading.create(className, Deployable.class);
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new StartFailure("cannot create " + className + ": " + message(e));
    }
  }
}
