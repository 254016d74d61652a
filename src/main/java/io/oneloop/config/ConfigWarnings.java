package io.oneloop.config;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Settings that are valid but dangerous: each gives one line {@code <source>: <key path> ...}.
 * They never stop a start ({@code --check-config} prints them, a start logs them at WARN). The
 * config is read as given, so a value of the wrong type is left to {@link AppConfig#validate}.
 */
public final class ConfigWarnings {

  /** {@code TimeoutStopSec} in the shipped {@code conf/oneloop.service}: systemd kills the process after it. */
  static final long SHIPPED_STOP_TIMEOUT_MS = 15_000;
  static final long GIB = 1024L * 1024 * 1024;
  /**
   * Addresses a regex must match to count as matching every address: ordinary, internal, reply and
   * random-looking ones. Kept short, since a regex is matched against them before it is known to be
   * linear.
   */
  static final List<String> PROBES = List.of("x", "a.b.c", "oneloop.jobs", "oneloop.anything", "__vertx.reply.7", "k3J9-qz_7.W/Q");
  private static final String SLOW_REGEX = " can match the same text in more than one way (a repeated group around a repetition, or"
    + " with two identical alternatives; a heuristic check): matching an address against it can take exponential time and stall"
    + " an event loop";

  private ConfigWarnings() {
  }

  /**
   * {@code cluster.minMembers} against the members listed: more than listed means no side ever runs
   * the singletons; half or fewer means both sides of a split may run them.
   */
  private static void minMembers(JsonObject cluster, List<String> warnings) {
    if (!isWhole(cluster.getValue("minMembers")) || !(cluster.getValue("members") instanceof JsonArray members) || members.isEmpty()) {
      return;
    }
    long min = ((Number) cluster.getValue("minMembers")).longValue();
    int listed = members.size();
    if (min > listed) {
      warnings.add("cluster.minMembers is " + min + ", more than the " + listed + " member(s) in cluster.members: no side of the"
        + " cluster is ever large enough, so no node runs a singleton");
    } else if (min * 2 <= listed) {
      warnings.add("cluster.minMembers is " + min + ", not more than half of the " + listed + " member(s) in cluster.members:"
        + " both sides of a network split may be large enough, and each then runs the singletons");
    }
  }

  /** Every warning for a resolved config, in the order of the keys; {@code source} starts each line. */
  public static List<String> of(JsonObject config, String source) {
    List<String> warnings = new ArrayList<>();
    JsonObject bridge = config.getValue("bridge") instanceof JsonObject b ? b : new JsonObject();
    JsonObject http = config.getValue("http") instanceof JsonObject h ? h : new JsonObject();
    permissions(bridge.getValue("inbound"), "bridge.inbound",
      "any client may send to any address in the process, internal and reply addresses included", warnings);
    permissions(bridge.getValue("outbound"), "bridge.outbound",
      "every client receives what is sent or published on any address, internal and reply addresses included", warnings);
    if (bridge.getValue("history") instanceof JsonArray history) {
      for (int i = 0; i < history.size(); i++) {
        if (history.getValue(i) instanceof JsonObject entry) {
          slowRegex(entry.getValue("addressRegex"), "bridge.history[" + i + "].addressRegex", warnings);
        }
      }
    }
    size(bridge.getValue("maxQueuedBytes"), "bridge.maxQueuedBytes", "each slow client may hold that much in memory", warnings);
    queuedTotal(bridge.getValue("maxQueuedBytesTotal"), Runtime.getRuntime().maxMemory(), warnings);
    size(bridge.getValue("maxMessageBytes"), "bridge.maxMessageBytes", "each client may make the server hold a frame that large", warnings);
    size(bridge.getValue("maxOutboundBytes"), "bridge.maxOutboundBytes", "a message that large is queued for each client it goes to",
      warnings);
    if (bridge.getValue("history") instanceof JsonArray history) {
      for (int i = 0; i < history.size(); i++) {
        if (history.getValue(i) instanceof JsonObject entry) {
          size(entry.getValue("maxBytes"), "bridge.history[" + i + "].maxBytes", "one address's history may hold that much in memory",
            warnings);
        }
      }
    }
    size(http.getValue("maxBodyBytes"), "http.maxBodyBytes", "each request may make the server hold a body that large", warnings);
    if (isWhole(bridge.getValue("floodCloseMs")) && ((Number) bridge.getValue("floodCloseMs")).longValue() == 0) {
      warnings.add("bridge.floodCloseMs is 0: a client is closed at its first frame over bridge.maxInboundPerSecond, so an ordinary"
        + " burst disconnects it");
    }
    origins(bridge.getValue("allowedOrigins"), warnings);
    restarts(config.getValue("tasks"), warnings);
    if (config.getValue("cluster") instanceof JsonObject cluster) {
      minMembers(cluster, warnings);
    }
    Object shutdown = config.getValue("shutdownTimeoutMs");
    if (isWhole(shutdown) && ((Number) shutdown).longValue() > SHIPPED_STOP_TIMEOUT_MS) {
      warnings.add("shutdownTimeoutMs is " + shutdown + ", above the " + SHIPPED_STOP_TIMEOUT_MS / 1000 + " s the shipped"
        + " conf/oneloop.service gives the stop (TimeoutStopSec): systemd kills the process before a slow shutdown ends;"
        + " raise TimeoutStopSec with it");
    }
    return warnings.stream().map(w -> source + ": " + w).toList();
  }

  private static void permissions(Object value, String path, String consequence, List<String> warnings) {
    if (!(value instanceof JsonArray list)) {
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      if (!(list.getValue(i) instanceof JsonObject entry) || !(entry.getValue("addressRegex") instanceof String regex)) {
        continue;
      }
      String at = path + "[" + i + "].addressRegex";
      // A regex that may backtrack exponentially is not matched against the probes.
      if (!slowRegex(regex, at, warnings) && matchesEverything(regex)) {
        warnings.add(at + " " + Json.encode(regex) + " matches every address: " + consequence);
      }
    }
  }

  /** Whether {@code regex} matches every probe address, as the bridge matches (the whole address). */
  static boolean matchesEverything(String regex) {
    Pattern pattern;
    try {
      pattern = Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      return false;
    }
    return PROBES.stream().allMatch(probe -> pattern.matcher(probe).matches());
  }

  private static boolean slowRegex(Object value, String path, List<String> warnings) {
    if (value instanceof String regex && mayBacktrackExponentially(regex)) {
      warnings.add(path + " " + Json.encode(regex) + SLOW_REGEX);
      return true;
    }
    return false;
  }

  /** A bound on every client's queue together that the heap cannot hold beside everything else. */
  static void queuedTotal(Object value, long heap, List<String> warnings) {
    if (isWhole(value) && ((Number) value).longValue() > heap / 2) {
      warnings.add("bridge.maxQueuedBytesTotal is " + value + ", more than half of the heap (" + heap + " bytes): "
        + "clients falling behind together may run the process out of memory before it is reached");
    }
  }

  private static void size(Object value, String path, String consequence, List<String> warnings) {
    if (isWhole(value) && ((Number) value).longValue() >= GIB) {
      warnings.add(path + " is " + value + ", 1 GiB or more: " + consequence + ", and a few of them can use up the heap");
    }
  }

  private static void origins(Object value, List<String> warnings) {
    if (!(value instanceof JsonArray list)) {
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      if (!(list.getValue(i) instanceof String origin)) {
        continue;
      }
      String at = "bridge.allowedOrigins[" + i + "]";
      String o = origin.trim().toLowerCase(Locale.ROOT);
      if (o.equals("*")) {
        warnings.add(at + " is \"*\" (any origin): any web page a user visits may open a bridge socket and send POST, PUT and"
          + " DELETE to /api/* from that user's browser");
      } else if (o.equals("null")) {
        warnings.add(at + " is \"null\": any web page can give itself that origin (in a sandboxed iframe), so any page may open a"
          + " bridge socket and send POST, PUT and DELETE to /api/* from its visitors' browsers");
      }
    }
  }

  private static void restarts(Object value, List<String> warnings) {
    if (!(value instanceof JsonArray tasks)) {
      return;
    }
    for (int i = 0; i < tasks.size(); i++) {
      if (!(tasks.getValue(i) instanceof JsonObject task) || !(task.getValue("restart") instanceof JsonObject restart)) {
        continue;
      }
      Object backoff = restart.getValue("backoffMs");
      // Without restarts (policy "never", the default) the back-off is never used.
      boolean restarts = !"never".equals(restart.getValue("policy", "never"));
      if (restarts && isWhole(backoff) && ((Number) backoff).longValue() == 0) {
        warnings.add("tasks[" + i + "].restart.backoffMs is 0: a failing task is restarted at once, again and again (a hot loop)");
      }
    }
  }

  private static boolean isWhole(Object value) {
    return value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte;
  }

  /**
   * A heuristic for regexes that can backtrack exponentially: a group repeated by {@code *}, {@code +}
   * or {@code {n,m}} (not possessive, not atomic) that has an alternative made only of quantified parts,
   * at least one of them repeated ({@code (a+)+}, {@code (a*)*}, {@code (.*)*}, {@code (\w+\s?)*}),
   * or two identical alternatives ({@code (a|a)*}). A repetition with a fixed part between
   * ({@code (\.[a-z]+)*}) is not flagged; neither are subtler overlaps such as {@code (a|aa)*}.
   */
  static boolean mayBacktrackExponentially(String regex) {
    try {
      Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      return false;
    }
    try {
      return new RegexScan(regex).scan();
    } catch (RuntimeException e) {
      // A syntax this scan does not follow must not stop --check-config or a start: no warning.
      return false;
    }
  }

  /** One pass over a regex that compiles, a frame per open group. */
  private static final class RegexScan {
    private final String re;
    private int pos;
    private boolean found;

    RegexScan(String re) {
      this.re = re;
    }

    /** A group being read (or the whole regex): its alternatives so far and the one being read. */
    private static final class Frame {
      final boolean atomic;
      final boolean zeroWidth;
      final List<String> alternatives = new ArrayList<>();
      int alternativeStart;
      /** Some alternative is only quantified parts, one of them repeated. */
      boolean loose;
      boolean allQuantified = true;
      boolean hasRepeat;
      boolean empty = true;

      Frame(boolean atomic, boolean zeroWidth, int bodyStart) {
        this.atomic = atomic;
        this.zeroWidth = zeroWidth;
        this.alternativeStart = bodyStart;
      }

      void endAlternative(String re, int end) {
        loose |= !empty && allQuantified && hasRepeat;
        alternatives.add(re.substring(alternativeStart, end));
        allQuantified = true;
        hasRepeat = false;
        empty = true;
        alternativeStart = end + 1;
      }

      boolean identicalAlternatives() {
        // Empty alternatives match nothing to share.
        List<String> nonEmpty = alternatives.stream().filter(a -> !a.isEmpty()).toList();
        return new HashSet<>(nonEmpty).size() < nonEmpty.size();
      }

      /** An element of this alternative with its quantifier ({@code null}: none); {@code looseGroup}: a loose group. */
      void element(Quantifier q, boolean looseGroup) {
        empty = false;
        if (q == null) {
          allQuantified &= looseGroup;
        }
        hasRepeat |= looseGroup || (q != null && q.repeats && !q.possessive);
      }
    }

    /** {@code repeats}: may match its element more than once; {@code possessive}: never gives back what it took. */
    private record Quantifier(boolean repeats, boolean possessive) {
    }

    boolean scan() {
      List<Frame> stack = new ArrayList<>();
      stack.add(new Frame(false, false, 0));
      while (pos < re.length() && !found) {
        int before = pos;
        scanOne(stack);
        if (pos <= before) {
          pos = before + 1; // always forward, whatever the regex holds
        }
      }
      return found;
    }

    /** Reads one element, group bracket or alternative bar at {@code pos}. */
    private void scanOne(List<Frame> stack) {
      Frame top = stack.get(stack.size() - 1);
      char c = re.charAt(pos);
      if (c == '\\') {
        boolean zeroWidth = skipEscape();
        Quantifier q = quantifier();
        if (!zeroWidth || q != null) {
          top.element(q, false);
        }
      } else if (c == '[') {
        skipClass();
        top.element(quantifier(), false);
      } else if (c == '(') {
        Frame opened = openGroup();
        if (opened != null) {
          stack.add(opened);
        }
      } else if (c == '|') {
        top.endAlternative(re, pos);
        pos++;
      } else if (c == ')' && stack.size() > 1) {
        top.endAlternative(re, pos);
        stack.remove(stack.size() - 1);
        pos++;
        Quantifier q = quantifier();
        boolean repeated = q != null && q.repeats && !q.possessive && !top.atomic && !top.zeroWidth;
        if (repeated && (top.loose || top.identicalAlternatives())) {
          found = true;
        }
        if (!top.zeroWidth) {
          stack.get(stack.size() - 1).element(q, top.loose && !top.atomic);
        }
      } else if (c == '^' || c == '$') {
        pos++;
      } else {
        pos++;
        top.element(quantifier(), false);
      }
    }

    /** Reads {@code (} and what says which kind of group it is; null for an inline flag such as {@code (?i)}. */
    private Frame openGroup() {
      pos++;
      if (pos >= re.length() || re.charAt(pos) != '?') {
        return new Frame(false, false, pos);
      }
      String rest = re.substring(pos);
      if (rest.startsWith("?:")) {
        pos += 2;
        return new Frame(false, false, pos);
      }
      if (rest.startsWith("?>")) {
        pos += 2;
        return new Frame(true, false, pos);
      }
      if (rest.startsWith("?=") || rest.startsWith("?!")) {
        pos += 2;
        return new Frame(false, true, pos);
      }
      if (rest.startsWith("?<=") || rest.startsWith("?<!")) {
        pos += 3;
        return new Frame(false, true, pos);
      }
      if (rest.startsWith("?<")) {
        pos = re.indexOf('>', pos) + 1;
        return new Frame(false, false, pos);
      }
      // Flags: "(?i)" sets them for what follows, "(?i:...)" is a group with them.
      int i = pos + 1;
      while (i < re.length() && re.charAt(i) != ')' && re.charAt(i) != ':') {
        i++;
      }
      pos = i + 1;
      return i < re.length() && re.charAt(i) == ':' ? new Frame(false, false, pos) : null;
    }

    /** Skips an escape; true when it matches no character (a boundary or an anchor such as {@code \b} or {@code \A}). */
    private boolean skipEscape() {
      if (pos + 1 >= re.length()) {
        pos = re.length();
        return true;
      }
      char e = re.charAt(pos + 1);
      if (e == 'Q') {
        int end = re.indexOf("\\E", pos + 2);
        pos = end < 0 ? re.length() : end + 2;
        return false;
      }
      pos += 2;
      if ((e == 'p' || e == 'P' || e == 'x' || e == 'N') && pos < re.length() && re.charAt(pos) == '{') {
        pos = re.indexOf('}', pos) + 1;
      } else if (e == 'k' && pos < re.length() && re.charAt(pos) == '<') {
        pos = re.indexOf('>', pos) + 1;
      }
      return "bBAGzZ".indexOf(e) >= 0;
    }

    /** Skips a character class, nested classes and escapes included. */
    private void skipClass() {
      int depth = 0;
      while (pos < re.length()) {
        char c = re.charAt(pos);
        if (c == '\\') {
          pos += 2;
          continue;
        }
        if (c == '[') {
          depth++;
          pos++;
          // A ']' first in a class (after an optional '^') is a literal.
          if (pos < re.length() && re.charAt(pos) == '^') {
            pos++;
          }
          if (pos < re.length() && re.charAt(pos) == ']') {
            pos++;
          }
          continue;
        }
        pos++;
        if (c == ']' && --depth == 0) {
          return;
        }
      }
    }

    /** The quantifier at {@code pos}, consumed, with its lazy or possessive suffix; null when there is none. */
    private Quantifier quantifier() {
      if (pos >= re.length()) {
        return null;
      }
      char c = re.charAt(pos);
      boolean repeats;
      if (c == '*' || c == '+') {
        repeats = true;
        pos++;
      } else if (c == '?') {
        repeats = false;
        pos++;
      } else if (c == '{') {
        int end = re.indexOf('}', pos);
        String[] bounds = re.substring(pos + 1, end).split(",", -1);
        String upper = bounds.length == 1 ? bounds[0].trim() : bounds[1].trim();
        repeats = upper.isEmpty() || Long.parseLong(upper) > 1;
        pos = end + 1;
      } else {
        return null;
      }
      boolean possessive = false;
      if (pos < re.length() && (re.charAt(pos) == '?' || re.charAt(pos) == '+')) {
        possessive = re.charAt(pos) == '+';
        pos++;
      }
      return new Quantifier(repeats, possessive);
    }
  }
}
