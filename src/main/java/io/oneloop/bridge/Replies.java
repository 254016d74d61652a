package io.oneloop.bridge;

import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The messages delivered to one client that await its reply, each under a random reply address
 * of this client's own (a token), so no other client can answer it, by guessing or by counting:
 * only it may answer, once, within {@link FanoutBridge#REPLY_TIMEOUT_MS}.
 */
final class Replies {

  /** The failure a sender gets when the client it asked has too many requests unanswered. */
  private static final int TOO_MANY_PENDING_REPLIES = 503;
  private static final SecureRandom TOKENS = new SecureRandom();

  private final Vertx vertx;
  private final Map<String, Pending> pending = new HashMap<>();

  Replies(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Keeps {@code msg} until the client answers it or {@code REPLY_TIMEOUT_MS} passes, under a new
   * token: the reply address the client is shown. Null when it holds MAX_PENDING_REPLIES_PER_SOCKET
   * already (then the sender is failed at once).
   */
  String await(Message<?> msg) {
    if (pending.size() >= FanoutBridge.MAX_PENDING_REPLIES_PER_SOCKET) {
      msg.fail(TOO_MANY_PENDING_REPLIES, "the bridge client has " + FanoutBridge.MAX_PENDING_REPLIES_PER_SOCKET
        + " requests unanswered");
      return null;
    }
    byte[] random = new byte[16];
    TOKENS.nextBytes(random);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    long timer = vertx.setTimer(FanoutBridge.REPLY_TIMEOUT_MS, id -> pending.remove(token));
    pending.put(token, new Pending(msg, timer));
    return token;
  }

  /** The message the client was given {@code address} to answer, taken (a reply address serves once); null when it was given none such. */
  Message<?> take(String address) {
    Pending taken = pending.remove(address);
    if (taken == null) {
      return null;
    }
    vertx.cancelTimer(taken.timer());
    return taken.msg();
  }

  /**
   * The frame that answers the client's request to {@code replyAddress}: the reply (under a token
   * of its own when it asks for one back, unless the client has gone or holds too many), or the
   * failure; null for a failure the client is not told of.
   */
  JsonObject answer(String replyAddress, AsyncResult<? extends Message<?>> ar, boolean released) {
    if (ar.succeeded()) {
      JsonObject envelope = Frames.envelope(replyAddress, ar.result());
      if (ar.result().replyAddress() != null) {
        String token = released ? null : await(ar.result());
        if (token == null) {
          envelope.remove("replyAddress");
        } else {
          envelope.put("replyAddress", token);
        }
      }
      return envelope;
    }
    if (ar.cause() instanceof ReplyException failure) {
      return new JsonObject()
        .put("type", "err")
        .put("address", replyAddress)
        .put("failureCode", failure.failureCode())
        .put("failureType", failure.failureType().name())
        .put("message", failure.getMessage());
    }
    return null;
  }

  /** The client has gone: every message it held is forgotten. */
  void clear() {
    pending.values().forEach(p -> vertx.cancelTimer(p.timer()));
    pending.clear();
  }

  /** A delivered message awaiting its client's reply, and the timer that forgets it. */
  private record Pending(Message<?> msg, long timer) {
  }
}
