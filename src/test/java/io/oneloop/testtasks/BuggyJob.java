package io.oneloop.testtasks;

import io.oneloop.jobs.Job;
import io.oneloop.jobs.JobContext;
import io.vertx.core.json.JsonObject;

/** A job type with a bug: checking params {@code {"bug": true}} throws what no check expects. */
public class BuggyJob implements Job {

  @Override
  public void validate(JsonObject params) {
    if (params.getBoolean("bug", false)) {
      throw new IllegalStateException("a bug in " + getClass().getName());
    }
  }

  @Override
  public Object run(JobContext ctx) {
    return null;
  }
}
