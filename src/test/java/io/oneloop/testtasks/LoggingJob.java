package io.oneloop.testtasks;

import io.oneloop.jobs.Job;
import io.oneloop.jobs.JobContext;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A job that logs one line from its work, then fails with an exception when asked to. */
public class LoggingJob implements Job {

  private static final Logger log = LoggerFactory.getLogger(LoggingJob.class);

  @Override
  public void validate(JsonObject params) {
  }

  @Override
  public Object run(JobContext ctx) {
    log.info("logging job at work");
    if (ctx.params().getBoolean("fail", false)) {
      log.error("logging job failing", new IllegalStateException("the job's own failure"));
    }
    return null;
  }
}
