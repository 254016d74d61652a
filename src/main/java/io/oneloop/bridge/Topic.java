package io.oneloop.bridge;

import io.netty.channel.EventLoop;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The clients of one engine subscribed to one address, fed by an event-bus consumer of its own
 * or, for an address with history, by the process's one numbering consumer; each message is
 * encoded once for all of them.
 */
final class Topic implements HistoryStore.Sink {

  private static final Subscriber[] NO_SUBSCRIBERS = new Subscriber[0];

  private final Hub hub;
  final String address;
  /** Its own event-bus consumer while it has no history, null once it has. */
  private MessageConsumer<Object> consumer;
  HistoryStore.Log log;
  /** Replaced, never changed in place: a fan-out goes on over its snapshot while clients leave. */
  private Subscriber[] members = NO_SUBSCRIBERS;
  /** Members that resumed: they get only entries after this seq (Long.MAX_VALUE while their replay goes out). */
  private final Map<Subscriber, Long> heldUntil = new HashMap<>();
  /** The replay going out to a member that resumed: live messages for it wait until it has caught up. */
  private final Map<Subscriber, Replay> replays = new HashMap<>();
  private int nextForSend;

  /** For {@code starter}'s register, which may start the address's history, within its bridge.maxHistoryAddressesPerClient. */
  Topic(Hub hub, String address, Subscriber starter) {
    this.hub = hub;
    this.address = address;
    HistoryStore.Attached attached = hub.history.attach(address, this, starter.historiesStarted(), starter.remoteAddress());
    this.log = attached.log();
    if (attached.started()) {
      starter.historyStarted();
    }
    this.consumer = log == null ? FeedConsumers.consumer(hub.eventBus, address, this::deliver) : null;
  }

  /**
   * A topic opened without history (its first client had started its share already, or every
   * history slot was taken) gets it from a later client that may start it: one client cannot
   * keep an address's history from everyone else on this engine.
   */
  void gainHistory(Subscriber subscriber) {
    HistoryStore.Attached attached = hub.history.attach(address, this, subscriber.historiesStarted(), subscriber.remoteAddress());
    if (attached.log() == null) {
      return;
    }
    if (attached.started()) {
      subscriber.historyStarted();
    }
    log = attached.log();
    consumer.unregister();
    consumer = null;
  }

  @Override
  public EventLoop loop() {
    return hub.loop;
  }

  @Override
  public void onEntry(HistoryStore.Entry entry) {
    Subscriber[] targets = members;
    if (targets.length == 0) {
      return;
    }
    Outgoing frame = Outgoing.encoded(entry.frame());
    try {
      int delivered = 0;
      for (Subscriber target : targets) {
        if (!heldUntil.isEmpty()) {
          Long until = heldUntil.get(target);
          if (until != null) {
            if (entry.seq() <= until) {
              continue;
            }
            heldUntil.remove(target);
          }
        }
        target.write(frame);
        delivered++;
      }
      hub.listener.delivered(delivered);
    } finally {
      frame.release();
    }
  }

  @Override
  public void onSend(Message<Object> msg) {
    deliver(msg);
  }

  void close() {
    if (consumer != null) {
      consumer.unregister();
    } else {
      hub.history.detach(log, this);
    }
  }

  void add(Subscriber subscriber) {
    Subscriber[] grown = Arrays.copyOf(members, members.length + 1);
    grown[members.length] = subscriber;
    members = grown;
  }

  /** Whether no member is left. */
  boolean remove(Subscriber subscriber) {
    int at = Arrays.asList(members).indexOf(subscriber);
    heldUntil.remove(subscriber);
    replays.remove(subscriber);
    if (at >= 0) {
      Subscriber[] shrunk = new Subscriber[members.length - 1];
      System.arraycopy(members, 0, shrunk, 0, at);
      System.arraycopy(members, at + 1, shrunk, at, members.length - at - 1);
      members = shrunk;
    }
    return members.length == 0;
  }

  /** A frame for every member, outside the address's numbering (a presence event); {@code frame} is released here. */
  void deliverUnnumbered(Outgoing frame) {
    try {
      for (Subscriber target : members) {
        target.write(frame);
      }
      hub.listener.delivered(members.length);
    } finally {
      frame.release();
    }
  }

  /** {@code replay} goes out to {@code subscriber}, which gets no live entries until it has caught up. */
  void replaying(Subscriber subscriber, Replay replay) {
    replays.put(subscriber, replay);
    heldUntil.put(subscriber, Long.MAX_VALUE);
  }

  /** Whether {@code replay} is still the one going out to {@code subscriber}: it neither left nor registered again. */
  boolean stillReplaying(Subscriber subscriber, Replay replay) {
    return replays.get(subscriber) == replay;
  }

  /** {@code subscriber}'s replay has caught up to {@code seq}: it gets the live entries after it. */
  void caughtUp(Subscriber subscriber, long seq) {
    replays.remove(subscriber);
    heldUntil.put(subscriber, seq);
  }

  private void deliver(Message<Object> msg) {
    Subscriber[] targets = members;
    if (targets.length == 0) {
      return;
    }
    Outgoing frame = new Outgoing(Frames.envelope(address, msg));
    try {
      long max = hub.limits.maxOutboundBytes();
      if (frame.jsonBytes() > max) {
        // Larger than any client was promised: each subscriber is told and closed, so no one misses it silently.
        FanoutBridge.log.warn("A message of {} bytes on {} is larger than bridge.maxOutboundBytes ({}); closing its {} subscriber(s)",
          frame.jsonBytes(), address, max, targets.length);
        for (Subscriber target : targets) {
          target.tooLarge(address);
        }
        return;
      }
      if (msg.isSend()) {
        // Point to point: one subscriber gets it, as with one consumer per socket.
        Subscriber target = targets[Math.floorMod(nextForSend++, targets.length)];
        if (msg.replyAddress() == null) {
          target.write(frame);
        } else {
          target.writeAwaitingReply(address, msg);
        }
        hub.listener.delivered(1);
      } else {
        for (Subscriber target : targets) {
          target.write(frame);
        }
        hub.listener.delivered(targets.length);
      }
    } finally {
      frame.release();
    }
  }
}
