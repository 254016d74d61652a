package io.oneloop.bridge;

import io.oneloop.logging.LogThrottle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Who is subscribed to the addresses of {@code bridge.presence}, one per process and shared by
 * every engine: each register on such an address is an entry {@code {"user","name","connId","node","since"}}
 * in the {@link PresenceStore} until that socket unregisters or goes, whichever way. Within
 * {@code maxEntries} in the process and {@code maxPerAddress} per address: past either the
 * register still works, the socket is only not tracked (counted, and logged at most once a second).
 * An address with {@code joinLeave} has each entry's arrival and departure published on
 * {@link PresenceStore#EVENTS}, which every engine hands its subscribers of the address as a
 * {@code rec} frame with the header {@value #HEADER} ({@code join}/{@code leave}), never numbered nor kept.
 */
public final class Presence {

  /** Request/reply for pages: {@code {"address"}} answered {@code {"address","count","entries"}}. */
  public static final String ADDRESS = "oneloop.presence";
  /** The header of a join/leave frame: {@code join} or {@code leave}. */
  public static final String HEADER = "oneloop.presence";
  /** A register's header with the display name of an anonymous socket. */
  public static final String NAME_HEADER = "oneloop.name";
  private static final SecureRandom IDS = new SecureRandom();

  private final Vertx vertx;
  private final PresenceOptions options;
  private final PresenceStore store;
  /** Entries of this process, in all and per address: changed only under this object's lock. */
  private volatile int total;
  private final Map<String, Integer> perAddress = new HashMap<>();
  private final AtomicLong untracked = new AtomicLong();
  private final LogThrottle fullLine = LogThrottle.perSecond();

  public Presence(Vertx vertx, PresenceOptions options, PresenceStore store) {
    this.vertx = vertx;
    this.options = options;
    this.store = store;
  }

  /** Nothing tracked. */
  public static Presence none(Vertx vertx) {
    return new Presence(vertx, PresenceOptions.NONE, new LocalPresenceStore());
  }

  /** A new connection id: random, so one client cannot name another's connection by counting. */
  static String newConnId() {
    byte[] random = new byte[12];
    IDS.nextBytes(random);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  public PresenceOptions options() {
    return options;
  }

  public PresenceStore store() {
    return store;
  }

  /** Entries this process tracks now. */
  public int entries() {
    return total;
  }

  /** Registers not tracked because a bound was reached, since the start. */
  public long untracked() {
    return untracked.get();
  }

  /** Whether {@code address} is in {@code bridge.presence}. */
  public boolean tracks(String address) {
    return options.specOf(address) != null;
  }

  boolean joinLeave(String address) {
    PresenceSpec spec = options.specOf(address);
    return spec != null && spec.joinLeave();
  }

  /** {@code {"address","count","entries":[...]}} of a tracked address, every node's; null for one not tracked. */
  public Future<JsonObject> describe(String address) {
    if (!tracks(address)) {
      return Future.succeededFuture(null);
    }
    return store.list(address).map(list -> {
      JsonArray entries = new JsonArray();
      list.forEach(entry -> entries.add(shown(entry)));
      return new JsonObject().put("address", address).put("count", entries.size()).put("entries", entries);
    });
  }

  /** The socket {@code connId} of {@code user} registered for {@code address}: it is tracked there, within the bounds. */
  void joined(Map<String, JsonObject> present, String address, String user, JsonObject headers, String connId) {
    PresenceSpec spec = options.specOf(address);
    if (spec == null) {
      return;
    }
    if (!take(address)) {
      untracked.incrementAndGet();
      long unlogged = fullLine.pass();
      if (unlogged != LogThrottle.QUIET) {
        FanoutBridge.log.warn("A subscriber of {} is not shown in its presence: bridge.maxPresenceEntries ({}) or "
            + "bridge.maxPresencePerAddress ({}) is reached; its messages still reach it{}", address, options.maxEntries(),
          options.maxPerAddress(), unlogged > 0 ? "; " + unlogged + " more not tracked since the last such line" : "");
      }
      return;
    }
    Object nameHeader = headers == null ? null : headers.getValue(NAME_HEADER);
    String name = user != null ? user : nameHeader instanceof String s ? options.names().apply(s) : null;
    JsonObject entry = new JsonObject().put("address", address).put("user", user).put("name", name).put("connId", connId)
      .put("node", options.nodeId()).put("since", Instant.now().toString());
    present.put(address, entry);
    store.put(entry);
    if (spec.joinLeave()) {
      vertx.eventBus().publish(PresenceStore.EVENTS, event("join", entry));
    }
  }

  /** One entry more on {@code address}, if both bounds allow it. Engines on several event loops count here. */
  private synchronized boolean take(String address) {
    int onAddress = perAddress.getOrDefault(address, 0);
    if (total >= options.maxEntries() || onAddress >= options.maxPerAddress()) {
      return false;
    }
    total++;
    perAddress.put(address, onAddress + 1);
    return true;
  }

  private synchronized void giveBack(String address) {
    total--;
    perAddress.computeIfPresent(address, (a, count) -> count <= 1 ? null : count - 1);
  }

  /** The socket left {@code address} (unregistered, or went). */
  void left(Map<String, JsonObject> present, String address) {
    JsonObject entry = present.remove(address);
    if (entry == null) {
      return;
    }
    giveBack(address);
    store.remove(entry);
    if (joinLeave(address)) {
      vertx.eventBus().publish(PresenceStore.EVENTS, event("leave", entry));
    }
  }

  /** The socket went: every entry of it leaves. */
  void leftAll(Map<String, JsonObject> present) {
    new ArrayList<>(present.keySet()).forEach(address -> left(present, address));
  }

  /**
   * A page's request on {@value #ADDRESS}: answered only for an address the socket may register
   * for ({@code mayReceive}), else failure 403; 400 for a body that is not {@code {"address"}}, 404
   * for an address not tracked. {@code answer} writes the frame, on the socket's event loop.
   */
  void query(JsonObject msg, Predicate<String> mayReceive, Consumer<JsonObject> answer) {
    if (!(msg.getValue("replyAddress") instanceof String replyAddress)) {
      return;
    }
    Object address = msg.getValue("body") instanceof JsonObject body ? body.getValue("address") : null;
    if (!(address instanceof String addr) || addr.length() > FanoutBridge.MAX_ADDRESS_LENGTH) {
      answer.accept(failure(replyAddress, 400, "the body must be {\"address\": \"...\"}"));
    } else if (!mayReceive.test(addr)) {
      answer.accept(failure(replyAddress, 403, "this socket may not register for " + addr));
    } else if (!tracks(addr)) {
      answer.accept(failure(replyAddress, 404, "no presence is kept for " + addr + " (bridge.presence)"));
    } else {
      describe(addr).onComplete(ar -> answer.accept(ar.succeeded()
        ? new JsonObject().put("type", "rec").put("address", replyAddress).put("body", ar.result())
        : failure(replyAddress, 503, "the presence is not available: " + ar.cause().getMessage())));
    }
  }

  private static JsonObject failure(String replyAddress, int code, String message) {
    return new JsonObject().put("type", "err").put("address", replyAddress).put("failureCode", code)
      .put("failureType", "RECIPIENT_FAILURE").put("message", message);
  }

  /** {@code {"event": "join"|"leave", "entry": {...}}}, the entry with its address. */
  public static JsonObject event(String kind, JsonObject entry) {
    return new JsonObject().put("event", kind).put("entry", entry);
  }

  /** An entry as users see it: without its address. */
  public static JsonObject shown(JsonObject entry) {
    JsonObject copy = entry.copy();
    copy.remove("address");
    return copy;
  }

  /** The {@code rec} frame of a join or leave on the entry's address, for its subscribers. */
  static JsonObject frame(JsonObject event) {
    JsonObject entry = event.getJsonObject("entry");
    return new JsonObject().put("type", "rec").put("address", entry.getString("address"))
      .put("headers", new JsonObject().put(HEADER, event.getString("event"))).put("body", shown(entry));
  }
}
