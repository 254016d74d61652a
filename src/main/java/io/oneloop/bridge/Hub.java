package io.oneloop.bridge;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one engine's sessions share: its event loop and options, the topics by address, the
 * sessions open, and those written to in this turn, flushed once at its end.
 */
final class Hub {

  final Vertx vertx;
  final Context context;
  final EventLoop loop;
  final EventBus eventBus;
  final BridgePermissions permissions;
  final BridgeLimits limits;
  final long maxQueuedBytes;
  /** bridge.maxQueuedBytesTotal: what may wait for every client of the process together. */
  final QueueBudget budget;
  final long pingTimeoutMs;
  final BridgeSockets.Counts counts;
  final BridgeListener listener;
  final HistoryStore history;
  /** Asked after the static lists; null: none. */
  final Authorizer authorizer;
  final long authorizerTimeoutMs;
  final Presence presence;
  /** Join/leave events for this engine's subscribers; null when no address has them. */
  private final MessageConsumer<JsonObject> presenceEvents;
  final Map<String, Topic> topics = new HashMap<>();
  final Set<Session> sessions = new LinkedHashSet<>();
  /** The sessions written to in this turn, each once (its {@code dirty} flag): a list, as a set's hashing showed in the fan-out's profile. */
  private final List<Session> dirty = new ArrayList<>();
  private boolean flushScheduled;

  /** Called on the event loop that will run the engine. */
  Hub(Vertx vertx, BridgeOptions options, long pingTimeoutMs, BridgeSockets.Counts counts, HistoryStore history, Presence presence,
      BridgeListener listener) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.loop = ((ContextInternal) context).nettyEventLoop();
    this.eventBus = vertx.eventBus();
    this.permissions = options.permissions();
    this.limits = options.limits();
    this.maxQueuedBytes = options.maxQueuedBytes();
    this.budget = new QueueBudget(options.limits().maxQueuedBytesTotal(), counts);
    this.pingTimeoutMs = pingTimeoutMs;
    this.counts = counts;
    this.listener = listener;
    this.history = history;
    this.authorizer = options.authorizer();
    this.authorizerTimeoutMs = options.authorizerTimeoutMs();
    this.presence = presence;
    this.presenceEvents = presence.options().tracked().stream().anyMatch(PresenceSpec::joinLeave)
      ? eventBus.consumer(PresenceStore.EVENTS, msg -> presenceEvent(msg.body())) : null;
  }

  /** A join or leave: to this engine's subscribers of its address, if it has any and the address wants them. */
  private void presenceEvent(JsonObject event) {
    JsonObject entry = event == null ? null : event.getJsonObject("entry");
    String address = entry == null ? null : entry.getString("address");
    Topic topic = address == null ? null : topics.get(address);
    if (topic != null && presence.joinLeave(address)) {
      topic.deliverUnnumbered(new Outgoing(Presence.frame(event)));
    }
  }

  /** The engine stops: no more presence events. */
  void close() {
    if (presenceEvents != null) {
      presenceEvents.unregister();
    }
  }

  /** Marks {@code session} to be flushed at the end of this turn, with every other written to in it. */
  void flushSoon(Session session) {
    if (!session.dirty) {
      session.dirty = true;
      dirty.add(session);
    }
    if (!flushScheduled) {
      flushScheduled = true;
      loop.execute(this::flushAll);
    }
  }

  /** {@code session} has gone: nothing of it is flushed. */
  void forget(Session session) {
    if (session.dirty) {
      session.dirty = false;
      dirty.remove(session);
    }
    sessions.remove(session);
    budget.forget(session);
  }

  /**
   * {@code subscriber} joins {@code address}'s topic, opened for it if none is (it may start the
   * address's history); the replay its register's {@code headers} ask for, null for none.
   */
  Replay join(String address, Subscriber subscriber, JsonObject headers) {
    Topic topic = topics.get(address);
    if (topic == null) {
      topic = new Topic(this, address, subscriber);
      topics.put(address, topic);
    } else if (topic.log == null && history.mayKeep(address)) {
      topic.gainHistory(subscriber);
    }
    topic.add(subscriber);
    return topic.log != null && headers != null && headers.containsKey(HistoryStore.SINCE)
      ? Replay.of(subscriber, topic, headers, listener) : null;
  }

  /** {@code subscriber} leaves {@code address}'s topic, which closes when it was the last. */
  void leave(String address, Subscriber subscriber) {
    Topic topic = topics.get(address);
    if (topic != null && topic.remove(subscriber)) {
      topics.remove(address);
      topic.close();
    }
  }

  private void flushAll() {
    flushScheduled = false;
    for (Session session : dirty) {
      session.dirty = false;
      session.wire.flush();
      session.unflushedBytes = 0;
    }
    dirty.clear();
    budget.add();
  }
}
