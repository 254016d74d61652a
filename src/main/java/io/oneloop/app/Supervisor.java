package io.oneloop.app;

import io.oneloop.Addresses;
import io.oneloop.config.ClassLoading;
import io.oneloop.config.TaskSpec;
import io.oneloop.tasks.TaskTypes;
import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/**
 * Deploys the app's parts in order and watches them: restarts tasks by their policy, gives up
 * when a task restarts too often, tells the app when a part it cannot do without has ended or
 * failed, and stops everything in reverse order. Runs on the main verticle's context.
 */
final class Supervisor {

  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

  private final Vertx vertx;
  private final Context context;
  private final Promise<Outcome> firstExit = Promise.promise();
  private final List<Child> services = new ArrayList<>();
  private final List<TaskChild> tasks = new ArrayList<>();
  private boolean stopping;

  Supervisor(Vertx vertx, Context context) {
    this.vertx = vertx;
    this.context = context;
  }

  /** Completes when a part the app cannot do without ends or fails for good after it started. */
  Future<Outcome> firstExit() {
    return firstExit.future();
  }

  /** Deploys one of the app's own parts (the HTTP server, the chat service...): its end ends the app. */
  Future<Void> deployService(String name, Supplier<Deployable> factory, DeploymentOptions options) {
    Child child = new Child(name);
    services.add(child);
    return child.deploy(factory, options)
      .recover(cause -> Future.failedFuture(cause instanceof StartFailure || cause instanceof io.vertx.core.VertxException
        ? cause : new StartFailure("the " + name + " service failed to start: " + message(cause))));
  }

  /** Deploys a task at boot; a start that fails here stops the app's start, whatever the task's policy. */
  Future<Void> deployTask(TaskSpec spec) {
    TaskChild child = new TaskChild(spec);
    tasks.add(child);
    return child.start()
      .recover(cause -> Future.failedFuture(new StartFailure("task \"" + spec.name() + "\" (" + spec.kind()
        + ") failed to start: " + message(cause))));
  }

  /** The records of all tasks, in config order. */
  JsonArray taskRecords() {
    JsonArray records = new JsonArray();
    tasks.forEach(t -> records.add(t.record()));
    return records;
  }

  /** Stops the tasks still running, last first, each after the one before has stopped. */
  Future<Void> stopTasks() {
    stopping = true;
    tasks.forEach(TaskChild::cancelRestart);
    return inReverse(new ArrayList<>(tasks));
  }

  /** Stops the app's own parts, last first (the HTTP server last of all). */
  Future<Void> stopServices() {
    stopping = true;
    return inReverse(services);
  }

  private static Future<Void> inReverse(List<? extends Child> children) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = children.size() - 1; i >= 0; i--) {
      Child child = children.get(i);
      chain = chain.compose(v -> child.stop());
    }
    return chain;
  }

  /** After a failed start: Vert.x undeploys the children, which is not an end to report. */
  void abandon() {
    stopping = true;
    tasks.forEach(TaskChild::cancelRestart);
    services.forEach(c -> c.stopRequested = true);
    tasks.forEach(c -> c.stopRequested = true);
  }

  /** The part still stopping, for the log when shutdown overruns. */
  String stillStopping() {
    List<Child> all = new ArrayList<>(tasks);
    all.addAll(services);
    return all.stream().filter(c -> c.stoppingNow).map(Child::describe).findFirst().orElse(null);
  }

  private static Deployable instantiate(String className) {
    try {
      return ClassLoading.create(className, Deployable.class);
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new StartFailure("cannot create " + className + ": " + message(e));
    }
  }

  static String message(Throwable cause) {
    if (cause instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null) {
      cause = ite.getCause();
    }
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getName() : message;
  }

  /** A start that failed, with a message fit for the log (no stack trace needed). */
  static final class StartFailure extends RuntimeException {
    StartFailure(String message) {
      super(message, null, false, false);
    }
  }

  /** One deployed part. Each deployment gets its own wrapper, so news from a replaced instance is ignored. */
  private class Child {
    final String name;
    SupervisedDeployable wrapper;
    String deploymentId;
    boolean stopRequested;
    boolean stoppingNow;

    Child(String name) {
      this.name = name;
    }

    String describe() {
      return "http".equals(name) ? "the HTTP server" : "the " + name + " service";
    }

    Future<Void> deploy(Supplier<Deployable> factory, DeploymentOptions options) {
      SupervisedDeployable.Listener listener = new SupervisedDeployable.Listener() {
        @Override
        public void ended(SupervisedDeployable which) {
          context.runOnContext(v -> {
            if (which == wrapper && !stopping && !stopRequested) {
              onEnded();
            }
          });
        }

        @Override
        public void failed(SupervisedDeployable which, Throwable cause) {
          context.runOnContext(v -> {
            if (which != wrapper || stopping || stopRequested) {
              log.warn("{} reported an error while stopping: {}", describe(), message(cause));
            } else {
              onFailed(cause);
            }
          });
        }
      };
      stopRequested = false;
      return vertx.deployVerticle(() -> {
          // Assigned on the deploying thread before the instance starts, so its news is recognised.
          SupervisedDeployable created = new SupervisedDeployable(factory.get(), listener);
          wrapper = created;
          return created;
        }, options)
        .onSuccess(id -> deploymentId = id)
        .mapEmpty();
    }

    void onEnded() {
      deploymentId = null;
      log.info("{} ended", describe());
      firstExit.tryComplete(Outcome.failed(describe() + " stopped"));
    }

    void onFailed(Throwable cause) {
      log.error(describe() + " failed", cause);
      firstExit.tryComplete(Outcome.failed(describe() + " failed: " + message(cause)));
    }

    /** Undeploys the current instance if it is still deployed; never fails. */
    Future<Void> undeploy() {
      String id = deploymentId;
      deploymentId = null;
      if (id == null || !vertx.deploymentIDs().contains(id)) {
        return Future.succeededFuture();
      }
      stopRequested = true;
      if (wrapper != null) {
        wrapper.stopRequested();
      }
      stoppingNow = true;
      return vertx.undeploy(id)
        .onComplete(ar -> {
          stoppingNow = false;
          if (ar.failed() && vertx.deploymentIDs().contains(id)) {
            log.warn("Stopping {} failed: {}", describe(), message(ar.cause()));
          }
        })
        .otherwiseEmpty();
    }

    Future<Void> stop() {
      return undeploy();
    }
  }

  /** A configured task: its record, its restart policy and the restarts it has had. */
  private final class TaskChild extends Child {
    final TaskSpec spec;
    final RestartPolicy policy;
    final Deque<Long> recentRestarts = new ArrayDeque<>();
    String state = "starting";
    Instant since = Instant.now();
    Instant startedAt;
    int restarts;
    String lastError;
    long restartTimer = -1;

    TaskChild(TaskSpec spec) {
      super(spec.name());
      this.spec = spec;
      this.policy = spec.restart();
    }

    @Override
    String describe() {
      return "task \"" + name + "\"";
    }

    JsonObject record() {
      return new JsonObject()
        .put("name", name)
        .put("kind", spec.kind())
        .put("state", state)
        .put("since", since.toString())
        .put("restarts", restarts)
        .put("startedAt", startedAt == null ? null : startedAt.toString())
        .put("lastError", lastError);
    }

    void enter(String newState) {
      state = newState;
      since = Instant.now();
      vertx.eventBus().publish(Addresses.TASKS, record());
    }

    Future<Void> start() {
      enter("starting");
      Supplier<Deployable> factory = spec.type() != null ? TaskTypes.builtIn(spec.type()) : () -> instantiate(spec.className());
      DeploymentOptions options = new DeploymentOptions()
        .setConfig(spec.config().copy())
        .setThreadingModel(spec.threading());
      return deploy(factory, options)
        .onSuccess(v -> {
          if (stopping) {
            undeploy();
            return;
          }
          startedAt = Instant.now();
          enter("running");
          log.info("Started task \"{}\" ({}){}", name, spec.kind(), restarts > 0 ? " again, restart " + restarts : "");
        })
        .onFailure(cause -> {
          lastError = message(cause);
          if (restarts == 0) {
            enter("failed");
          }
        });
    }

    @Override
    void onEnded() {
      deploymentId = null;
      if (policy.restartsAfterEnd()) {
        log.info("Task \"{}\" ended; its policy restarts it", name);
        restartOrGiveUp();
        return;
      }
      enter("ended");
      log.info("Task \"{}\" ended", name);
      if (spec.critical()) {
        firstExit.tryComplete(Outcome.ok(describe() + " ended"));
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
      long now = System.currentTimeMillis();
      while (!recentRestarts.isEmpty() && recentRestarts.peekFirst() <= now - policy.withinMs()) {
        recentRestarts.removeFirst();
      }
      if (recentRestarts.size() >= policy.maxRestarts()) {
        failForGood(describe() + " failed: " + (lastError == null ? "it ended" : lastError) + " (gave up after "
          + recentRestarts.size() + " restart(s) within " + policy.withinMs() + " ms)");
        return;
      }
      long delay = policy.backoffBefore(recentRestarts.size() + 1);
      enter("restarting");
      log.info("Restarting task \"{}\" in {} ms", name, delay);
      undeploy().onComplete(ar -> {
        if (stopping) {
          return;
        }
        restartTimer = vertx.setTimer(Math.max(1, delay), id -> {
          restartTimer = -1;
          if (stopping) {
            return;
          }
          restarts++;
          recentRestarts.addLast(System.currentTimeMillis());
          start().onFailure(this::onFailed);
        });
      });
    }

    private void failForGood(String reason) {
      enter("failed");
      undeploy();
      if (spec.critical()) {
        firstExit.tryComplete(Outcome.failed(reason));
      } else {
        log.error("{}; it is not critical: the app goes on without it", reason);
      }
    }

    void cancelRestart() {
      if (restartTimer >= 0) {
        vertx.cancelTimer(restartTimer);
        restartTimer = -1;
      }
    }

    @Override
    Future<Void> stop() {
      boolean wasLive = "running".equals(state) || "starting".equals(state) || "restarting".equals(state);
      return undeploy().onComplete(ar -> {
        if (wasLive) {
          enter("stopped");
        }
      });
    }
  }
}
