package io.oneloop.bridge;

import io.vertx.core.Handler;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.impl.MessageConsumerImpl;

/**
 * The bridge's own event-bus consumers, one per address a client wants. When the last client of
 * an address leaves, its consumer goes while messages to it may still be queued on its event loop:
 * dropping those is right, as nobody wants them. Vert.x would log a warning for each one, so a
 * client that registers and unregisters on a busy address could fill the log; these consumers
 * drop them quietly. (Vert.x's discard handler is not in its public interface, hence the cast.)
 */
final class FeedConsumers {

  private FeedConsumers() {
  }

  static <T> MessageConsumer<T> consumer(EventBus eventBus, String address, Handler<Message<T>> handler) {
    MessageConsumer<T> consumer = eventBus.consumer(address, handler);
    if (consumer instanceof MessageConsumerImpl<T> impl) {
      impl.discardHandler(message -> { });
    }
    return consumer;
  }
}
