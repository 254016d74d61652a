package io.oneloop.testtasks;

import io.oneloop.jobs.Job;
import io.oneloop.jobs.JobContext;
import io.vertx.core.json.JsonObject;

/** A job type added by config: fails when asked to, otherwise reports half-way and returns rows. */
public class ReportJob implements Job {

  @Override
  public void validate(JsonObject params) {
    if (!(params.getValue("rows") instanceof Integer)) {
      throw new IllegalArgumentException("params.rows must be an integer");
    }
  }

  @Override
  public Object run(JobContext ctx) {
    if (ctx.params().getBoolean("fail", false)) {
      throw new IllegalStateException("the report source is missing");
    }
    ctx.progress(0.5);
    return new JsonObject().put("rows", ctx.params().getInteger("rows"));
  }
}
