package io.oneloop.supervision;

import io.oneloop.Addresses;
import io.oneloop.config.TaskSpec;
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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import static io.oneloop.supervision.StartFailure.message;

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
  /** Whether this node's side is below {@code cluster.minMembers}; never, until {@link #quorum} says otherwise. */
  private BooleanSupplier belowMinMembers = () -> false;
  /** How long a singleton lock just got waits before its task runs; 0 until {@link #quorum} says otherwise. */
  private LongSupplier takeOverDelayMs = () -> 0;
  /** Whether this node's singletons may publish for the cluster now; always, until {@link #quorum} says otherwise. */
  private volatile BooleanSupplier singletonsMayPublish = () -> true;

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
    Child child = new Child(this, name, kind);
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
    TaskChild child = new TaskChild(this, spec);
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

  /**
   * How singletons heed {@code cluster.minMembers}: none runs while {@code below} says so, and a lock
   * just got waits {@code takeOverDelayMs} before its task runs, and a running singleton's publishes
   * are dropped while {@code mayPublish} says no. Call before the tasks deploy.
   */
  public void quorum(BooleanSupplier below, LongSupplier takeOverDelayMs, BooleanSupplier mayPublish) {
    this.belowMinMembers = below;
    this.takeOverDelayMs = takeOverDelayMs;
    this.singletonsMayPublish = mayPublish;
  }

  /** Any thread. */
  boolean singletonsMayPublish() {
    return singletonsMayPublish.getAsBoolean();
  }

  /**
   * Call after each change of the members: when this node's side is below {@code cluster.minMembers},
   * each singleton it runs stops, lets go of its lock and stands by.
   */
  public void membersChanged() {
    if (!stopping && belowMinMembers.getAsBoolean()) {
      tasks.stream().filter(t -> t.lease != null).forEach(t -> t.lease.standDownBelowMinMembers());
    }
  }

  boolean belowMinMembers() {
    return belowMinMembers.getAsBoolean();
  }

  long takeOverDelayMs() {
    return takeOverDelayMs.getAsLong();
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

  Vertx vertx() {
    return vertx;
  }

  Context context() {
    return context;
  }

  String nodeId() {
    return nodeId;
  }

  /** The set a singleton's lease keeps its name in while this node holds the lock. */
  Set<String> heldSingletonNames() {
    return heldSingletons;
  }

  /** Whether the supervisor is stopping: no child's end or failure is news any more, and nothing restarts. */
  boolean stopping() {
    return stopping;
  }

  /** A part the app cannot do without ended or failed for good: the first such outcome is the app's. */
  void exit(Outcome outcome) {
    firstExit.tryComplete(outcome);
  }
}
