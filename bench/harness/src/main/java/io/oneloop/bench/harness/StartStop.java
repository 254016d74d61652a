package io.oneloop.bench.harness;

import io.vertx.core.json.JsonObject;

import static io.oneloop.bench.harness.Bench.log;
import static io.oneloop.bench.harness.Rig.sleep;

/** Extra S3 and S4 samples: start, connect the clients, stop with SIGINT. */
final class StartStop implements Scenario {

  private final Rig rig;

  StartStop(Rig rig) {
    this.rig = rig;
  }

  @Override
  public JsonObject run(Peer p, int round) throws Exception {
    JsonObject r = new JsonObject().put("round", round).put("peer", p.id).put("kind", "startstop");
    log("round %d %s: start/stop (S3 S4)", round, p.id);
    Server srv = rig.start(p, round, "startstop");
    try {
      JsonObject notStarted = rig.awaitStart(r, p, srv);
      if (notStarted != null) {
        return notStarted;
      }
      r.put("sigintDeliverable", srv.sigintDeliverable());
      JsonObject notConnected = rig.connectAll(r, p, srv);
      if (notConnected != null) {
        return notConnected;
      }
      sleep(1000);
      r.put("s4", rig.stop(srv));
    } finally {
      srv.destroy();
      rig.gen.disconnectAll();
    }
    return r;
  }
}
