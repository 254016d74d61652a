package io.oneloop.bridge;

import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.function.Predicate;

/**
 * What one client sends and publishes: the reply address, the inbound list, the handler limit
 * and the headers checked, then the authorizer asked, then onto the event bus; and the replies
 * those sends wait for, written back to the client under its own reply addresses.
 */
final class ClientSends {

  private final Hub hub;
  private final Session session;
  private final Predicate<String> maySend;
  private final Predicate<String> mayReceive;
  private final Replies replies;
  private final String user;
  private final String client;

  ClientSends(Hub hub, Session session, Predicate<String> maySend, Predicate<String> mayReceive, Replies replies,
              String user, String client) {
    this.hub = hub;
    this.session = session;
    this.maySend = maySend;
    this.mayReceive = mayReceive;
    this.replies = replies;
    this.user = user;
    this.client = client;
  }

  void publish(String address, JsonObject msg) {
    if (!checkReplyAddress(msg) || !checkPermitted(address, null)) {
      return;
    }
    DeliveryOptions options = admit(msg);
    if (options != null) {
      session.authorization.then(AuthRequest.Action.PUBLISH, address, options.getHeaders(),
        () -> hub.eventBus.publish(address, msg.getValue("body"), options));
    }
  }

  /**
   * The frame's delivery options once a reply it asks for fits under the handler limit and its
   * headers pass; null once the client has been told why not.
   */
  private DeliveryOptions admit(JsonObject msg) {
    if (msg.getValue("replyAddress") instanceof String && session.handlers >= FanoutBridge.MAX_HANDLERS_PER_SOCKET) {
      session.error("max_handlers_reached");
      return null;
    }
    DeliveryOptions options = deliveryOptions(msg);
    if (options == null) {
      session.error("invalid_headers");
      return null;
    }
    hub.listener.received();
    return options;
  }

  void send(String address, JsonObject msg) {
    if (!checkReplyAddress(msg)) {
      return;
    }
    Message<?> replyTo = replies.take(address);
    if (!checkPermitted(address, replyTo)) {
      return;
    }
    if (replyTo == null && Presence.ADDRESS.equals(address)) {
      // Answered here: only the engine knows which addresses this socket may register for.
      hub.presence.query(msg, mayReceive, session::writeOwn);
      return;
    }
    DeliveryOptions options = admit(msg);
    if (options == null) {
      return;
    }
    if (replyTo == null) {
      session.authorization.then(AuthRequest.Action.SEND, address, options.getHeaders(), () -> deliver(address, msg, options, null));
    } else {
      // A reply to what this bridge delivered to this client was allowed when it registered.
      deliver(address, msg, options, replyTo);
    }
  }

  private void deliver(String address, JsonObject msg, DeliveryOptions options, Message<?> replyTo) {
    String replyAddress = msg.getValue("replyAddress") instanceof String r ? r : null;
    Object body = msg.getValue("body");
    if (replyAddress == null) {
      if (replyTo != null) {
        replyTo.reply(body, options);
      } else {
        hub.eventBus.send(address, body, options);
      }
      return;
    }
    session.handlers++;
    (replyTo != null ? replyTo.replyAndRequest(body, options) : hub.eventBus.request(address, body, options))
      .onComplete(ar -> {
        session.handlers--;
        JsonObject answer = replies.answer(replyAddress, ar, session.released());
        if (answer != null) {
          session.writeOwn(answer);
        }
      });
  }

  private boolean checkReplyAddress(JsonObject msg) {
    if (msg.getValue("replyAddress") instanceof String r && r.length() > FanoutBridge.MAX_REPLY_ADDRESS_LENGTH) {
      session.error("invalid_reply_address");
      return false;
    }
    return true;
  }

  /**
   * A reply to a message this bridge delivered to this client is always allowed; anything else by
   * the inbound list, but never to one of Vert.x's reply addresses, which a permissive list would
   * otherwise open to anyone who counts.
   */
  private boolean checkPermitted(String address, Message<?> replyTo) {
    if (replyTo == null && (address.startsWith(FanoutBridge.VERTX_REPLY_PREFIX) || !maySend.test(address))) {
      session.error("access_denied");
      return false;
    }
    return true;
  }


  /** The frame's delivery options, its headers checked and the sender set by the bridge alone; null when they break the rules. */
  private DeliveryOptions deliveryOptions(JsonObject msg) {
    MultiMap headers = BridgeHeaders.fromClient(msg.getValue("headers"), user, client);
    return headers == null ? null : new DeliveryOptions().setSendTimeout(FanoutBridge.REPLY_TIMEOUT_MS).setHeaders(headers);
  }
}
