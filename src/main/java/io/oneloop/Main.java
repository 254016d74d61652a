package io.oneloop;

import ch.qos.logback.classic.LoggerContext;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.oneloop.logging.ConsoleLogging;
import io.oneloop.supervision.ExitCodes;
import io.oneloop.supervision.Outcome;
import io.oneloop.cluster.HazelcastSetup;
import io.oneloop.config.AppConfig;
import io.oneloop.config.ClusterConfig;
import io.oneloop.config.ConfigException;
import io.oneloop.config.ConfigLoader;
import io.oneloop.metrics.AppMetrics;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import io.vertx.micrometer.MicrometerMetricsFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The process: reads the config, starts Vert.x with {@link MainVerticle}, turns SIGINT/SIGTERM into
 * a graceful shutdown (a second signal forces the exit) and ends with oneloop's exit codes.
 */
public class Main implements VertxApplicationHooks {

  private static final Logger log = LoggerFactory.getLogger(Main.class);
  /** Closing Vert.x after the children have stopped has little left to do; never wait longer than this. */
  private static final long CLOSE_WAIT_MS = 5000;
  static final String CHECK_CONFIG = "--check-config";
  /** The launcher's option for a clustered Vert.x; oneloop passes it itself when cluster.enabled is true. */
  private static final String CLUSTER_OPTION = "-cluster";

  /** The launcher's own logger, so that a direct start logs its lines as the launcher would. */
  private static final String LAUNCHER_LOGGER = "io.vertx.launcher.application.VertxApplication";
  /** How long the launcher waits for Vert.x to start, for the deployment, and for Vert.x to close at a JVM exit. */
  private static final long LAUNCHER_WAIT_MINUTES = 2;
  /** System properties the launcher reads into Vert.x's and the deployment's options. */
  private static final List<String> LAUNCHER_PROPERTIES = List.of("vertx.options.", "vertx.eventBus.options.",
    "vertx.metrics.options.", "vertx.deployment.options.");

  private final String[] args;
  private final AppConfig config;
  /** Vert.x's metrics and oneloop's share this registry; null with {@code metrics.enabled} false. */
  private final PrometheusMeterRegistry registry;
  private final AtomicInteger signals = new AtomicInteger();
  private volatile MainVerticle verticle;
  private volatile Vertx vertx;
  private volatile String startFailure;

  Main(String[] args, AppConfig config) {
    this.args = args;
    this.config = config;
    this.registry = config.ops().metricsEnabled() ? AppMetrics.newRegistry() : null;
  }

  /** Netty's allocator events for JFR: registering them costs the start about a hundred classes; a -D given for it wins. */
  static final String NETTY_JFR = "io.netty.jfr.enabled";

  public static void main(String[] args) {
    if (System.getProperty(NETTY_JFR) == null) {
      System.setProperty(NETTY_JFR, "false");
    }
    if (Arrays.asList(args).contains(CHECK_CONFIG)) {
      checkConfig(confArgument(args));
      return;
    }
    String clusterFlag = clusterFlag(args);
    if (clusterFlag != null) {
      exit(ExitCodes.START_FAILED, "could not start: the launcher's " + clusterFlag + " option is not supported; set cluster.enabled "
        + "to true in the config (or ONELOOP_CLUSTER_ENABLED=true), with cluster.host, cluster.port and cluster.members");
      return;
    }
    AppConfig config;
    try {
      config = ConfigLoader.load(confArgument(args), System.getenv());
    } catch (ConfigException e) {
      List<String> problems = e.problems();
      problems.forEach(log::error);
      exit(ExitCodes.START_FAILED, "could not start: " + problems.get(0)
        + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problem(s) above)" : ""));
      return;
    }
    ConsoleLogging.useFormat(config.ops().logFormat());
    ClusterConfig cluster = config.cluster();
    if (cluster.enabled()) {
      String taken = portTaken(cluster.host(), cluster.port());
      if (taken != null) {
        exit(ExitCodes.START_FAILED, "could not start: cannot listen on cluster.port " + cluster.address() + ": " + taken);
        return;
      }
    }
    // Clustered, the launcher builds Vert.x with buildClustered() from the builder below, which
    // carries oneloop's own Hazelcast setup.
    Main main = new Main(cluster.enabled() ? withFirst(CLUSTER_OPTION, args) : args, config);
    int code = direct(args, cluster.enabled()) ? main.startDirect() : new Launcher(main.args, main).launch();
    if (code != 0) {
      // The launcher's own codes (usage, Vert.x start, deployment) all mean the app could not start.
      exit(ExitCodes.START_FAILED, "could not start: "
        + (main.startFailure != null ? main.startFailure : "the launcher failed with code " + code));
    }
  }

  /** The launcher, which parses its own options (picocli) and reads Vert.x's options from system properties. */
  private static final class Launcher extends VertxApplication {
    Launcher(String[] args, VertxApplicationHooks hooks) {
      super(args, hooks, true, false);
    }
  }

  /**
   * Whether the start can skip the launcher: nothing on the command line but {@code -conf}, none of
   * the system properties it reads, not clustered. Its option parsing is a tenth of the start.
   */
  static boolean direct(String[] args, boolean clustered) {
    if (clustered) {
      return false;
    }
    for (int i = 0; i < args.length; i++) {
      String lower = args[i].toLowerCase(Locale.ROOT);
      if ((lower.equals("-conf") || lower.equals("--conf")) && i + 1 < args.length) {
        i++;
      } else if (!lower.startsWith("-conf=") && !lower.startsWith("--conf=")) {
        return false;
      }
    }
    for (String name : System.getProperties().stringPropertyNames()) {
      if (LAUNCHER_PROPERTIES.stream().anyMatch(name::startsWith)) {
        return false;
      }
    }
    return true;
  }

  /**
   * What the launcher does for a plain start, with the same hooks, log lines and codes (11: Vert.x
   * did not start, 15: the deployment failed), without its option parsing.
   */
  private int startDirect() {
    Logger launcherLog = LoggerFactory.getLogger(LAUNCHER_LOGGER);
    Vertx started;
    try {
      started = createVertxBuilder(new VertxOptions()).build();
    } catch (RuntimeException e) {
      launcherLog.error("Failed to create the Vert.x instance", e);
      startFailed(e);
      return io.vertx.launcher.application.ExitCodes.VERTX_INITIALIZATION;
    }
    vertxStarted(started);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        started.close().toCompletionStage().toCompletableFuture().get(LAUNCHER_WAIT_MINUTES, TimeUnit.MINUTES);
      } catch (Exception e) {
        launcherLog.error("Failure in stopping Vert.x", e);
      }
    }));
    try {
      started.deployVerticle(verticleSupplier(), new DeploymentOptions()).toCompletionStage().toCompletableFuture()
        .get(LAUNCHER_WAIT_MINUTES, TimeUnit.MINUTES);
      launcherLog.info("Succeeded in deploying verticle");
      return ExitCodes.OK;
    } catch (ExecutionException e) {
      launcherLog.error("Failed in deploying verticle", e.getCause());
      deployFailed(started, e.getCause());
    } catch (TimeoutException e) {
      launcherLog.error("Timed out in deploying verticle");
      deployFailed(started, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      launcherLog.error("Thread interrupted in deploying verticle");
      deployFailed(started, e);
    }
    return io.vertx.launcher.application.ExitCodes.VERTX_DEPLOYMENT;
  }

  /**
   * {@code --check-config}: prints every problem of the config (each on a line, as a start would
   * report it) and every warning ({@code warning: ...}; warnings never stop a start), then exits 0
   * when it would start or 2 when it would not. Nothing is started.
   */
  private static void checkConfig(String conf) {
    ConfigLoader.Check check = ConfigLoader.check(conf, System.getenv());
    check.warnings().forEach(w -> System.out.println("warning: " + w));
    check.problems().forEach(System.out::println);
    // Without warnings the last line is as it always was, for the scripts that read it.
    int warnings = check.warnings().size();
    System.out.println(check.problems().isEmpty()
      ? "config OK: " + check.source() + (warnings == 0 ? "" : " (" + warnings + " warnings)")
      : check.problems().size() + " problem(s) in " + check.source());
    System.out.flush();
    Runtime.getRuntime().halt(check.problems().isEmpty() ? ExitCodes.OK : ExitCodes.START_FAILED);
  }

  /** The launcher's own cluster option as given ({@code -cluster}, {@code --cluster-port=...}, ...), or null. */
  static String clusterFlag(String[] args) {
    for (String arg : args) {
      String lower = arg.toLowerCase(Locale.ROOT);
      if (lower.startsWith("-cluster") || lower.startsWith("--cluster")) {
        return arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      }
    }
    return null;
  }

  private static String[] withFirst(String first, String[] args) {
    String[] all = new String[args.length + 1];
    all[0] = first;
    System.arraycopy(args, 0, all, 1, args.length);
    return all;
  }

  /** Why {@code host:port} cannot be listened on, or null when it can (checked by listening a moment). */
  static String portTaken(String host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port));
      return null;
    } catch (BindException e) {
      return "address already in use";
    } catch (IOException e) {
      return e.getMessage() == null ? e.toString() : e.getMessage();
    }
  }

  /** The value of {@code -conf}/{@code --conf}, as {@code -conf file} or {@code -conf=file}, or null. */
  static String confArgument(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String lower = arg.toLowerCase(Locale.ROOT);
      if ((lower.equals("-conf") || lower.equals("--conf")) && i + 1 < args.length) {
        return args[i + 1];
      }
      if (lower.startsWith("-conf=") || lower.startsWith("--conf=")) {
        return arg.substring(arg.indexOf('=') + 1);
      }
    }
    return null;
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return () -> {
      verticle = new MainVerticle(config, this::stopped, registry);
      return verticle;
    };
  }

  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    // Epoll where the platform has it (Linux); Vert.x falls back to NIO elsewhere.
    options.setPreferNativeTransport(true);
    ClusterConfig cluster = config.cluster();
    if (cluster.enabled()) {
      // The event bus's own connections between nodes: on cluster.host, on a free port.
      options.getEventBusOptions().setHost(cluster.host()).setPort(0);
    }
    VertxBuilder builder = metricsBuilder(options);
    // Only here does a Hazelcast class load: the jar leaves vertx-hazelcast's service entry out.
    return cluster.enabled() ? builder.withClusterManager(HazelcastSetup.clusterManager(cluster)) : builder;
  }

  private VertxBuilder metricsBuilder(VertxOptions options) {
    if (registry == null) {
      return VertxApplicationHooks.super.createVertxBuilder(options);
    }
    // Vert.x's HTTP server, event-bus and pool series on the registry oneloop's own series join;
    // the JVM's binders are bound by oneloop, so that the legacy launcher gets them too.
    options.setMetricsOptions(AppMetrics.vertxMetricsOptions());
    return VertxApplicationHooks.super.createVertxBuilder(options).withMetrics(new MicrometerMetricsFactory(registry));
  }

  @Override
  public void afterVertxStarted(HookContext context) {
    vertxStarted(context.vertx());
  }

  private void vertxStarted(Vertx started) {
    vertx = started;
    if (vertx.isNativeTransportEnabled()) {
      log.info("Using the native epoll transport");
    } else {
      log.info("Using the NIO transport (native transport unavailable: {})", vertx.unavailableNativeTransportCause());
    }
    Signal.handle(new Signal("INT"), this::onSignal);
    Signal.handle(new Signal("TERM"), this::onSignal);
  }

  @Override
  public void afterFailureToStartVertx(HookContext context, Throwable t) {
    startFailed(t);
  }

  private void startFailed(Throwable t) {
    startFailure = "cannot join the cluster on " + config.cluster().address() + ": "
      + (t == null ? "the start timed out" : t.getMessage() == null ? t.toString() : t.getMessage());
  }

  @Override
  public void afterFailureToDeployVerticle(HookContext context, Throwable t) {
    deployFailed(context.vertx(), t);
  }

  private void deployFailed(Vertx failed, Throwable t) {
    startFailure = t == null ? "the start timed out" : (t.getMessage() == null ? t.toString() : t.getMessage());
    failed.close();
  }

  private void onSignal(Signal signal) {
    String name = "SIG" + signal.getName();
    if (signals.incrementAndGet() > 1) {
      exit(ExitCodes.FORCED, "forced by a second signal (" + name + ") during shutdown");
      return;
    }
    MainVerticle main = verticle;
    if (main == null || main.terminatedOrNull() == null) {
      exit(ExitCodes.OK, "stopped by " + name + " before the app had started");
      return;
    }
    log.info("Received {}: shutting down gracefully (send it again to force the exit)", name);
    main.shutdown("stopped by " + name);
  }

  /** Runs on an event loop when the children have stopped: close Vert.x off the loop, then exit. */
  private void stopped(Outcome outcome) {
    Thread closer = new Thread(() -> {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        log.warn("Vert.x did not close cleanly: {}", e.toString());
      }
      exit(outcome.exitCode(), outcome.reason());
    }, "oneloop-exit");
    closer.start();
  }

  /** Every exit ends here: one line with the reason and the code, logs flushed, then the JVM ends. */
  static void exit(int code, String reason) {
    log.info("oneloop exiting with code {}: {}", code, reason);
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
      logback.stop();
    }
    System.out.flush();
    System.err.flush();
    // halt, not exit: the shutdown work is done, and the launcher's own hook would only close Vert.x again
    Runtime.getRuntime().halt(code);
  }
}
