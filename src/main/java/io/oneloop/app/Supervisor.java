package io.oneloop.app;

import io.oneloop.Addresses;
import io.oneloop.tasks.BuiltInTasks;
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
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Deploys the app's children in order, hears when the first of them ends or fails, and stops
 * them in reverse order. Runs on the main verticle's context.
 */
final class Supervisor {

  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

  private final Vertx vertx;
  private final Context context;
  private final Promise<Outcome> firstExit = Promise.promise();
  private final List<Child> children = new ArrayList<>();
  private boolean stopping;

  Supervisor(Vertx vertx, Context context) {
    this.vertx = vertx;
    this.context = context;
  }

  /** Completes when the first child ends or fails after it started. */
  Future<Outcome> firstExit() {
    return firstExit.future();
  }

  /** Deploys one of the app's own parts (the HTTP server, the chat service...). */
  Future<Void> deployService(String name, Supplier<Deployable> factory, DeploymentOptions options) {
    return deploy(new Child(name, name, false), factory, options)
      .recover(cause -> Future.failedFuture(cause instanceof StartFailure || cause instanceof io.vertx.core.VertxException
        ? cause : new StartFailure("the " + name + " service failed to start: " + message(cause))));
  }

  Future<Void> deployTask(AppConfig.TaskSpec spec) {
    Supplier<Deployable> factory = spec.type() != null ? BuiltInTasks.factory(spec.type()) : () -> instantiate(spec.className());
    DeploymentOptions options = new DeploymentOptions()
      .setConfig(spec.config().copy())
      .setThreadingModel(spec.threading());
    Child child = new Child(spec.name(), spec.kind(), true);
    return deploy(child, factory, options)
      .recover(cause -> Future.failedFuture(new StartFailure("task \"" + spec.name() + "\" (" + spec.kind()
        + ") failed to start: " + message(cause))));
  }

  /** The records of all tasks, in config order. */
  JsonArray taskRecords() {
    JsonArray records = new JsonArray();
    children.stream().filter(c -> c.task).forEach(c -> records.add(c.record()));
    return records;
  }

  /** Stops the children still running, last deployed first, each after the one before has stopped. */
  Future<Void> stopAll() {
    stopping = true;
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
    children.forEach(c -> c.wrapper.stopRequested());
  }

  /** The child still stopping, for the log when shutdown overruns. */
  String stillStopping() {
    return children.stream().filter(c -> "stopping".equals(c.state)).map(Child::describe).findFirst().orElse(null);
  }

  private Future<Void> deploy(Child child, Supplier<Deployable> factory, DeploymentOptions options) {
    children.add(child);
    return vertx.deployVerticle(() -> {
        child.wrapper = new SupervisedDeployable(factory.get(), child);
        return child.wrapper;
      }, options)
      .onSuccess(id -> {
        child.deploymentId = id;
        child.enter("running");
        if (child.task) {
          log.info("Started task \"{}\" ({})", child.name, child.kind);
        }
      })
      .onFailure(cause -> child.enter("failed"))
      .mapEmpty();
  }

  private static Deployable instantiate(String className) {
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      Class<?> type = Class.forName(className, true, loader != null ? loader : Supervisor.class.getClassLoader());
      return (Deployable) type.getConstructor().newInstance();
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

  private final class Child implements SupervisedDeployable.Listener {
    final String name;
    final String kind;
    final boolean task;
    volatile SupervisedDeployable wrapper;
    String deploymentId;
    String state = "starting";
    Instant since = Instant.now();

    Child(String name, String kind, boolean task) {
      this.name = name;
      this.kind = kind;
      this.task = task;
    }

    String describe() {
      return task ? "task \"" + name + "\"" : "http".equals(name) ? "the HTTP server" : "the " + name + " service";
    }

    JsonObject record() {
      return new JsonObject().put("name", name).put("kind", kind).put("state", state).put("since", since.toString());
    }

    void enter(String newState) {
      state = newState;
      since = Instant.now();
      if (task && !"stopping".equals(newState)) {
        vertx.eventBus().publish(Addresses.TASKS, record());
      }
    }

    Future<Void> stop() {
      if (deploymentId == null || "ended".equals(state) || !vertx.deploymentIDs().contains(deploymentId)) {
        return Future.succeededFuture();
      }
      boolean failedBefore = "failed".equals(state);
      wrapper.stopRequested();
      state = "stopping";
      return vertx.undeploy(deploymentId)
        .onComplete(ar -> {
          if (ar.failed() && vertx.deploymentIDs().contains(deploymentId)) {
            log.warn("Stopping {} failed: {}", describe(), message(ar.cause()));
          }
          if (!failedBefore) {
            enter("stopped");
          }
        })
        .otherwiseEmpty();
    }

    @Override
    public void ended(SupervisedDeployable child) {
      context.runOnContext(v -> {
        if (stopping || !"running".equals(state)) {
          return;
        }
        enter("ended");
        deploymentId = null;
        Outcome outcome = task ? Outcome.ok(describe() + " ended") : Outcome.failed(describe() + " stopped");
        log.info("{} ended", describe());
        firstExit.tryComplete(outcome);
      });
    }

    @Override
    public void failed(SupervisedDeployable child, Throwable cause) {
      context.runOnContext(v -> {
        if (stopping || !"running".equals(state)) {
          log.warn("{} reported an error while stopping: {}", describe(), message(cause));
          return;
        }
        enter("failed");
        log.error(describe() + " failed", cause);
        firstExit.tryComplete(Outcome.failed(describe() + " failed: " + message(cause)));
      });
    }
  }
}
