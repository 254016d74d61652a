package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The marks BENCHMARKS.md puts on an S2 figure taken while the one-thread load generator used
 * {@link Scale#GENERATOR_LIMIT} of its core or more: such a figure is the generator's limit, and
 * the server may sustain more.
 */
final class GeneratorMarks {

  static final String MARK = " **generator-limited**";

  private GeneratorMarks() {
  }

  /** The mark for round {@code i}'s S2 figure of a peer's summary {@code s2}, or "". */
  static String s2Round(JsonObject s2, int i) {
    JsonArray limited = s2 == null ? null : s2.getJsonArray("perRoundGeneratorLimited");
    return limited != null && i < limited.size() && Boolean.TRUE.equals(limited.getValue(i)) ? MARK : "";
  }

  /** The mark for a peer's median S2 figure (summary {@code p}) when any round's best step was generator-limited. */
  static String s2Median(JsonObject p) {
    JsonObject s2 = p.getJsonObject("s2");
    int n = s2 == null ? 0 : s2.getInteger("generatorLimitedRounds", 0);
    if (n == 0) {
      return "";
    }
    int rounds = s2.getInteger("rounds", 0);
    return rounds > 1 ? MARK + " (" + n + " of " + rounds + " rounds)" : MARK;
  }

  /** A paragraph naming the peers whose S2 figure was generator-limited, or "" when none was. */
  static String s2Note(JsonObject sum) {
    List<String> peers = new ArrayList<>();
    for (String id : sum.fieldNames()) {
      JsonObject s2 = sum.getJsonObject(id).getJsonObject("s2");
      if (s2 != null && s2.getInteger("generatorLimitedRounds", 0) > 0) {
        peers.add(id);
      }
    }
    if (peers.isEmpty()) {
      return "";
    }
    return String.format(Locale.ROOT, "\n**generator-limited**: the load generator used %.0f %% of its core or "
        + "more at that S2 figure's best step (%s), so the figure is the generator's limit, not the server's: "
        + "the server may sustain more.\n", 100 * Scale.GENERATOR_LIMIT, String.join(", ", peers));
  }
}
