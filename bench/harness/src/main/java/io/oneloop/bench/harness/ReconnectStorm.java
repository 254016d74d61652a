package io.oneloop.bench.harness;

import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;

import static io.oneloop.bench.harness.Bench.log;
import static io.oneloop.bench.harness.Rig.CLK_TCK;
import static io.oneloop.bench.harness.Rig.sleep;

/**
 * The reconnect storm (oneloop with history on the bench address): every client connected and
 * receiving, then all dropped at once while publishing goes on, and all reconnecting with
 * {@code oneloop.since} and {@code oneloop.epoch}. Measured: how long until every client has
 * every message published up to the moment the last one was back (caught up: nothing missing),
 * gaps, duplicates and gap frames over the whole publishing window, and the server's CPU during
 * the storm beside a steady stretch before it.
 */
record ReconnectStorm(Rig rig) implements Scenario {

  @Override
  public JsonObject run(Peer p, int round) throws Exception {
    Settings s = rig.s;
    JsonObject r = new JsonObject().put("round", round).put("peer", p.id).put("kind", "storm");
    log("round %d %s: reconnect storm (%d clients, %.0f publishes/s)", round, p.id, s.clients,
        s.stormRate);
    Server srv = rig.start(p, round, "storm");
    LoadGen gen = rig.gen;
    gen.trackHistory(true);
    try {
      JsonObject notReady = rig.ready(r, p, srv);
      if (notReady != null) {
        return notReady;
      }
      long count = Math.max(1, Math.round(s.stormRate * s.stormSeconds));
      long first = rig.steps.reserveFirst();
      gen.beginStep(first, count);
      long w0 = System.nanoTime();
      int status = MiniHttp.status(srv.controlPort,
          "/control?rate=" + s.stormRate + "&count=" + count + "&first=" + first, 10_000);
      if (status != 200) {
        gen.endStep();
        return rig.fail(r, p, srv, "control request answered " + status);
      }
      // a steady stretch first, to compare the storm's CPU with
      long cBefore = srv.cpuTicks();
      long tBefore = System.nanoTime();
      sleep(s.stormLeadMs);
      long cDrop = srv.cpuTicks();
      long tDrop = System.nanoTime();
      int back = gen.dropAndResume(srv.port, p.wsPath, s.connectTimeoutMs);
      long tBack = System.nanoTime();
      // every message due by the time the last client was back (one tick of margin for the clocks)
      long due = first + (long) Math.floor((tBack - w0) / 1e9 * s.stormRate) - 2;
      long target = Math.min(first + count - 1, Math.max(first, due));
      long deadline = tBack + TimeUnit.MILLISECONDS.toNanos(s.stormCatchUpMaxMs);
      int caught = gen.caughtUp(target);
      while (caught < back && System.nanoTime() < deadline && srv.alive()) {
        sleep(5);
        caught = gen.caughtUp(target);
      }
      long tCaught = System.nanoTime();
      long cCaught = srv.cpuTicks();
      // the rest of the publishing window, then what is still on its way
      long publishEnd = w0 + (long) (count / s.stormRate * 1e9);
      while (System.nanoTime() < publishEnd && srv.alive()) {
        sleep(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(publishEnd - System.nanoTime()))));
      }
      gen.awaitQuiet(s.drainQuietMs, 20_000);
      StepStats st = gen.endStep();
      st.rate = s.stormRate;
      st.seconds = count / s.stormRate;
      st.serverAlive = srv.alive();
      double leadSeconds = (tDrop - tBefore) / 1e9;
      double stormSeconds = (tCaught - tDrop) / 1e9;
      JsonObject storm = new JsonObject()
          .put("clients", s.clients)
          .put("rate", s.stormRate)
          .put("publishSeconds", s.stormSeconds)
          .put("reconnected", back)
          .put("caughtUp", caught)
          .put("reconnectMs", Json.round((tBack - tDrop) / 1e6, 1))
          .put("catchUpMs", caught < back ? null : Json.round((tCaught - tDrop) / 1e6, 1))
          .put("caughtUpTo", target - first + 1)
          .put("gapFrames", gen.gapFrames())
          .put("serverCpuShareBefore", share(cDrop - cBefore, leadSeconds))
          .put("serverCpuShareStorm", share(cCaught - cDrop, stormSeconds))
          .put("serverCpuSecondsStorm", Json.round((cCaught - cDrop) / (double) CLK_TCK, 2))
          .put("step", st.toJson(CLK_TCK));
      r.put("storm", storm);
      log("  storm: %d/%d back in %.0f ms, %d caught up in %s ms, %d gaps, %d duplicates, "
              + "%d missing, %d gap frames, server CPU %.0f%% (before: %.0f%%)",
          back, s.clients, (tBack - tDrop) / 1e6, caught, storm.getValue("catchUpMs"), st.gaps,
          st.duplicates, st.missing, gen.gapFrames(),
          100 * storm.getDouble("serverCpuShareStorm", 0.0),
          100 * storm.getDouble("serverCpuShareBefore", 0.0));
      if (back < s.clients) {
        return rig.fail(r, p, srv, "only " + back + " of " + s.clients + " clients reconnected");
      }
      if (!srv.alive()) {
        return rig.fail(r, p, srv, "server died during the storm");
      }
      r.put("s4", rig.stop(srv));
    } finally {
      srv.destroy();
      gen.disconnectAll();
      gen.trackHistory(false);
    }
    return r;
  }

  /** CPU ticks over a stretch as a share of one core; null for a stretch too short to read. */
  private static Double share(long ticks, double seconds) {
    return seconds <= 0 ? null : Json.round(ticks / (double) CLK_TCK / seconds, 3);
  }
}
