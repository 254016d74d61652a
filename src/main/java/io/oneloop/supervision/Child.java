package io.oneloop.supervision;

import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import static io.oneloop.supervision.StartFailure.message;

/**
 * One deployed part of the {@link Supervisor}. Each deployment gets its own wrappers (one per
 * instance: the HTTP server runs several), so news from a replaced instance is ignored.
 */
class Child {
  /** Logged under the supervisor's name, beside the rest of the supervisor's news. */
  static final Logger log = LoggerFactory.getLogger(Supervisor.class);

  final Supervisor supervisor;
  final Vertx vertx;
  /** The supervisor's context: news from an instance is handled there. */
  final Context context;
  final String name;
  final String kind;
  ChildState state = ChildState.STARTING;
  final Set<SupervisedDeployable> wrappers = ConcurrentHashMap.newKeySet();
  /** The last deployment's id; a handle for undeploying, it says nothing about the state. */
  String deploymentId;

  Child(Supervisor supervisor, String name, String kind) {
    this.supervisor = supervisor;
    this.vertx = supervisor.vertx();
    this.context = supervisor.context();
    this.name = name;
    this.kind = kind;
  }

  String describe() {
    return "the " + name + " " + kind;
  }

  void enter(ChildState newState) {
    state = newState;
  }

  /** An instance is about to start on {@code instanceContext}; nothing to do for a service. */
  void deploying(Context instanceContext) {
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
      public void deploying(Context instanceContext) {
        Child.this.deploying(instanceContext);
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
    return wrappers.contains(which) && !supervisor.stopping() && state.hearsNews();
  }

  void onEnded() {
    enter(ChildState.ENDED);
    log.info("{} ended", describe());
    supervisor.exit(Outcome.failed(describe() + " stopped"));
  }

  void onFailed(Throwable cause) {
    enter(ChildState.FAILED);
    log.error(describe() + " failed", cause);
    supervisor.exit(Outcome.failed(describe() + " failed: " + message(cause)));
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
