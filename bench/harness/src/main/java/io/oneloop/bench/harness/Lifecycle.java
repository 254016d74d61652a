package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import static io.oneloop.bench.harness.Bench.log;
import static io.oneloop.bench.harness.Rig.CLK_TCK;
import static io.oneloop.bench.harness.Rig.sleep;

/**
 * One process life through S3 (start: the first 200 on {@code /health}), S5 (memory, idle and
 * with the clients connected), S1 (steady push latency at a fixed rate) and S4 (stop with the
 * clients connected). The peers that take them then get fixed high-rate steps (200 and 1000
 * publishes/s), compared path by path at the same rate. In a smoke run the S2 rate search runs in
 * this life too.
 */
final class Lifecycle implements Scenario {

  private final Rig rig;
  private final Settings s;
  private final Saturation saturation;

  Lifecycle(Rig rig, Saturation saturation) {
    this.rig = rig;
    this.s = rig.s;
    this.saturation = saturation;
  }

  @Override
  public JsonObject run(Peer p, int round) throws Exception {
    JsonObject r = new JsonObject().put("round", round).put("peer", p.id).put("kind", "lifecycle");
    log("round %d %s: start, memory, steady (S3 S5 S1 S4)", round, p.id);
    Server srv = rig.start(p, round, "life");
    try {
      JsonObject notStarted = rig.awaitStart(r, p, srv);
      if (notStarted != null) {
        return notStarted;
      }
      r.put("sigintDeliverable", srv.sigintDeliverable());
      sleep(s.idleWaitMs);
      long idleRss = srv.rssKiB();
      JsonObject notConnected = rig.connectAll(r, p, srv);
      if (notConnected != null) {
        return notConnected;
      }
      sleep(s.settleMs);
      long clientsRss = srv.rssKiB();
      r.put("server", rig.inspect(p, srv));
      r.put("s5", new JsonObject()
          .put("idleRssMiB", Json.round(idleRss / 1024.0, 1))
          .put("clientsRssMiB", Json.round(clientsRss / 1024.0, 1))
          .put("clients", rig.gen.openCount()));
      if (s.s1WarmupSeconds > 0) {
        // the same rate, unmeasured: what the first seconds of a cold process cost is kept beside S1, not in it
        StepStats w = rig.steps.measure(srv, s.s1Rate, s.s1WarmupSeconds);
        r.put("s1Warmup", w.toJson(CLK_TCK));
        log("  S1 warm-up %.0f/s for %.0f s: %.2f%% delivered, p50 %.2f ms, p99 %.2f ms, server %.1f us/delivery",
            s.s1Rate, s.s1WarmupSeconds, w.deliveriesPct(), w.ms(50), w.ms(99), w.serverCpuUsPerDelivery(CLK_TCK));
        sleep(s.pauseMs);
      }
      StepStats s1 = rig.steps.run(srv, s.s1Rate, s.s1Seconds);
      r.put("s1", s1.toJson(CLK_TCK));
      log("  S1: %.2f%% delivered, %d gaps, %d duplicates, p50 %.2f ms, p99 %.2f ms, max %.2f ms,"
              + " server %.1f us/delivery, generator CPU %.0f%%, other CPU %.0f%%",
          s1.deliveriesPct(), s1.gaps, s1.duplicates, s1.ms(50), s1.ms(99), s1.maxMs(),
          s1.serverCpuUsPerDelivery(CLK_TCK), 100 * s1.generatorCpuShare(CLK_TCK),
          100 * s1.otherCpuShare(CLK_TCK));
      if (s1.delivered == 0) {
        return rig.fail(r, p, srv, "no deliveries in S1");
      }
      if (p.highRate) {
        JsonArray high = new JsonArray();
        for (int i = 0; i < s.highRates.length; i++) {
          StepStats h = rig.steps.run(srv, s.highRates[i], s.highSeconds[i]);
          high.add(h.toJson(CLK_TCK));
          log("  fixed %.0f/s for %.0f s: %.2f%% delivered, %d gaps, %d duplicates, p99 %.2f ms, "
                  + "server %.2f us/delivery (CPU %.0f%%), RSS %.0f MiB, generator CPU %.0f%%",
              s.highRates[i], s.highSeconds[i], h.deliveriesPct(), h.gaps, h.duplicates, h.ms(99),
              h.serverCpuUsPerDelivery(CLK_TCK), 100 * h.serverCpuShare(CLK_TCK),
              h.serverRssKiB / 1024.0, 100 * h.generatorCpuShare(CLK_TCK));
          if (!h.serverAlive) {
            break;
          }
        }
        r.put("high", high);
      }
      if (s.smokeMode()) {
        r.put("s2", saturation.search(p, srv, round));
      }
      if (!srv.alive()) {
        return rig.fail(r, p, srv, "server died during the run");
      }
      r.put("s4", rig.stop(srv));
    } finally {
      srv.destroy();
      rig.gen.disconnectAll();
    }
    return r;
  }
}
