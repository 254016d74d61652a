package io.oneloop;

/** Every event-bus address and every shared-data name (maps, counters, locks) oneloop uses, in one place. */
public final class Addresses {

  /** Ticks of the built-in ticker task (its default address). */
  public static final String TICKER = "oneloop.ticker";
  /** Server-wide announcements, e.g. {@code {"event":"shutdown"}}. */
  public static final String SERVER = "oneloop.server";
  /** A task's record, published on every change of its state. */
  public static final String TASKS = "oneloop.tasks";
  /** Request/reply: the records of all tasks. */
  public static final String TASKS_LIST = "oneloop.tasks.list";

  /** Accepted chat messages, published to every page. */
  public static final String CHAT = "oneloop.chat";
  /** Request/reply: send a chat message {@code {"user","text"}}; replies {@code {"ok":true,"id":n}} or fails 400. */
  public static final String CHAT_SEND = "oneloop.chat.send";
  /** Request/reply: the last chat messages, oldest first. */
  public static final String CHAT_HISTORY = "oneloop.chat.history";

  /** The process's vital signs from the built-in metrics task. */
  public static final String METRICS = "oneloop.metrics";
  /** Job records, published on every change. */
  public static final String JOBS = "oneloop.jobs";
  /** Request/reply between nodes (never on the bridge): cancel {@code {"id"}}, a job the node {@code nodeId} runs. */
  public static String jobCancel(String nodeId) {
    return "oneloop.internal.jobs.cancel." + nodeId;
  }

  /** Request/reply between nodes (never on the bridge): the node {@code nodeId} describes itself for {@code GET /api/cluster}. */
  public static String nodeInfo(String nodeId) {
    return "oneloop.internal.node." + nodeId;
  }

  /** Request/reply for pages (answered by the bridge itself): who is subscribed to an address of bridge.presence. */
  public static final String PRESENCE = "oneloop.presence";

  /** Between nodes (never on the bridge): presence events for the subscribers of the node {@code nodeId} alone. */
  public static String presenceEvents(String nodeId) {
    return "oneloop.internal.presence.node." + nodeId;
  }

  /** Request/reply between nodes (never on the bridge): close the matching bridge sockets of the node {@code nodeId}. */
  public static String bridgeDisconnect(String nodeId) {
    return "oneloop.internal.bridge.disconnect." + nodeId;
  }

  /** Request/reply inside the process (never on the bridge): the bridge's sockets, as {@code GET /api/bridge} answers. */
  public static final String BRIDGE_SOCKETS = "oneloop.internal.bridge.sockets";

  /**
   * The header the bridge puts on what a socket opened with a token sends: a static token's
   * {@code name} or a JWT's {@code sub}. The bridge removes any header of this name a client sent,
   * so a service can trust it.
   *
   * @deprecated the engine owns its headers: use {@link io.oneloop.bridge.BridgeHeaders#USER}, the
   *     same value (spelled here too, as this leaf imports nothing of the engine above it)
   */
  @Deprecated
  public static final String USER_HEADER = "oneloop.user";

  /**
   * The header the bridge puts on what an anonymous socket (auth off) sends: the client's address,
   * through {@code http.trustedProxies} where the transport lets it be read. Removed from what
   * clients send, like {@link #USER_HEADER}.
   *
   * @deprecated use {@link io.oneloop.bridge.BridgeHeaders#CLIENT}, the same value
   */
  @Deprecated
  public static final String CLIENT_HEADER = "oneloop.client";

  // Shared data: the names of the maps, counters and locks in Vert.x's shared data (cluster-wide when clustered).

  /** A local map of the Vert.x instance where the app leaves settings its tasks read ({@code bridge.maxOutboundBytes}). */
  public static final String LIMITS_MAP = "oneloop.limits";
  /** The counter of an address's ticks of the ticker task: this prefix and the address. */
  public static final String TICKER_COUNTER_PREFIX = "oneloop.ticker.seq.";
  /** The shared map of the last chat messages by id. */
  public static final String CHAT_HISTORY_MAP = "oneloop.chat.history";
  /** The shared counter the chat message ids come from. */
  public static final String CHAT_IDS_COUNTER = "oneloop.chat.ids";
  /** The shared map of job records by id, every node's (the same name as the jobs' feed). */
  public static final String JOB_RECORDS_MAP = "oneloop.jobs";
  /** The cluster's presence entries (a Hazelcast map), one per socket and address. */
  public static final String PRESENCE_MAP = "oneloop.presence";
  /** Each singleton task's cluster-wide lock: this prefix and the task's name. */
  public static final String SINGLETON_LOCK_PREFIX = "oneloop.singleton.";

  private Addresses() {
  }
}
