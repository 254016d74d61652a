package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Locale;

import static io.oneloop.bench.harness.Markdown.num;

/**
 * BENCHMARKS.md's publish API section: first the figure asked for (publishes/s through the API
 * and p99 from POST to delivery, per oneloop path, with the raised limit said), then every step.
 */
final class PublishSection {

  /** oneloop's two paths, the browser's first. */
  private static final String[][] PATHS = {{"oneloop-sockjs", "SockJS WebSocket transport"},
      {"oneloop", "raw WebSocket"}};

  private PublishSection() {
  }

  static String render(JsonObject r) {
    JsonObject sum = r.getJsonObject("summary");
    JsonObject any = null;
    StringBuilder head = new StringBuilder();
    StringBuilder rows = new StringBuilder();
    for (String[] path : PATHS) {
      JsonObject peer = sum.getJsonObject(path[0]);
      JsonObject pub = peer == null ? null : peer.getJsonObject("publish");
      if (pub == null || pub.getJsonArray("steps") == null) {
        continue;
      }
      any = pub;
      head.append("| ").append(path[1]).append(" (`").append(path[0]).append("`) | ")
          .append(pub.getValue("maxAcceptedPerSec") == null ? "none kept pace"
              : num(pub.getValue("maxAcceptedPerSec"), "%,.0f"))
          .append(" | ").append(num(pub.getValue("maxStepP99Ms"), "%.2f ms"))
          .append(" | ").append(num(pub.getValue("maxStepPostP99Ms"), "%.2f ms"))
          .append(" | ").append(num(pub.getValue("maxStepServerCpuUsPerDelivery"), "%.3f µs"))
          .append(" | ").append(pub.getValue("rounds")).append(" |\n");
      stepRows(rows, path[0], pub.getJsonArray("steps"));
    }
    if (any == null) {
      return "";
    }
    boolean openLoop = any.getBoolean("openLoop", false);
    String how = openLoop
        ? "open loop over " + any.getValue("connections") + " keep-alive HTTP/1.1 connections with "
            + "pipelining (at most " + any.getValue("maxInFlight") + " unanswered POSTs each): message "
            + "k is due at start + k/R and is written then on connection k mod "
            + any.getValue("connections") + " whether or not the earlier ones were answered, so the "
            + "rate is the schedule's and not the connections' round trips. `t` is the message's "
            + "scheduled send time and both latencies (POST answer and POST→delivery) are counted "
            + "from it, so a server that falls behind shows as queueing in them rather than as POSTs "
            + "left unsent (no coordinated omission). A message is not written later than the step's "
            + "end, nor on a connection already holding the most unanswered POSTs (not sent, counted "
            + "as not accepted)"
        : "over " + any.getValue("connections") + " keep-alive HTTP/1.1 connections, each waiting "
            + "for its answer before its next POST (closed loop: the rate is capped near the "
            + "connections ÷ the round trip)";
    String limit = num(any.getValue("maxPublishPerSecond"), "%,.0f");
    return "\n## Publishing from a backend: `POST /api/publish`\n\n"
        + "### Publishes/s through the API and p99 from POST to delivery at " + any.getValue("clients")
        + " clients\n\n"
        + "**This run raises `http.maxPublishPerSecond` to " + limit + "** (the default, 1,000 a "
        + "second per caller, would refuse (429) everything above it: with auth off every POST from "
        + "127.0.0.1 is one caller). Publishes/s: the accepted publishes per second of the highest "
        + "step the server kept pace with (" + any.getString("passRule") + "), median over the "
        + "rounds; the p99s and the server CPU per delivery are that step's.\n\n"
        + "| path | publishes/s kept | p99 POST→delivery | POST answer p99 | server CPU / delivery | rounds |\n"
        + "|---|---:|---:|---:|---:|---:|\n" + head + "\n"
        + any.getValue("clients") + " clients subscribed to `" + Peer.ADDRESS + "`; instead of the "
        + "bench task, the generator publishes with `POST /api/publish` "
        + "`{\"address\": \"" + Peer.ADDRESS + "\", \"body\": {\"seq\": n, \"t\": <scheduled send time, epoch µs>}}` "
        + how + ". After an unmeasured warm-up of " + num(any.getValue("warmupSeconds"), "%.0f")
        + " s at the first rate, steps double the rate while the server keeps pace; a step whose p99 "
        + "from POST to delivery passes 100 ms fails, as in S2. Other processes' CPU: what the rest of "
        + "the machine used during the step, a share of one core. Refused: answers other than 200; "
        + "failed: no answer (a connection error or 10 s without one); not sent: see above.\n\n"
        + "| peer | step | kept pace | accepted publishes/s | refused / failed / not sent | POST answer p99 "
        + "| delivered | deliveries/s | p50 POST→delivery | p99 POST→delivery | server CPU / delivery "
        + "| gaps | other processes' CPU |\n"
        + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n" + rows;
  }

  private static void stepRows(StringBuilder rows, String id, JsonArray steps) {
    for (int i = 0; i < steps.size(); i++) {
      JsonObject x = steps.getJsonObject(i);
      rows.append("| ").append(id).append(" | ").append(num(x.getValue("rate"), "%,.0f"))
          .append("/s for ").append(num(x.getValue("seconds"), "%.1f")).append(" s | ")
          .append(x.getValue("passedRounds")).append(" of ").append(x.getValue("rounds")).append(" | ")
          .append(num(x.getValue("acceptedPerSec"), "%,.0f")).append(" | ")
          .append(num(x.getValue("refused"), "%,.0f")).append(" / ")
          .append(num(x.getValue("failed"), "%,.0f")).append(" / ")
          .append(num(x.getValue("notSent"), "%,.0f")).append(" | ")
          .append(num(x.getValue("postP99Ms"), "%.2f ms")).append(" | ")
          .append(num(x.getValue("deliveriesPct"), "%.2f %%")).append(" | ")
          .append(num(x.getValue("deliveriesPerSec"), "%,.0f")).append(" | ")
          .append(num(x.getValue("p50Ms"), "%.2f ms")).append(" | ")
          .append(num(x.getValue("p99Ms"), "%.2f ms")).append(" | ")
          .append(num(x.getValue("serverCpuUsPerDelivery"), "%.3f µs")).append(" | ")
          .append(num(x.getValue("gaps"), "%,.0f")).append(" | ")
          .append(x.getValue("otherCpuShare") instanceof Number n
              ? String.format(Locale.ROOT, "%.0f %%", 100 * n.doubleValue()) : "–")
          .append(" |\n");
    }
  }
}
