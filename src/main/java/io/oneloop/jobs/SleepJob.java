package io.oneloop.jobs;

import io.oneloop.base.Checks;
import io.oneloop.shape.ConfigShape;
import io.vertx.core.json.JsonObject;

/** Built-in job {@code sleep}: waits {@code ms}, reporting progress, for trying things out. */
public class SleepJob implements Job {

  static final long MAX_MS = 24L * 3600 * 1000;
  /** Progress at least twice a second, and a cancel noticed at once (the wait wakes on it). */
  private static final long STEP_MS = 200;

  public static ConfigShape configShape() {
    return ConfigShape.of(ConfigShape.integer("ms", 0, MAX_MS).required());
  }

  @Override
  public void validate(JsonObject params) {
    Checks.integer(params.getValue("ms"), "params.ms", 0, MAX_MS);
  }

  @Override
  public Object run(JobContext ctx) throws InterruptedException {
    long total = ctx.params().getLong("ms");
    long start = System.nanoTime();
    long elapsed = 0;
    while (elapsed < total) {
      if (!ctx.sleep(Math.min(STEP_MS, total - elapsed))) {
        throw new JobCancelledException();
      }
      elapsed = (System.nanoTime() - start) / 1_000_000;
      ctx.progress(Math.min(1.0, (double) elapsed / total));
    }
    return new JsonObject().put("sleptMs", total);
  }
}
