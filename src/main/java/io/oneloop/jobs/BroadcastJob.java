package io.oneloop.jobs;

import io.oneloop.base.Checks;
import io.oneloop.shape.ConfigShape;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.function.Predicate;

/**
 * Built-in job {@code broadcast}: after {@code delayMs}, publishes {@code body} on {@code address},
 * e.g. an announcement to every page. Only addresses browsers may receive (outbound on the bridge).
 */
public class BroadcastJob implements Job {

  private final Predicate<String> browsersMayReceive;
  private final long maxBytes;

  /** @param maxBytes the largest body it may publish, as JSON (bridge.maxOutboundBytes) */
  public BroadcastJob(Predicate<String> browsersMayReceive, long maxBytes) {
    this.browsersMayReceive = browsersMayReceive;
    this.maxBytes = maxBytes;
  }

  /** Its params; the body may be anything, so {@code /api/info} shows only the address. */
  public static ConfigShape configShape() {
    return ConfigShape.of(
      ConfigShape.address("address").required().shown(),
      ConfigShape.any("body").required(),
      ConfigShape.integer("delayMs", 0, SleepJob.MAX_MS).orElse(0));
  }

  @Override
  public void validate(JsonObject params) {
    String address = Checks.nonEmptyString(params.getValue("address"), "params.address");
    if (!browsersMayReceive.test(address)) {
      throw new IllegalArgumentException("params.address \"" + address + "\" is not permitted outbound on the bridge (bridge.outbound)");
    }
    if (!params.containsKey("body")) {
      throw new IllegalArgumentException("params.body is required (any JSON value)");
    }
    long bytes = Json.encodeToBuffer(params.getValue("body")).length();
    if (bytes > maxBytes) {
      throw new IllegalArgumentException("params.body is " + bytes + " bytes as JSON, more than bridge.maxOutboundBytes (" + maxBytes + ")");
    }
    Checks.integer(params.getValue("delayMs", 0), "params.delayMs", 0, SleepJob.MAX_MS);
  }

  @Override
  public Object run(JobContext ctx) throws InterruptedException {
    long delay = ctx.params().getLong("delayMs", 0L);
    if (delay > 0 && !ctx.sleep(delay)) {
      throw new JobCancelledException();
    }
    ctx.checkCancelled();
    String address = ctx.params().getString("address");
    ctx.vertx().eventBus().publish(address, ctx.params().getValue("body"));
    return new JsonObject().put("address", address).put("publishedAt", Instant.now().toString());
  }
}
