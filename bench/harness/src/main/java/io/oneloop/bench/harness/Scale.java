package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Set;

import static io.oneloop.bench.harness.Bench.log;
import static io.oneloop.bench.harness.Rig.CLK_TCK;
import static io.oneloop.bench.harness.Rig.sleep;

/**
 * The connection scale: one server, the clients added in steps to each of {@code scaleSizes}
 * (1k, 8k, 16k: a process here may hold 20,000 open files, so 16k is the top); at each size the
 * RSS and (JVM peers) the live heap after a forced GC against the server with no client, each
 * per connection, then a publish step at each of {@code scaleRates}: delivered, p50/p99, server
 * CPU per delivery, and how busy the one-thread generator was; a step where it used
 * {@link #GENERATOR_LIMIT} of its core or more measured the generator as much as the server and
 * is marked {@code generatorLimited}.
 */
final class Scale implements Scenario {

  /** The peers the scenario takes: oneloop on both paths, the stock bridge over SockJS, Socket.IO on Node. */
  static final Set<String> PEERS = Set.of("oneloop", "oneloop-sockjs", "bridge-sockjs", "socketio");
  /** The generator's share of its core from which a step says more about it than about the server. */
  static final double GENERATOR_LIMIT = 0.9;

  private final Rig rig;

  Scale(Rig rig) {
    this.rig = rig;
  }

  @Override
  public JsonObject run(Peer p, int round) throws Exception {
    Settings s = rig.s;
    JsonObject r = new JsonObject().put("round", round).put("peer", p.id).put("kind", "scale");
    log("round %d %s: connection scale %s clients", round, p.id, java.util.Arrays.toString(s.scaleSizes));
    Server srv = rig.start(p, round, "scale");
    JsonArray sizes = new JsonArray();
    r.put("sizes", sizes);
    try {
      JsonObject notStarted = rig.awaitStart(r, p, srv);
      if (notStarted != null) {
        return notStarted;
      }
      sleep(s.settleMs);
      Map<String, long[]> idleHeap = p.jvm ? ConnMemory.histogram(srv.pid) : Map.of();
      long idleRss = srv.rssKiB();
      r.put("rssIdleKiB", idleRss);
      for (int n : s.scaleSizes) {
        int more = n - rig.gen.openCount();
        int connected = more <= 0 ? 0 : rig.gen.connect(p.protocol, srv.port, p.wsPath, Peer.ADDRESS, more,
            Math.max(s.connectTimeoutMs, more * 10L));
        int open = rig.gen.openCount();
        JsonObject size = new JsonObject().put("clients", n).put("connected", open);
        sizes.add(size);
        log("  %d clients: %d connected (%d just now)", n, open, connected);
        if (open < n) {
          rig.fail(r, p, srv, "only " + open + " of " + n + " clients connected");
          break;
        }
        sleep(Math.max(s.settleMs, 2000));
        long rss = srv.rssKiB();
        size.put("rssKiB", rss).put("rssPerConnKiB", Json.round((rss - idleRss) / (double) n, 2));
        if (p.jvm) {
          Map<String, long[]> heap = ConnMemory.histogram(srv.pid);
          size.put("heapPerConnKiB",
              Json.round((ConnMemory.total(heap) - ConnMemory.total(idleHeap)) / 1024.0 / n, 2));
        }
        JsonArray steps = new JsonArray();
        size.put("steps", steps);
        for (int i = 0; i < s.scaleRates.length; i++) {
          StepStats st = rig.steps.run(srv, s.scaleRates[i], s.scaleSeconds[i]);
          boolean genLimited = st.generatorLimited(CLK_TCK);
          steps.add(st.toJson(CLK_TCK).put("generatorLimited", genLimited));
          log("  %d clients, %.0f/s: %.2f%% delivered, p50 %.2f ms, p99 %.2f ms, server %.2f us/delivery, "
                  + "RSS %.1f KiB/conn, heap after GC %s/conn, generator CPU %.0f%%%s",
              n, s.scaleRates[i], st.deliveriesPct(), st.ms(50), st.ms(99), st.serverCpuUsPerDelivery(CLK_TCK),
              (rss - idleRss) / (double) n,
              size.getValue("heapPerConnKiB") == null ? "—" : size.getValue("heapPerConnKiB") + " KiB",
              100 * st.generatorCpuShare(CLK_TCK), genLimited ? " (the generator was the limit)" : "");
          if (!st.serverAlive) {
            return rig.fail(r, p, srv, "server died at " + n + " clients");
          }
        }
      }
    } finally {
      srv.destroy();
      rig.gen.disconnectAll();
    }
    return r;
  }
}
