package io.oneloop.testtasks;

import io.oneloop.jobs.Job;
import io.oneloop.jobs.JobContext;
import io.vertx.core.json.JsonObject;

import java.time.LocalDate;
import java.util.Map;

/** A job type whose result is a map holding a value JSON has no form for. */
public class UnencodableJob implements Job {

  @Override
  public void validate(JsonObject params) {
  }

  @Override
  public Object run(JobContext ctx) {
    return Map.of("when", LocalDate.now());
  }
}
