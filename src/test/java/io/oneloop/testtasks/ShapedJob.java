package io.oneloop.testtasks;

import io.oneloop.jobs.Job;
import io.oneloop.jobs.JobContext;
import io.oneloop.shape.ConfigShape;
import io.vertx.core.json.JsonObject;

/** A job type with declared params: a mode of three and a count of rows; it counts its runs through meters(). */
public class ShapedJob implements Job {

  public static ConfigShape configShape() {
    return ConfigShape.of(
      ConfigShape.oneOf("mode", "fast", "slow", "off").required().shown(),
      ConfigShape.integer("rows", 0, 1000).orElse(10),
      ConfigShape.string("password"));
  }

  @Override
  public Object run(JobContext ctx) {
    ctx.meters().counter("shaped.job.runs").increment();
    return new JsonObject().put("mode", ctx.params().getString("mode"));
  }
}
