package io.oneloop.supervision;

import io.oneloop.Addresses;
import io.oneloop.base.ClassLoading;
import io.oneloop.config.RestartPolicy;
import io.oneloop.config.TaskSpec;
import io.oneloop.tasks.TaskTypes;
import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationTargetException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Supplier;

/**
 * Deploys the app's parts in order and watches them: restarts tasks by their policy, gives up
 * when a task restarts too often, tells the app when a part it cannot do without has ended or
 * failed, stops everything in reverse order, and answers {@code oneloop.tasks.list} meanwhile.
 * Each child's life is one {@link ChildState}; a singleton task's cluster lock is its
 * {@link SingletonLease}. Runs on the main verticle's context.
 */
public final class Supervisor {

  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

  /** The words a task record's {@code state} takes, in the order of {@link ChildState}. */
  public static final List<String> TASK_STATE_NAMES = Arrays.stream(ChildState.values()).map(ChildState::wireName).distinct().toList();

  private final Vertx vertx;
  private final Context context;
  private final Promise<Outcome> firstExit = Promise.promise();
  private final List<Child> services = new ArrayList<>();
  private final List<TaskChild> tasks = new ArrayList<>();
  private final MessageConsumer<Object> tasksList;
  /** The node the task records name. */
  private final String nodeId;
  /** The singletons this node holds the cluster lock of; read from any thread. */
  private final Set<String> heldSingletons = new CopyOnWriteArraySet<>();
  /**
   * The supervisor itself is stopping (or gave up on a failed start): no child's end or failure is
   * news any more and nothing restarts, also for the children whose turn to stop has not come.
   */
  private boolean stopping;

  /** Call on the main verticle's context: the task list is answered there. */
  public Supervisor(Vertx vertx, Context context, String nodeId) {
    this.vertx = vertx;
    this.context = context;
    this.nodeId = nodeId;
    // This node's tasks only: in a cluster each node answers for its own.
    this.tasksList = vertx.eventBus().localConsumer(Addresses.TASKS_LIST,
      msg -> msg.reply(new JsonObject().put("tasks", taskRecords())));
  }

  /** Completes when a part the app cannot do without ends or fails for good after it started. */
  public Future<Outcome> firstExit() {
    return firstExit.future();
  }

  /**
   * Deploys one of the app's own parts, named in the log and the exit reason as "the {name} {kind}"
   * (the HTTP server, the chat service): its end ends the app.
   */
  public Future<Void> deployService(String name, String kind, Supplier<Deployable> factory, DeploymentOptions options) {
    Child child = new Child(name, kind);
    services.add(child);
    return child.deploy(factory, options)
      .onSuccess(v -> {
        if (child.state == ChildState.STARTING) {
          child.enter(ChildState.RUNNING);
        }
      })
      .onFailure(cause -> child.enter(ChildState.FAILED))
      .recover(cause -> Future.failedFuture(cause instanceof StartFailure || cause instanceof VertxException
        ? cause : new StartFailure(child.describe() + " failed to start: " + message(cause))));
  }

  /** Deploys a task at boot; a start that fails here stops the app's start, whatever the task's policy. */
  public Future<Void> deployTask(TaskSpec spec) {
    TaskChild child = new TaskChild(spec);
    tasks.add(child);
    return child.begin()
      .recover(cause -> Future.failedFuture(new StartFailure("task \"" + spec.name() + "\" (" + spec.kind()
        + ") failed to start: " + message(cause))));
  }

  /** The singletons this node runs now, by name, in config order. */
  public List<String> heldSingletons() {
    return List.copyOf(heldSingletons);
  }

  /**
   * This node's side of a network split merged into the other side: the singleton locks it held
   * there are gone, and the other side runs those singletons. Each one this node runs stops and
   * stands by again.
   */
  public void standDownSingletons() {
    if (!stopping) {
      tasks.stream().filter(t -> t.lease != null).forEach(t -> t.lease.standDown());
    }
  }

  /** The records of all tasks, in config order. */
  public JsonArray taskRecords() {
    JsonArray records = new JsonArray();
    tasks.forEach(t -> records.add(t.record()));
    return records;
  }

  /** Stops the tasks still running, last first, each after the one before has stopped. */
  public Future<Void> stopTasks() {
    stopping = true;
    tasks.forEach(TaskChild::cancelRestart);
    return inReverse(new ArrayList<>(tasks));
  }

  /** Stops the app's own parts, last first (the HTTP server last of all); then the supervisor is done. */
  public Future<Void> stopServices() {
    stopping = true;
    return inReverse(services).onComplete(ar -> tasksList.unregister());
  }

  private static Future<Void> inReverse(List<? extends Child> children) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = children.size() - 1; i >= 0; i--) {
      Child child = children.get(i);
      chain = chain.compose(v -> child.stop());
    }
    return chain;
  }

  /** After a failed start: Vert.x undeploys the children, which is not an end to report; the supervisor is done. */
  public void abandon() {
    stopping = true;
    tasks.forEach(TaskChild::cancelRestart);
    tasks.forEach(TaskChild::releaseLock);
    tasksList.unregister();
  }

  /** The part still stopping, for the log when shutdown overruns. */
  public String stillStopping() {
    List<Child> all = new ArrayList<>(tasks);
    all.addAll(services);
    return all.stream().filter(c -> c.state == ChildState.STOPPING).map(Child::describe).findFirst().orElse(null);
  }

  private static Deployable instantiate(String className) {
    try {
      return ClassLoading.create(className, Deployable.class);
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new StartFailure("cannot create " + className + ": " + message(e));
    }
  }

  static String message(Throwable cause) {
    if (cause instanceof InvocationTargetException ite && ite.getCause() != null) {
      cause = ite.getCause();
    }
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getName() : message;
  }

  /** A start that failed, with a message fit for the log (no stack trace needed). */
  public static final class StartFailure extends RuntimeException {
    public StartFailure(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * One deployed part. Each deployment gets its own wrappers (one per instance: the HTTP server runs
   * several), so news from a replaced instance is ignored.
   */
  private class Child {
    final String name;
    final String kind;
    ChildState state = ChildState.STARTING;
    final Set<SupervisedDeployable> wrappers = ConcurrentHashMap.newKeySet();
    /** The last deployment's id; a handle for undeploying, it says nothing about the state. */
    String deploymentId;

    Child(String name, String kind) {
      this.name = name;
      this.kind = kind;
    }

    String describe() {
      return "the " + name + " " + kind;
    }

    void enter(ChildState newState) {
      state = newState;
    }

    /** The name a task's log lines carry; services have none. */
    String taskName() {
      return null;
    }

    Future<Void> deploy(Supplier<Deployable> factory, DeploymentOptions options) {
      SupervisedDeployable.Listener listener = new SupervisedDeployable.Listener() {
        @Override
        public void ended(SupervisedDeployable which) {
          context.runOnContext(v -> {
            if (isNews(which)) {
              onEnded();
            }
          });
        }

        @Override
        public void failed(SupervisedDeployable which, Throwable cause) {
          context.runOnContext(v -> {
            if (isNews(which)) {
              onFailed(cause);
            } else {
              log.warn("{} reported an error while stopping: {}", describe(), message(cause));
            }
          });
        }
      };
      wrappers.clear();
      return vertx.deployVerticle(() -> {
          // Recorded before the instance starts, so its news is recognised.
          SupervisedDeployable created = new SupervisedDeployable(factory.get(), listener, taskName());
          wrappers.add(created);
          return created;
        }, options)
        .onSuccess(id -> deploymentId = id)
        .mapEmpty();
    }

    /** News from the current instance counts until the supervisor starts to stop, restart or give up on it. */
    private boolean isNews(SupervisedDeployable which) {
      return wrappers.contains(which) && !stopping && state.hearsNews();
    }

    void onEnded() {
      enter(ChildState.ENDED);
      log.info("{} ended", describe());
      firstExit.tryComplete(Outcome.failed(describe() + " stopped"));
    }

    void onFailed(Throwable cause) {
      enter(ChildState.FAILED);
      log.error(describe() + " failed", cause);
      firstExit.tryComplete(Outcome.failed(describe() + " failed: " + message(cause)));
    }

    /** Undeploys the current instance if it is still deployed (it may have undeployed itself); never fails. */
    Future<Void> undeploy() {
      String id = deploymentId;
      if (!deployed()) {
        return Future.succeededFuture();
      }
      wrappers.forEach(SupervisedDeployable::expectUndeploy);
      return vertx.undeploy(id)
        .onComplete(ar -> {
          if (ar.failed() && vertx.deploymentIDs().contains(id)) {
            log.warn("Stopping {} failed: {}", describe(), message(ar.cause()));
          }
        })
        .otherwiseEmpty();
    }

    /** Whether the last deployment is still deployed: it may have undeployed itself, or never have deployed. */
    private boolean deployed() {
      return deploymentId != null && vertx.deploymentIDs().contains(deploymentId);
    }

    /** Undeploys the instance through {@link ChildState#STOPPING}, then enters {@link ChildState#STOPPED}. */
    Future<Void> stopInstance() {
      state = ChildState.STOPPING;
      return undeploy().onComplete(ar -> enter(ChildState.STOPPED));
    }

    /** A service that runs, or failed and is still deployed, is undeployed; one that ended has nothing left to stop. */
    Future<Void> stop() {
      return state == ChildState.RUNNING || state == ChildState.FAILED ? stopInstance() : Future.succeededFuture();
    }
  }

  /** A configured task: its record, its restart policy and the restarts it has had. */
  private final class TaskChild extends Child {
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

    TaskChild(TaskSpec spec) {
      super(spec.name(), spec.kind());
      this.spec = spec;
      this.policy = spec.restart();
      this.window = new RestartWindow(policy);
      this.lease = spec.singleton()
        ? new SingletonLease(vertx, name, heldSingletons, () -> !stopping && state == ChildState.STANDBY,
            () -> start().onFailure(this::onFailed), this::standDown)
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

    JsonObject record() {
      return new JsonObject()
        .put("name", name)
        .put("node", nodeId)
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

    /** Set when a stand-down came while the task was starting: it stands down once started. */
    boolean standDownWhenStarted;

    /** The lease went to the other side of a healed split: stop the task and stand by for the lock again. */
    void standDown() {
      switch (state) {
        case STARTING -> standDownWhenStarted = true;
        case RUNNING -> {
          log.warn("Task \"{}\" is a singleton whose lock went to the other side of a healed split: it stops here and stands by", name);
          state = ChildState.STOPPING;
          undeploy().onComplete(ar -> standBy());
        }
        case RESTARTING -> {
          vertx.cancelTimer(restartTimer);
          log.warn("Task \"{}\" is a singleton whose lock went to the other side of a healed split: it stands by instead of restarting", name);
          standBy();
        }
        default -> {
          // Ended or failed: nothing runs here, and the lock was not this node's any more.
        }
      }
    }

    private void standBy() {
      if (stopping) {
        enter(ChildState.STOPPED);
        return;
      }
      enter(ChildState.STANDBY);
      lease.waitForTurn();
    }

    /** A singleton lets go of its lock: another node may take it over. */
    private void releaseLock() {
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
          if (stopping) {
            // A restart that finished deploying after the stop began: nobody wants this instance.
            undeploy();
            return;
          }
          startedAt = Instant.now();
          enter(ChildState.RUNNING);
          log.info("Started task \"{}\" ({}){}", name, kind, restarts > 0 ? " again, restart " + restarts : "");
          if (standDownWhenStarted) {
            standDownWhenStarted = false;
            standDown();
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
      return state == ChildState.RESTARTING && !stopping;
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
        firstExit.tryComplete(Outcome.failed(reason));
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
  }
}
