package io.oneloop.cluster;

import io.oneloop.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code GET /api/cluster}'s answer: every member describes itself (its id, addresses, start,
 * the singletons it runs and its bridge sockets) on an event-bus address of its own, and any node
 * asks them all. Not clustered, the one node answers for itself.
 */
public final class ClusterNodes {

  /** A member that has not answered within this long is shown as not answering. */
  private static final long ASK_TIMEOUT_MS = 2000;

  private final Vertx vertx;
  private final ClusterMembership membership;
  private final Supplier<JsonObject> self;
  private final MessageConsumer<Object> consumer;

  /** {@code self} describes this node without its id; it is called on the context that creates this. */
  public ClusterNodes(Vertx vertx, ClusterMembership membership, Supplier<JsonObject> self) {
    this.vertx = vertx;
    this.membership = membership;
    this.self = self;
    this.consumer = vertx.eventBus().consumer(Addresses.nodeInfo(membership.nodeId()), msg -> msg.reply(describeSelf()));
  }

  /** This node, as it describes itself to the others. */
  public JsonObject describeSelf() {
    return new JsonObject().put("id", membership.nodeId()).mergeIn(self.get());
  }

  /**
   * Every member, oldest first: {@code [{"id", "http", "cluster", "startedAt", "singletons",
   * "bridgeSockets", "tasks"}]}. This node is asked over the event bus too, so that it describes
   * itself on its own context, whichever thread asks.
   */
  public Future<JsonArray> nodes() {
    List<Future<JsonObject>> answers = new ArrayList<>();
    for (String id : membership.members()) {
      answers.add(vertx.eventBus().<JsonObject>request(Addresses.nodeInfo(id), null, new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS))
        .map(reply -> reply.body())
        .otherwise(cause -> new JsonObject().put("id", id).put("error", "did not answer: " + cause.getMessage())));
    }
    return Future.all(answers).map(all -> {
      JsonArray nodes = new JsonArray();
      answers.forEach(answer -> nodes.add(answer.result()));
      return nodes;
    });
  }

  public void close() {
    consumer.unregister();
  }
}
