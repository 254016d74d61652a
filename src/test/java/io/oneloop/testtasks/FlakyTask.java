package io.oneloop.testtasks;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.shareddata.LocalMap;

/**
 * Runs {@code afterMs}, then fails (its first {@code failTimes} runs, or always when -1) or ends
 * normally ({@code end: true}); otherwise keeps running. Counts its starts across restarts.
 */
public class FlakyTask extends VerticleBase {

  @Override
  public Future<?> start() {
    String name = config().getString("name", "flaky");
    LocalMap<String, Integer> starts = vertx.sharedData().getLocalMap("test.flaky.starts");
    int run = starts.merge(name, 1, Integer::sum);
    int failTimes = config().getInteger("failTimes", -1);
    boolean end = config().getBoolean("end", false);
    vertx.setTimer(config().getLong("afterMs", 20L), id -> {
      if (end) {
        vertx.undeploy(deploymentID());
      } else if (failTimes < 0 || run <= failTimes) {
        throw new IllegalStateException("flaky failure " + run);
      }
    });
    return Future.succeededFuture();
  }
}
