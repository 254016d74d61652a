package io.oneloop.bench.harness;

import io.vertx.core.json.JsonObject;

/** One kind of process life the benchmark gives a peer: start it, measure, stop it, report. */
interface Scenario {

  /** Runs the scenario once against {@code p} and returns its record for the results' runs. */
  JsonObject run(Peer p, int round) throws Exception;
}
