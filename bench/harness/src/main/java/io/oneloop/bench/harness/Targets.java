package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The issues' targets, read from one run's summary: each as measured, its limit, and met or not
 * (null when the run did not measure it). Ratios compare peers of the same run, never figures of
 * different runs. A row marked {@code info} has no limit: it is shown for comparison.
 */
final class Targets {

  static final String BROWSER = "The browser's path (SockJS on the fan-out engine)";
  static final String METRICS = "Metrics on and off";
  static final String HISTORY = "History and the reconnect storm";
  static final String AUTH = "Authorizer and presence";
  static final String EARLIER = "Earlier targets (oneloop's raw path)";
  static final String MANY = "Many sockets, low latency";
  static final String CLUSTER = "Cluster";

  private final Settings s;
  private final JsonObject byPeer;
  private final JsonObject ratios;
  private final JsonArray runs;
  private final JsonArray out = new JsonArray();

  private Targets(Settings s, JsonObject byPeer, JsonObject ratios, JsonArray runs) {
    this.s = s;
    this.byPeer = byPeer;
    this.ratios = ratios;
    this.runs = runs;
  }

  static JsonArray build(Settings s, JsonObject byPeer, JsonObject ratios, JsonArray runs) {
    Targets t = new Targets(s, byPeer, ratios, runs);
    t.browser();
    t.metrics();
    t.history();
    t.storm();
    t.rolling();
    t.authorizerAndPresence();
    t.manySockets();
    t.clusterHistory();
    t.earlier();
    return t.out;
  }

  private void browser() {
    String sj = "oneloop-sockjs";
    if (byPeer.getJsonObject(sj) == null) {
      return;
    }
    ratio(BROWSER, sj, "oneloop", "s2Throughput", ">=", 0.8,
        "S2 over SockJS >= 0.8x oneloop's raw path");
    ratio(BROWSER, sj, "bridge-sockjs", "s2Throughput", ">=", 3.0,
        "S2 over SockJS >= 3x the stock bridge over SockJS");
    ratio(BROWSER, sj, "socketio", "s2Throughput", ">=", 3.0, "S2 over SockJS >= 3x Socket.IO");
    for (String id : List.of("oneloop", sj)) {
      JsonObject p = byPeer.getJsonObject(id);
      if (p == null) {
        continue;
      }
      JsonObject s1 = p.getJsonObject("s1");
      JsonObject s2 = p.getJsonObject("s2");
      long gaps = s2.getLong("passingGaps", 0L) + s1.getLong("gaps", 0L);
      long dups = s2.getLong("passingDuplicates", 0L) + s1.getLong("duplicates", 0L);
      boolean measured = s2.getInteger("rounds", 0) > 0 || s1.getInteger("rounds", 0) > 0;
      add(BROWSER, "0 gaps and 0 duplicates at every passing step (S1, S2) on " + id,
          measured ? (double) (gaps + dups) : null, "count", 0.0,
          measured ? gaps + dups == 0 : null, gaps + " gaps, " + dups + " duplicates");
    }
    JsonObject s1 = byPeer.getJsonObject(sj).getJsonObject("s1");
    Double pct = s1.getDouble("deliveriesPct");
    add(BROWSER, "S1 over SockJS: 100 % delivered", pct, "%", 100.0,
        pct == null ? null : pct >= 100.0, null);
    ratio(BROWSER, sj, "socketio", "s1P99", "<=", 1.0, "S1 over SockJS: p99 <= Socket.IO's");
    ratio(BROWSER, sj, "oneloop", "s1CpuPerDelivery", "<=", 1.1,
        "S1 over SockJS: server CPU per delivery <= 1.1x the raw path's");
    JsonObject h200 = high(sj, 200);
    JsonObject r200 = high("oneloop", 200);
    Double p99 = h200 == null ? null : h200.getDouble("p99Ms");
    add(BROWSER, "200 publishes/s to " + s.clients + " SockJS clients: p99 <= 50 ms", p99, "ms",
        50.0, p99 == null ? null : p99 <= 50.0, h200 == null ? null
            : Markdown.num(h200.getValue("deliveriesPct"), "%.2f %%") + " delivered");
    Double rss = div(h200, r200, "serverRssMiB");
    add(BROWSER, "200 publishes/s: server RSS over SockJS <= 1.5x the raw path's", rss, "x", 1.5,
        rss == null ? null : rss <= 1.5, h200 == null || r200 == null ? null
            : Markdown.num(h200.getValue("serverRssMiB"), "%.0f") + " vs "
            + Markdown.num(r200.getValue("serverRssMiB"), "%.0f") + " MiB");
    double top = s.highRates[s.highRates.length - 1];
    JsonObject hTop = high(sj, top);
    JsonObject rTop = high("oneloop", top);
    Double cpu = div(hTop, rTop, "serverCpuUsPerDelivery");
    add(BROWSER, String.format("%.0f publishes/s (the highest fixed rate): server CPU per delivery "
            + "over SockJS <= 1.25x raw", top), cpu, "x", 1.25, cpu == null ? null : cpu <= 1.25,
        hTop == null || rTop == null ? null
            : Markdown.num(hTop.getValue("serverCpuUsPerDelivery"), "%.2f") + " vs "
            + Markdown.num(rTop.getValue("serverCpuUsPerDelivery"), "%.2f") + " µs");
    for (String id : List.of("oneloop", sj)) {
      JsonObject p = byPeer.getJsonObject(id);
      if (p == null) {
        continue;
      }
      Double peak = Summary.value(p, "s2", "peakRssMiB");
      Double idle = Summary.value(p, "s5", "clientsRssMiB");
      Double v = peak == null || idle == null || idle == 0 ? null : Json.round(peak / idle, 3);
      add(BROWSER, "RSS during S2 (its passing steps) on " + id + " <= 1.3x its S5 RSS with "
              + s.clients + " idle clients", v, "x", 1.3, v == null ? null : v <= 1.3,
          peak == null || idle == null ? null : Markdown.num(peak, "%.0f") + " vs "
              + Markdown.num(idle, "%.0f") + " MiB; peak over every S2 step, failing ones too: "
              + Markdown.num(Summary.value(p, "s2", "peakRssAllStepsMiB"), "%.0f") + " MiB");
    }
    for (String id : List.of("oneloop", sj)) {
      JsonObject p = byPeer.getJsonObject(id);
      JsonObject x = p == null ? null : p.getJsonObject("s6");
      if (x == null) {
        continue;
      }
      int rounds = x.getInteger("rounds", 0);
      int closed = x.getInteger("closedRounds", 0);
      Double after = x.getDouble("closedAfterBoundMaxMs");
      Boolean met = closed < rounds ? Boolean.FALSE : after == null ? null : after <= 2000;
      add(BROWSER, "S6 on " + id + ": slow client's connection closed within 2 s of passing the "
              + "bound", closed < rounds ? null : after, "ms", 2000.0, met,
          "closed in " + closed + " of " + rounds + " round(s)"
              + (x.getValue("serverLoggedAfterMs") == null ? ""
              : "; the server logged closing it " + Markdown.num(x.getValue("serverLoggedAfterMs"),
              "%.0f") + " ms after publishing began, past the bound (estimated) at "
              + Markdown.num(x.getValue("passedBoundAfterMs"), "%.0f") + " ms"));
      if (closed < rounds) {
        out.getJsonObject(out.size() - 1).put("shown", closed == 0 ? "never" : "not in every round");
      }
      Double growth = x.getDouble("rssGrowthMaxMiB");
      add(BROWSER, "S6 on " + id + ": RSS growth <= 64 MiB over the run", growth, "MiB", 64.0,
          growth == null ? null : growth <= 64.0,
          Markdown.num(x.getValue("rssEarlyMiB"), "%.0f") + " -> "
              + Markdown.num(x.getValue("rssEndMiB"), "%.0f") + " MiB (median)");
      Double healthy = x.getDouble("healthyDeliveriesMinPct");
      long hg = x.getLong("healthyGaps", 0L);
      add(BROWSER, "S6 on " + id + ": the healthy client gets 100 % (in every round; the worst "
              + "round shown)", healthy, "%", 100.0,
          healthy == null ? null : healthy >= 100.0 && hg == 0,
          hg + " gaps" + (x.getInteger("healthyClosedRounds", 0) > 0 ? "; it was closed by the "
              + "server in " + x.getInteger("healthyClosedRounds") + " round(s)"
              : healthy != null && healthy < 100.0 ? "; not closed: its last message came "
              + Markdown.num(x.getValue("healthyLastDeliveryAfterMs"), "%.0f") + " ms after "
              + "publishing began" : ""));
    }
    JsonObject b = byPeer.getJsonObject("bridge-sockjs");
    JsonObject bx = b == null ? null : b.getJsonObject("s6");
    if (bx != null) {
      addInfo(BROWSER, "S6 on the stock bridge over SockJS (no bound): RSS growth",
          bx.getDouble("rssGrowthMaxMiB"), "MiB", Markdown.num(bx.getValue("rssEarlyMiB"), "%.0f")
              + " -> " + Markdown.num(bx.getValue("rssEndMiB"), "%.0f") + " MiB; slow client closed in "
              + bx.getInteger("closedRounds", 0) + " of " + bx.getInteger("rounds", 0)
              + " round(s); healthy client " + Markdown.num(bx.getValue("healthyDeliveriesPct"),
              "%.2f %%"));
    }
    JsonObject two = byPeer.getJsonObject("oneloop-2cores");
    JsonObject one = byPeer.getJsonObject("oneloop");
    if (two != null && one != null) {
      Double v = Summary.ratio(two, one, "s2", "maxDeliveriesPerSec");
      addInfo(BROWSER, "Scale: S2 with http.instances 2 on both cores (generator sharing one) / "
          + "oneloop on one core", v, "x", null);
    }
  }

  /** Metrics on and off (issue 13), on the browser's path and on the raw one. */
  private void metrics() {
    cost(METRICS, "oneloop-sockjs", "oneloop-sockjs-nometrics", "metrics.enabled", 5.0,
        new String[] {"over SockJS with metrics on (default)", "with metrics.enabled false",
            "over SockJS with metrics on", "off"});
    cost(METRICS, "oneloop", "oneloop-nometrics", "metrics.enabled", 5.0,
        new String[] {"on the raw path with metrics on (default)", "with metrics.enabled false",
            "on the raw path with metrics on", "off"});
  }

  /** History on the bench address (issue 14): S2 and the CPU per delivery beside history off, on both paths. */
  private void history() {
    cost(HISTORY, "oneloop-sockjs-history", "oneloop-sockjs", Peer.HISTORY_KEY, 10.0,
        new String[] {"over SockJS with history on " + Peer.ADDRESS, "with history off",
            "over SockJS with history", "without"});
    cost(HISTORY, "oneloop-history", "oneloop", Peer.HISTORY_KEY, 10.0,
        new String[] {"on the raw path with history on " + Peer.ADDRESS, "with history off",
            "on the raw path with history", "without"});
  }

  /**
   * What a setting costs: how much lower S2 is with it ({@code costlyId}) than without
   * ({@code cheapId}), and how much more server CPU a delivery takes at the highest fixed rate;
   * {@code words} names the two sides, long then short.
   */
  private void cost(String group, String costlyId, String cheapId, String key, double limitPct,
      String[] words) {
    JsonObject costly = byPeer.getJsonObject(costlyId);
    JsonObject cheap = byPeer.getJsonObject(cheapId);
    if (costly == null || cheap == null) {
      return;
    }
    boolean known = s.oneloopKnownKeys == null || s.oneloopKnownKeys.contains(key);
    String why = known ? null : "this oneloop has no " + key + ": both ran with its default";
    Double s2 = Summary.ratio(costly, cheap, "s2", "maxDeliveriesPerSec");
    Double cost = !known || s2 == null ? null : Json.round(100 * (1 - s2), 2);
    add(group, String.format("S2 %s costs <= %.0f %% of S2 %s", words[0], limitPct, words[1]),
        cost, "%", limitPct, cost == null ? null : cost <= limitPct, why != null ? why
            : Markdown.num(Summary.value(costly, "s2", "maxDeliveriesPerSec"), "%,.0f") + " vs "
            + Markdown.num(Summary.value(cheap, "s2", "maxDeliveriesPerSec"), "%,.0f")
            + " deliveries/s (S2 finds rates to within 15 %)");
    double top = s.highRates[s.highRates.length - 1];
    JsonObject a = high(costlyId, top);
    JsonObject b = high(cheapId, top);
    Double r = div(a, b, "serverCpuUsPerDelivery");
    Double cpuCost = !known || r == null ? null : Json.round(100 * (r - 1), 2);
    add(group, String.format("%.0f publishes/s: server CPU per delivery %s <= %.2fx %s", top,
            words[2], 1 + limitPct / 100, words[3]), cpuCost, "%", limitPct,
        cpuCost == null ? null : cpuCost <= limitPct,
        why != null ? why : a == null || b == null ? null
            : Markdown.num(a.getValue("serverCpuUsPerDelivery"), "%.3f") + " vs "
            + Markdown.num(b.getValue("serverCpuUsPerDelivery"), "%.3f") + " µs");
  }

  /** The reconnect storm on each path: shown, with no limit of its own but none missing. */
  private void storm() {
    for (String[] peer : new String[][] {{"oneloop-sockjs-history", "over SockJS"},
        {"oneloop-history", "on the raw path"}}) {
      JsonObject p = byPeer.getJsonObject(peer[0]);
      JsonObject st = p == null ? null : p.getJsonObject("storm");
      if (st == null) {
        continue;
      }
      addInfo(HISTORY, "Reconnect storm " + peer[1] + ": " + st.getValue("clients") + " clients "
          + "dropped at once, time until all have caught up", Summary.value(p, "storm", "catchUpMs"),
          "ms", "back in " + Markdown.num(st.getValue("reconnectMs"), "%.0f") + " ms; server CPU "
              + Markdown.num(st.getValue("serverCpuShareStorm"), "%.2f") + " of a core during it ("
              + Markdown.num(st.getValue("serverCpuShareBefore"), "%.2f") + " before)");
      long lost = st.getLong("missing", 0L) + st.getLong("gaps", 0L) + st.getLong("duplicates", 0L);
      add(HISTORY, "Reconnect storm " + peer[1] + ": 0 missing, 0 gaps and 0 duplicates across the drop",
          (double) lost, "count", 0.0, lost == 0, st.getValue("missing") + " missing, "
              + st.getValue("gaps") + " gaps, " + st.getValue("duplicates") + " duplicates, "
              + st.getValue("gapFrames") + " gap messages");
    }
  }

  /** The rolling restart of three clustered nodes (oneloop): no client misses or repeats a message. */
  private void rolling() {
    JsonObject p = byPeer.getJsonObject("oneloop");
    JsonObject f = p == null ? null : p.getJsonObject("rolling");
    if (f == null) {
      return;
    }
    long gaps = f.getLong("gaps", 0L);
    long dups = f.getLong("duplicates", 0L);
    add(HISTORY, "Rolling restart of 3 clustered nodes, " + f.getValue("clients") + " clients on both transports: "
            + "0 gaps and 0 duplicates", (double) (gaps + dups), "count", 0.0, gaps + dups == 0,
        gaps + " gaps, " + dups + " duplicates; " + f.getValue("clientsBehind") + " clients behind at the end; "
            + "longest catch-up " + Markdown.num(f.getValue("catchUpMsMax"), "%.0f ms"));
  }

  /**
   * An authorizer (asked on connect and register, never on deliveries) and tracked subscribers
   * (one entry per register) on the browser's path: S1's server CPU per delivery beside
   * {@code oneloop-sockjs}; the highest fixed rate and S2 shown beside it, without a limit.
   */
  private void authorizerAndPresence() {
    for (String[] v : new String[][] {{"oneloop-sockjs-authorizer", Peer.AUTHORIZER_KEY, "2",
        "an allow-all bridge.authorizer"}, {"oneloop-sockjs-presence", Peer.PRESENCE_KEY, "5",
        "bridge.presence on " + Peer.ADDRESS}}) {
      JsonObject costly = byPeer.getJsonObject(v[0]);
      JsonObject cheap = byPeer.getJsonObject("oneloop-sockjs");
      if (costly == null || cheap == null) {
        continue;
      }
      double limitPct = Double.parseDouble(v[2]);
      boolean known = s.oneloopKnownKeys == null || s.oneloopKnownKeys.contains(v[1]);
      String why = known ? null : "this oneloop has no " + v[1] + ": both ran with its default";
      // the event-loop threads' CPU where the run has it: the delivery path without the JIT's and
      // the GC's threads, whose share of a 20 s step varies between two processes by more than 2 %
      List<Double> paired = pairedRatios(v[0]);
      if (!paired.isEmpty()) {
        double r = median(paired);
        Double cost = known ? Json.round(100 * (r - 1), 2) : null;
        add(AUTH, String.format("S1 over SockJS with %s: server CPU per delivery <= %.2fx without",
                v[3], 1 + limitPct / 100), cost, "%", limitPct, cost == null ? null : cost <= limitPct,
            why != null ? why : "event-loop threads' CPU per delivery, each pair of processes measured in the same "
                + "seconds: median of the pairs' ratios " + paired + "; the baseline beside itself "
                + pairedRatios(Paired.SELF) + "; whole process " + pairedRatios(v[0], "cpuRatio"));
        continue;
      }
      List<Double> loops = perRoundRatios(v[0], "oneloop-sockjs", "s1", "serverLoopCpuUsPerDelivery");
      boolean byLoops = !loops.isEmpty();
      List<Double> perRound = byLoops ? loops : perRoundRatios(v[0], "oneloop-sockjs", "s1", "serverCpuUsPerDelivery");
      Double r = perRound.isEmpty() ? Summary.ratio(costly, cheap, "s1", "serverCpuUsPerDelivery")
          : Json.round(median(perRound), 3);
      Double cost = !known || r == null ? null : Json.round(100 * (r - 1), 2);
      add(AUTH, String.format("S1 over SockJS with %s: server CPU per delivery <= %.2fx without",
              v[3], 1 + limitPct / 100), cost, "%", limitPct, cost == null ? null : cost <= limitPct,
          why != null ? why : (perRound.isEmpty() ? "" : (byLoops ? "event-loop threads' CPU: " : "")
              + "median of the rounds' ratios " + perRound
              + " (each round's two processes measured minutes apart)" + (byLoops ? "; the event-loop threads' medians "
              + Markdown.num(Summary.value(costly, "s1", "serverLoopCpuUsPerDelivery"), "%.3f") + " vs "
              + Markdown.num(Summary.value(cheap, "s1", "serverLoopCpuUsPerDelivery"), "%.3f") + " µs" : "")
              + "; whole process, medians ")
              + Markdown.num(Summary.value(costly, "s1", "serverCpuUsPerDelivery"),
              "%.3f") + " vs " + Markdown.num(Summary.value(cheap, "s1", "serverCpuUsPerDelivery"),
              "%.3f") + " µs; other processes used " + Markdown.num(Summary.value(costly, "s1",
              "otherCpuShare"), "%.2f") + " and " + Markdown.num(Summary.value(cheap, "s1",
              "otherCpuShare"), "%.2f") + " of a core during the two S1 steps");
      double top = s.highRates[s.highRates.length - 1];
      Double h = div(high(v[0], top), high("oneloop-sockjs", top), "serverCpuUsPerDelivery");
      addInfo(AUTH, String.format("%.0f publishes/s over SockJS with %s: server CPU per delivery, "
          + "with / without", top, v[3]), known ? h : null, "x", why);
      Double s2 = Summary.ratio(costly, cheap, "s2", "maxDeliveriesPerSec");
      addInfo(AUTH, "S2 over SockJS with " + v[3] + ", with / without", known ? s2 : null, "x",
          why != null ? why : "S2 finds rates to within 15 %");
    }
  }

  /**
   * The quiet deployment and the many-socket one: S1's p99 on the browser's path beside
   * Socket.IO's, the start beside raw Vert.x without AppCDS, and RSS per connection beside
   * Socket.IO's at every size of the connection scale (live heap shown beside it).
   */
  private void manySockets() {
    ratio(MANY, "oneloop-sockjs", "socketio", "s1P99", "<=", 1.0, "S1 p99 over SockJS <= Socket.IO's");
    ratio(MANY, "oneloop", "raw", "s3Start", "<=", 1.3, "Start to /health <= 1.3x raw Vert.x, without AppCDS");
    Map<String, Map<Integer, JsonObject>> bySize = new TreeMap<>();
    for (int i = 0; runs != null && i < runs.size(); i++) {
      JsonObject run = runs.getJsonObject(i);
      JsonArray sizes = run.getJsonArray("sizes");
      if (!"scale".equals(run.getString("kind")) || sizes == null || run.getString("error") != null) {
        continue;
      }
      for (int k = 0; k < sizes.size(); k++) {
        JsonObject z = sizes.getJsonObject(k);
        bySize.computeIfAbsent(run.getString("peer"), x -> new TreeMap<>()).put(z.getInteger("clients"), z);
      }
    }
    Map<Integer, JsonObject> sio = bySize.getOrDefault("socketio", Map.of());
    for (String id : List.of("oneloop-sockjs", "oneloop")) {
      for (var e : bySize.getOrDefault(id, Map.of()).entrySet()) {
        JsonObject peer = sio.get(e.getKey());
        Double mine = e.getValue().getDouble("rssPerConnKiB");
        Double theirs = peer == null ? null : peer.getDouble("rssPerConnKiB");
        Double r = mine == null || theirs == null || theirs <= 0 ? null : Json.round(mine / theirs, 3);
        add(MANY, String.format("%,d clients on %s: RSS per connection <= Socket.IO's", e.getKey(), id), r, "x", 1.0,
            r == null ? null : r <= 1.0, Markdown.num(mine, "%.1f") + " vs " + Markdown.num(theirs, "%.1f")
                + " KiB; live heap after GC " + Markdown.num(e.getValue().getValue("heapPerConnKiB"), "%.2f")
                + " KiB per connection (see Memory per connection for where it goes)");
      }
    }
  }

  private void earlier() {
    ratio(EARLIER, "oneloop", "raw", "s2Throughput", ">=", 1.0, "S2 throughput >= 1.0x raw Vert.x");
    ratio(EARLIER, "oneloop", "bridge", "s2Throughput", ">=", 1.5,
        "S2 throughput >= 1.5x stock bridge");
    ratio(EARLIER, "oneloop", "socketio", "s2Throughput", ">=", 1.3,
        "S2 throughput >= 1.3x Socket.IO");
    ratio(EARLIER, "oneloop", "python", "s2Throughput", ">=", 8.0, "S2 throughput >= 8x Python");
    ratio(EARLIER, "oneloop", "socketio", "s1P99", "<=", 1.0, "S1 p99 <= Socket.IO's");
    ratio(EARLIER, "oneloop", "bridge", "s1P99", "<=", 1.0, "S1 p99 <= stock bridge's");
    ratio(EARLIER, "oneloop", "raw", "s3Start", "<=", 1.2,
        "S3 start <= 1.2x the minimal raw Vert.x app");
    ratio(EARLIER, "oneloop", "raw", "s3StartCds", "<=", 1.2,
        "S3 start with AppCDS for every JVM peer <= 1.2x raw Vert.x with AppCDS");
    JsonObject one = byPeer.getJsonObject("oneloop");
    Double stop = one == null ? null : Summary.value(one, "s4", "medianMs");
    add(EARLIER, "S4 stop <= 1 s with " + s.clients + " clients", stop, "ms", 1000.0,
        stop == null ? null : stop <= 1000.0, null);
    ratio(EARLIER, "oneloop", "bridge", "s5ClientsRss", "<=", 1.2,
        "S5 RSS with " + s.clients + " idle clients <= 1.2x stock bridge app");
  }

  /**
   * {@code a}'s figure over {@code b}'s, round by round (the two processes of a round are measured
   * minutes apart, those of different rounds further): a drift of the machine between rounds
   * cancels out, which the ratio of the two medians does not do.
   */
  private List<Double> perRoundRatios(String a, String b, String scenario, String key) {
    Map<Integer, Double> as = new TreeMap<>();
    Map<Integer, Double> bs = new TreeMap<>();
    for (int i = 0; runs != null && i < runs.size(); i++) {
      JsonObject run = runs.getJsonObject(i);
      JsonObject sc = run.getJsonObject(scenario);
      Double x = sc == null || run.getString("error") != null ? null : sc.getDouble(key);
      if (x == null || !"lifecycle".equals(run.getString("kind"))) {
        continue;
      }
      if (a.equals(run.getString("peer"))) {
        as.put(run.getInteger("round"), x);
      } else if (b.equals(run.getString("peer"))) {
        bs.put(run.getInteger("round"), x);
      }
    }
    List<Double> out = new ArrayList<>();
    for (var e : as.entrySet()) {
      Double y = bs.get(e.getKey());
      if (y != null && y > 0) {
        out.add(Json.round(e.getValue() / y, 3));
      }
    }
    return out;
  }

  /** The paired runs' ratios of {@code variant} over its baseline, round by round (see {@link Paired}). */
  private List<Double> pairedRatios(String variant) {
    return pairedRatios(variant, "loopCpuRatio");
  }

  private List<Double> pairedRatios(String variant, String key) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; runs != null && i < runs.size(); i++) {
      JsonObject run = runs.getJsonObject(i);
      Double x = run.getString("error") != null ? null : run.getDouble(key);
      if (x != null && "paired".equals(run.getString("kind")) && variant.equals(run.getString("peer"))) {
        out.add(x);
      }
    }
    return out;
  }

  /** The median of {@code xs} (not empty). */
  static double median(List<Double> xs) {
    List<Double> sorted = new ArrayList<>(xs);
    sorted.sort(Double::compare);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** The summary of a peer's fixed-rate step at {@code rate}, or null. */
  private JsonObject high(String id, double rate) {
    JsonObject p = byPeer.getJsonObject(id);
    JsonArray h = p == null ? null : p.getJsonArray("high");
    if (h == null) {
      return null;
    }
    for (int i = 0; i < h.size(); i++) {
      if (h.getJsonObject(i).getDouble("rate") == rate) {
        return h.getJsonObject(i);
      }
    }
    return null;
  }

  private static Double div(JsonObject a, JsonObject b, String key) {
    Double x = a == null ? null : a.getDouble(key);
    Double y = b == null ? null : b.getDouble(key);
    return x == null || y == null || y == 0 ? null : Json.round(x / y, 3);
  }

  private void ratio(String group, String subject, String peer, String key, String op,
      double limit, String name) {
    JsonObject rs = ratios.getJsonObject(subject);
    JsonObject r = rs == null ? null : rs.getJsonObject(peer);
    Double v = r == null ? null : r.getDouble(key);
    Boolean met = v == null ? null : ">=".equals(op) ? v >= limit : v <= limit;
    add(group, name, v, "x", limit, met, null);
  }

  /** Three nodes with history on beside one node with history on: CPU per delivery at the highest rate. */
  private void clusterHistory() {
    JsonObject one = byPeer.getJsonObject("oneloop");
    JsonObject ch = one == null ? null : one.getJsonObject("clusterHistory");
    if (ch == null) {
      return;
    }
    Double v = ch.getDouble("cpuRatioTop");
    add(CLUSTER, String.format("%.0f publishes/s, history on: server CPU per delivery over three nodes "
            + "<= %.1fx one node's", ch.getDouble("topRate"), ClusterHistory.TARGET), v, "x",
        ClusterHistory.TARGET, v == null ? null : v <= ClusterHistory.TARGET,
        ch.getValue("label") + "; every node with the same history epoch in "
            + ch.getValue("historySharedRounds") + " of " + ch.getValue("rounds") + " rounds");
  }

  private void add(String group, String name, Double value, String unit, Double limit,
      Boolean met, String note) {
    out.add(new JsonObject().put("group", group).put("target", name).put("value", value)
        .put("unit", unit).put("limit", limit).put("met", met).put("note", note));
  }

  private void addInfo(String group, String name, Double value, String unit, String note) {
    out.add(new JsonObject().put("group", group).put("target", name).put("value", value)
        .put("unit", unit).put("info", true).put("note", note));
  }
}
