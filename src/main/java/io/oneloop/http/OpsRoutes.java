package io.oneloop.http;

import io.oneloop.Addresses;
import io.oneloop.base.EventLoops;
import io.oneloop.supervision.AppState;
import io.oneloop.cluster.ClusterMembership;
import io.oneloop.cluster.ClusterNodes;
import io.oneloop.config.OpsConfig;
import io.oneloop.config.Secrets;
import io.oneloop.metrics.AppMetrics;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the people and tools that run oneloop read: the kubelet's probes ({@code /health/live},
 * {@code /health/ready}, and {@code /health}, the ready answer in its old shape), the Prometheus
 * scrape ({@code /metrics}) and {@code /api/info}. Built once per app; each HTTP server instance
 * mounts it on its own router.
 */
public final class OpsRoutes {

  /** A check gives its own DOWN before this much more than its bound, so the handler never times it out (500). */
  private static final long CHECK_TIMEOUT_MARGIN_MS = 1000;
  private static final String ALLOW = "GET, HEAD";

  private final AppState state;
  private final OpsConfig ops;
  private final List<String> criticalTasks;
  private final AppMetrics metrics;
  private final JsonObject config;
  /** Read on the first {@code /api/info}: finding Netty's versions scans the class path, which the start need not wait for. */
  private volatile BuildInfo build;
  private final ClusterMembership membership;
  private final ClusterNodes nodes;

  /**
   * @param criticalTasks the tasks readiness waits for, by name
   * @param metrics null without metrics: {@code /metrics} then answers 404
   * @param config the effective config; {@code /api/info} shows it with its secrets redacted
   *     and the values of every task's config and hook's params hidden, but for the keys their shapes mark shown
   * @param nodes the cluster's nodes for {@code /api/cluster}
   */
  public OpsRoutes(AppState state, OpsConfig ops, List<String> criticalTasks, AppMetrics metrics, JsonObject config,
                   ClusterMembership membership, ClusterNodes nodes) {
    this.membership = membership;
    this.nodes = nodes;
    this.state = state;
    this.ops = ops;
    this.criticalTasks = List.copyOf(criticalTasks);
    this.metrics = metrics;
    this.config = Secrets.forDisplay(config);
  }

  public OpsConfig ops() {
    return ops;
  }

  public void mount(Vertx vertx, Router router) {
    HealthCheckHandler live = HealthCheckHandler.create(vertx);
    long checkTimeout = ops.maxEventLoopDelayMs() + CHECK_TIMEOUT_MARGIN_MS;
    live.register("event-loops", checkTimeout, promise -> eventLoops(vertx, promise));
    HealthChecks ready = HealthChecks.create(vertx);
    ready.register("http", checkTimeout, promise -> promise.complete(state.httpPort() >= 0
      ? Status.OK(new JsonObject().put("port", state.httpPort())) : Status.KO()));
    ready.register("startup", checkTimeout, promise -> promise.complete(state.started() ? Status.OK() : Status.KO()));
    ready.register("tasks", checkTimeout, promise -> criticalTasksRunning(vertx, promise));
    // Membership is news, not a reason to stop serving: a node that lost its peers serves its own clients.
    // Below cluster.minMembers it still serves, but a balancer had better send clients to the larger side.
    ready.register("cluster", checkTimeout, promise -> {
      JsonObject data = new JsonObject()
        .put("clustered", membership.clustered())
        .put("node", membership.nodeId())
        .put("members", membership.members().size());
      if (membership.minMembers() != null) {
        data.put("minMembers", membership.minMembers());
      }
      if (!membership.joined()) {
        promise.complete(Status.KO(data.put("reason", "not in the cluster")));
      } else if (membership.belowMinMembers()) {
        promise.complete(Status.KO(data.put("reason", "fewer members than cluster.minMembers")));
      } else {
        promise.complete(Status.OK(data));
      }
    });
    ready.register("shutdown", checkTimeout, promise -> promise.complete(state.stopping()
      ? Status.KO(new JsonObject().put("reason", "shutting down")) : Status.OK()));
    HealthCheckHandler readyHandler = HealthCheckHandler.createWithHealthChecks(ready);

    probe(router, "/health/live", live::handle);
    probe(router, "/health/ready", readyHandler::handle);
    // The old probe: the ready answer, in the shape it always had.
    probe(router, "/health", ctx -> ready.checkStatus().onComplete(Responses.guarded(ctx, ar -> {
      boolean up = ar.succeeded() && ar.result().getUp();
      ctx.response()
        .setStatusCode(up ? 200 : 503)
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(new JsonObject().put("status", up ? "UP" : "DOWN").encode());
    })));
    if (metrics != null) {
      router.route("/metrics").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(PrometheusScrapingHandler.create(metrics.registry()));
    } else {
      router.route("/metrics").handler(ctx -> Responses.error(ctx, 404, "metrics are off (metrics.enabled is false)"));
    }
    router.route("/api/info").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ctx -> Responses.json(ctx, 200, info(vertx)));
    Routes.read(router, "/api/cluster").handler(ctx -> nodes.nodes().onComplete(Responses.guarded(ctx, ar -> {
      if (ar.succeeded()) {
        Responses.json(ctx, 200, new JsonObject().put("self", membership.nodeId())
          .put("belowMinMembers", membership.belowMinMembers()).put("nodes", ar.result()));
      } else {
        Responses.error(ctx, 503, "the cluster's nodes are not available: " + ar.cause().getMessage());
      }
    })));
    Routes.allow(router, "/api/cluster", Routes.READ);
  }

  private static void probe(Router router, String path, Handler<RoutingContext> handler) {
    router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ctx -> {
      ctx.response().putHeader("cache-control", "no-store");
      handler.handle(ctx);
    });
    router.route(path).handler(ctx -> {
      ctx.response().putHeader("Allow", ALLOW);
      Responses.error(ctx, 405, ctx.request().method() + " is not allowed on " + path + " (allowed: " + ALLOW + ")");
    });
  }

  /**
   * UP once every event loop has run a no-op queued on it; DOWN, naming how many did not, when
   * one is still busy after {@code health.maxEventLoopDelayMs}. Completes on the probe's context.
   */
  private void eventLoops(Vertx vertx, Promise<Status> promise) {
    Context context = vertx.getOrCreateContext();
    long bound = ops.maxEventLoopDelayMs();
    int loops = EventLoops.count(vertx);
    AtomicInteger waiting = new AtomicInteger(loops);
    long queuedAt = System.nanoTime();
    long timer = vertx.setTimer(bound, id -> promise.tryComplete(Status.KO(new JsonObject()
      .put("eventLoops", loops)
      .put("blocked", waiting.get())
      .put("maxEventLoopDelayMs", bound))));
    EventLoops.probe(vertx, waited -> {
      if (waiting.decrementAndGet() == 0) {
        double waitedMs = (System.nanoTime() - queuedAt) / 1e6;
        context.runOnContext(v -> {
          vertx.cancelTimer(timer);
          promise.tryComplete(Status.OK(new JsonObject().put("eventLoops", loops).put("slowestMs", waitedMs)));
        });
      }
    });
  }

  /**
   * UP when every critical task is running now (a critical task that restarts makes the app not
   * ready), or is a singleton standing by or taking over.
   */
  private void criticalTasksRunning(Vertx vertx, Promise<Status> promise) {
    if (criticalTasks.isEmpty()) {
      promise.complete(Status.OK());
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.TASKS_LIST, null,
        new DeliveryOptions().setSendTimeout(ops.maxEventLoopDelayMs()))
      .onSuccess(reply -> {
        JsonObject notRunning = notRunning(criticalTasks, reply.body().getJsonArray("tasks", new JsonArray()));
        promise.tryComplete(notRunning.isEmpty() ? Status.OK() : Status.KO(notRunning));
      })
      .onFailure(cause -> promise.tryComplete(Status.KO(new JsonObject().put("reason", "the task list did not answer: " + cause.getMessage()))));
  }

  /** The state of each of {@code critical} that keeps the app from being ready, by task name, from the task records. */
  static JsonObject notRunning(List<String> critical, JsonArray records) {
    JsonObject notRunning = new JsonObject();
    for (String task : critical) {
      String taskState = "not started";
      boolean singleton = false;
      for (int i = 0; i < records.size(); i++) {
        if (task.equals(records.getJsonObject(i).getString("name"))) {
          taskState = records.getJsonObject(i).getString("state");
          singleton = records.getJsonObject(i).getBoolean("singleton", false);
        }
      }
      // A singleton standing by is as it should be: another node runs it. One that is starting
      // here has just taken over from a node that left; it was ready a moment ago as standby.
      boolean fine = "running".equals(taskState)
        || singleton && ("standby".equals(taskState) || "starting".equals(taskState));
      if (!fine) {
        notRunning.put(task, taskState);
      }
    }
    return notRunning;
  }

  private BuildInfo build() {
    BuildInfo b = build;
    if (b == null) {
      b = BuildInfo.load();
      build = b;
    }
    return b;
  }

  private JsonObject info(Vertx vertx) {
    BuildInfo build = build();
    long startedAt = ManagementFactory.getRuntimeMXBean().getStartTime();
    return new JsonObject()
      .put("version", build.version())
      .put("commit", build.commit())
      .put("buildTime", build.buildTime())
      .put("startedAt", Instant.ofEpochMilli(startedAt).toString())
      .put("uptimeMs", ManagementFactory.getRuntimeMXBean().getUptime())
      .put("vertxVersion", build.vertxVersion())
      .put("nettyVersion", build.nettyVersion())
      .put("javaVersion", System.getProperty("java.version"))
      .put("javaVendor", System.getProperty("java.vendor"))
      .put("transport", BuildInfo.transport(vertx))
      .put("config", config);
  }
}
