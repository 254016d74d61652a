package io.oneloop.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.oneloop.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * oneloop's metrics on one Prometheus registry: the JVM's binders (the names Spring's dashboards
 * know), the bridge, the tasks, the jobs and the event-loop delay, each series there from the
 * start. The registry is Vert.x's own when the process started Vert.x with metrics (its HTTP
 * server, event-bus and pool series then sit beside these), else one of its own, as under the
 * legacy launcher.
 */
public final class AppMetrics implements AutoCloseable {

  private static final Map<Vertx, AppMetrics> BY_VERTX = new WeakHashMap<>();
  /** The series the registry drops; the fan-out benchmark with metrics on and off says whether more should go. */
  static final String DROPPED = "vertx.eventbus.processed";
  /** The most series one meter name may have; more are not recorded. */
  static final int MAX_SERIES_PER_NAME = 1000;
  /** The request methods that keep their name in the {@code method} tag; any other counts as {@code OTHER}. */
  static final Set<HttpMethod> NAMED_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT,
    HttpMethod.DELETE, HttpMethod.PATCH, HttpMethod.OPTIONS, HttpMethod.TRACE, HttpMethod.CONNECT);

  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final BridgeMetrics bridge;
  private final HttpMetrics http;
  private final EventLoopDelay loopDelay;
  private final List<AutoCloseable> binders = new ArrayList<>();
  private final Map<String, String> taskStates = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> taskRestarts = new ConcurrentHashMap<>();
  private MessageConsumer<JsonObject> taskRecords;

  private AppMetrics(Vertx vertx, PrometheusMeterRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
    this.bridge = new BridgeMetrics(registry);
    this.http = new HttpMetrics(registry);
    this.loopDelay = new EventLoopDelay(vertx);
  }

  /**
   * A registry for Vert.x's metrics factory, made before Vert.x starts: it drops a series that
   * costs on every delivered message and says nothing new, and keeps the HTTP server's requests
   * and connections.
   */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Updated once more for every message each handler takes, and it repeats vertx_eventbus_delivered:
    // with one consumer per socket (Vert.x's own SockJS bridge) that is one more update per delivery.
    registry.config().meterFilter(MeterFilter.denyNameStartsWith(DROPPED));
    registry.config().meterFilter(new SeriesCap(MAX_SERIES_PER_NAME));
    return registry;
  }

  /**
   * Vert.x's metrics on the registry of {@link #newRegistry()}: its default labels, except that the
   * request method is never the client's own word (any token is a valid method, and each new one
   * was a new series in every HTTP meter): the standard methods by name, any other as {@code OTHER}.
   */
  public static MicrometerMetricsOptions vertxMetricsOptions() {
    Set<Label> labels = EnumSet.copyOf(MicrometerMetricsOptions.DEFAULT_LABELS);
    labels.remove(Label.HTTP_METHOD);
    return new MicrometerMetricsOptions()
      .setEnabled(true)
      .setRegistryName("oneloop")
      .setLabels(labels)
      .setServerRequestTagsProvider(request -> List.of(Tag.of(Label.HTTP_METHOD.toString(), methodTag(request.method()))))
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
  }

  /** The {@code method} tag of a request: one of a closed set. */
  static String methodTag(HttpMethod method) {
    return method != null && NAMED_METHODS.contains(method) ? method.name() : "OTHER";
  }

  /**
   * Starts the app's metrics on {@code registry} (null: a registry of its own) and makes them
   * what {@link #of} answers for this Vert.x instance. {@code taskStates} are the words a task
   * record's {@code state} takes: {@code oneloop_task_state} has one series each per task.
   */
  public static AppMetrics start(Vertx vertx, PrometheusMeterRegistry registry, List<String> tasks, List<String> taskStates) {
    AppMetrics metrics = new AppMetrics(vertx, registry != null ? registry : newRegistry());
    metrics.bindJvm();
    metrics.bindTasks(tasks, taskStates);
    Gauge.builder("oneloop.event.loop.delay", metrics.loopDelay, EventLoopDelay::maxSeconds)
      .baseUnit("seconds")
      .description("The longest any event loop made queued work wait, over the last " + EventLoopDelay.WINDOW_SECONDS + " s")
      .register(metrics.registry);
    metrics.loopDelay.start();
    synchronized (BY_VERTX) {
      BY_VERTX.put(vertx, metrics);
    }
    return metrics;
  }

  /** The metrics of the app running on {@code vertx}, or null when it runs without (or none runs). */
  public static AppMetrics of(Vertx vertx) {
    synchronized (BY_VERTX) {
      return BY_VERTX.get(vertx);
    }
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public BridgeMetrics bridge() {
    return bridge;
  }

  public HttpMetrics http() {
    return http;
  }

  public EventLoopDelay loopDelay() {
    return loopDelay;
  }

  /** The value of a gauge, summed over the series matching {@code tags}; NaN when there is none. */
  public double gauge(String name, String... tags) {
    double sum = 0;
    boolean found = false;
    for (Gauge gauge : registry.find(name).tags(tags).gauges()) {
      double value = gauge.value();
      if (!Double.isNaN(value) && value >= 0) {
        sum += value;
        found = true;
      }
    }
    return found ? sum : Double.NaN;
  }

  private void bindJvm() {
    List<MeterBinder> jvm = List.of(new ClassLoaderMetrics(), new JvmMemoryMetrics(), new JvmGcMetrics(),
      new JvmHeapPressureMetrics(), new JvmThreadMetrics(), new JvmInfoMetrics(), new ProcessorMetrics(),
      new UptimeMetrics(), new FileDescriptorMetrics());
    for (MeterBinder binder : jvm) {
      binder.bindTo(registry);
      if (binder instanceof AutoCloseable closeable) {
        binders.add(closeable);
      }
    }
  }

  /** One state series per state and one restart counter per configured task, fed by the tasks' records. */
  private void bindTasks(List<String> tasks, List<String> states) {
    for (String task : tasks) {
      taskStates.put(task, "starting");
      AtomicLong restarts = new AtomicLong();
      taskRestarts.put(task, restarts);
      for (String state : states) {
        Gauge.builder("oneloop.task.state", taskStates, now -> state.equals(now.get(task)) ? 1 : 0)
          .tags(Tags.of("task", task, "state", state))
          .description("1 for the state each task is in, 0 for the others")
          .register(registry);
      }
      FunctionCounter.builder("oneloop.task.restarts", restarts, AtomicLong::get)
        .tag("task", task)
        .description("Restarts of each task by its restart policy")
        .register(registry);
    }
    taskRecords = vertx.eventBus().localConsumer(Addresses.TASKS, msg -> {
      JsonObject record = msg.body();
      String name = record.getString("name");
      if (name != null && taskStates.containsKey(name)) {
        taskStates.put(name, record.getString("state", "starting"));
        taskRestarts.get(name).accumulateAndGet(record.getLong("restarts", 0L), Math::max);
      }
    });
  }

  /**
   * {@code oneloop_cluster_members} (1 when not clustered) and, per singleton task,
   * {@code oneloop_singleton_owner{task}}: 1 on the node that runs it, 0 on the others, and
   * {@code oneloop_cluster_below_min_members}: 1 while this node's side has fewer members than
   * {@code cluster.minMembers}, else 0.
   */
  public void bindCluster(IntSupplier members, BooleanSupplier belowMinMembers, List<String> singletons, Supplier<List<String>> held) {
    // Suppliers, which the registry holds on to (a gauge's object it holds only weakly).
    Gauge.builder("oneloop.cluster.members", members::getAsInt)
      .description("Members of the cluster as this node sees them, itself included")
      .register(registry);
    Gauge.builder("oneloop.cluster.below.min.members", () -> belowMinMembers.getAsBoolean() ? 1 : 0)
      .description("1 while this node's side of the cluster has fewer members than cluster.minMembers (its singletons stand by), else 0")
      .register(registry);
    for (String task : singletons) {
      Gauge.builder("oneloop.singleton.owner", () -> held.get().contains(task) ? 1 : 0)
        .tag("task", task)
        .description("1 on the node that runs the singleton task, 0 on the nodes that stand by")
        .register(registry);
    }
  }

  /**
   * {@code oneloop_jobs{state}}, one series per word of {@code states} with what {@code count}
   * says of it, and {@code oneloop_jobs_queued}.
   */
  public void bindJobs(List<String> states, ToIntFunction<String> count, IntSupplier queued) {
    // Suppliers, which the registry holds on to, as in bindCluster.
    for (String state : states) {
      Gauge.builder("oneloop.jobs", () -> count.applyAsInt(state))
        .tag("state", state)
        .description("Jobs the server holds in each state (finished ones up to jobs.retain)")
        .register(registry);
    }
    Gauge.builder("oneloop.jobs.queued", queued::getAsInt)
      .description("Jobs waiting for a worker; more than jobs.maxQueued are refused")
      .register(registry);
  }

  /** Stops the probe and the JVM binders that hold resources; the registry's series stay readable. */
  @Override
  public void close() {
    loopDelay.stop();
    if (taskRecords != null) {
      taskRecords.unregister();
    }
    for (AutoCloseable binder : binders) {
      try {
        binder.close();
      } catch (Exception ignored) {
        // a binder that cannot let go of its listener keeps counting into a registry nobody reads
      }
    }
    synchronized (BY_VERTX) {
      BY_VERTX.remove(vertx, this);
    }
  }

  /** Exposed for the scrape handler and tests: every series, as Prometheus reads them. */
  public String scrape() {
    return registry.scrape();
  }
}
