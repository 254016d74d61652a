package io.oneloop.testtasks;

import io.oneloop.jobs.Job;
import io.oneloop.jobs.JobContext;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A job (e.g. a startup hook) that waits until the test opens the gate, for at most 30 s. */
public class GateJob implements Job {

  private static volatile CountDownLatch gate = new CountDownLatch(1);

  /** Closes the gate for the next run. */
  public static void close() {
    gate = new CountDownLatch(1);
  }

  public static void open() {
    gate.countDown();
  }

  @Override
  public void validate(JsonObject params) {
  }

  @Override
  public Object run(JobContext ctx) throws Exception {
    if (!gate.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the gate was never opened");
    }
    return null;
  }
}
