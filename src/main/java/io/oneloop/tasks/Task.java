package io.oneloop.tasks;

import io.oneloop.Addresses;
import io.micrometer.core.instrument.MeterRegistry;
import io.oneloop.base.Checks;
import io.oneloop.base.NoMeters;
import io.oneloop.metrics.AppMetrics;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxException;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The base class for a background task: a Vert.x verticle with helpers for the common needs.
 * <p>
 * Override {@link #start()} (and {@link #stop()} if the task holds resources). Read settings with
 * {@link #config()} or the checked getters below, send with {@link #publish} (or
 * {@link #publishLocal} for this node's own consumers only), and finish with
 * {@link #end()} (a normal end) or {@link #fail(String)} (a failure with a reason). An exception
 * thrown from any handler of the task counts as a failure too. Count with {@link #meters()}.
 * <p>
 * A task declares the keys of its config with {@code public static ConfigShape configShape()}
 * (see {@link io.oneloop.shape.ConfigShape}): {@code --check-config} and the start then check them.
 */
public abstract class Task extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(Task.class);

  /** Where the app leaves {@code bridge.maxOutboundBytes} for its tasks (a local map of the Vert.x instance). */
  public static final String LIMITS_MAP = Addresses.LIMITS_MAP;
  public static final String MAX_OUTBOUND_BYTES = "maxOutboundBytes";

  /**
   * Publishes {@code body} to every consumer of {@code address}, browsers on the bridge included.
   * A body larger than {@code bridge.maxOutboundBytes} as JSON is refused with an
   * {@link IllegalArgumentException}: no bridge client would be sent it. A singleton's publish
   * while this node holds no valid lease for it (it stands down, or its membership is in doubt) is
   * dropped and counted.
   */
  protected void publish(String address, Object body) {
    checkSize(address, body);
    if (!PublishLease.allows(vertx, context)) {
      return;
    }
    vertx.eventBus().publish(address, body);
  }

  /**
   * Publishes {@code body} to the consumers of {@code address} on this node only: in a cluster,
   * for what is about this node (its metrics, say) and would mislead on the others.
   */
  protected void publishLocal(String address, Object body) {
    checkSize(address, body);
    vertx.eventBus().publish(address, body, new DeliveryOptions().setLocalOnly(true));
  }

  private void checkSize(String address, Object body) {
    Object max = vertx.sharedData().getLocalMap(LIMITS_MAP).get(MAX_OUTBOUND_BYTES);
    if (max instanceof Long limit) {
      long bytes = Json.encodeToBuffer(body).length();
      if (bytes > limit) {
        throw new IllegalArgumentException("a message of " + bytes + " bytes for " + address
          + " is larger than bridge.maxOutboundBytes (" + limit + ")");
      }
    }
  }

  /** Ends this task normally: it is stopped, and the app treats it as a task that ended. */
  protected void end() {
    vertx.undeploy(deploymentID());
  }

  /** Fails this task with a reason: it is stopped, and the app treats it as a failed task. */
  protected void fail(String reason) {
    fail(new VertxException(reason, true));
  }

  /** Fails this task with a cause. */
  protected void fail(Throwable cause) {
    Handler<Throwable> supervisor = context.exceptionHandler();
    if (supervisor != null) {
      context.runOnContext(v -> supervisor.handle(cause));
    } else {
      log.error("Task " + getClass().getName() + " failed", cause);
      vertx.undeploy(deploymentID());
    }
  }

  /**
   * The registry {@code /metrics} shows: a meter registered here is scraped with the app's own
   * ({@code meters().counter("orders.seen").increment()} shows as {@code orders_seen_total}). With
   * {@code metrics.enabled} false, a registry whose meters work and record nothing. Each meter name
   * holds at most 1000 series (tag combinations); a series past that is dropped, with one warning
   * naming the meter.
   */
  protected MeterRegistry meters() {
    AppMetrics metrics = AppMetrics.of(vertx);
    return metrics != null ? metrics.registry() : NoMeters.REGISTRY;
  }

  /** A whole number from this task's config, {@code def} when absent; fails the start when out of range. */
  protected long configLong(String key, long def, long min, long max) {
    Object value = config().getValue(key);
    if (value == null) {
      return def;
    }
    return Checks.integer(value, "config." + key, min, max);
  }

  /** A non-empty string from this task's config, {@code def} when absent. */
  protected String configString(String key, String def) {
    Object value = config().getValue(key);
    if (value == null) {
      return def;
    }
    return Checks.nonEmptyString(value, "config." + key);
  }
}
