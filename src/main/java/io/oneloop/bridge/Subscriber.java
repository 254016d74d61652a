package io.oneloop.bridge;

import io.vertx.core.eventbus.Message;
import io.vertx.core.net.SocketAddress;

/**
 * What a {@link Topic} and a {@link Replay} may ask of one client: to queue frames, to hold a
 * message for its reply, to be closed for one too large, and its share of the history's addresses.
 */
interface Subscriber {

  /** Queues a live frame; the flush comes once, at the end of this turn. */
  void write(Outgoing frame);

  /** Queues a message that asks for a reply, under a reply address of this client's own. */
  void writeAwaitingReply(String address, Message<?> msg);

  /** A message for this client was over bridge.maxOutboundBytes: it is told, then closed. */
  void tooLarge(String address);

  SocketAddress remoteAddress();

  /** Regex-history logs this client's registers started, over its life. */
  int historiesStarted();

  /** One more regex-history log was started by this client's register. */
  void historyStarted();

  /** Queues a frame of a replay, unbounded (the replay paces itself); {@code written} runs once it left. Its size. */
  int writeReplay(Outgoing frame, Runnable written);

  /** Replay bytes queued (positive) or gone to the network (negative): not counted against bridge.maxQueuedBytes. */
  void replayBytes(long delta);
}
