package io.oneloop.cluster;

import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import io.oneloop.Addresses;
import io.oneloop.bridge.Presence;
import io.oneloop.bridge.PresenceStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster's presence in a Hazelcast map ({@value Addresses#PRESENCE_MAP}), one entry per socket
 * and address, each written by the node of its socket. The list is the whole cluster's, without
 * the entries of nodes no longer members. When a node leaves, each survivor hands its own
 * subscribers a {@code leave} for every entry of that node; when nodes join (a split healed, or a
 * node started), each node writes its live entries again (the side that gave way lost them) and
 * sends the newcomers a {@code join} for each, the other side having told its subscribers they left.
 * Hazelcast's queries block: they run on worker threads, never on an event loop.
 */
final class HazelcastPresence implements PresenceStore {

  private static final Logger log = LoggerFactory.getLogger(HazelcastPresence.class);
  /** A departed node's entries are deleted this long after it left, if it has not come back: every survivor has read them by then. */
  static final long FORGET_DEPARTED_MS = 30_000;
  /** How long after nodes joined this node writes its entries again and sends them its joins. */
  static final long REJOIN_DELAY_MS = 2000;

  private final Vertx vertx;
  private final ClusterMembership membership;
  private final IMap<String, HazelcastJsonValue> map;
  /** This node's entries, by key: what it writes again after a split. */
  private final Map<String, JsonObject> own = new ConcurrentHashMap<>();
  private final MessageConsumer<JsonObject> relay;
  private Set<String> known;

  HazelcastPresence(Vertx vertx, ClusterMembership membership) {
    this.vertx = vertx;
    this.membership = membership;
    this.map = ((HazelcastClusterManager) ((VertxInternal) vertx).clusterManager()).getHazelcastInstance().getMap(Addresses.PRESENCE_MAP);
    this.known = new HashSet<>(membership.members());
    // Events meant for this node's subscribers alone (joins after a split healed): handed to its engines.
    this.relay = vertx.eventBus().consumer(Addresses.presenceEvents(membership.nodeId()),
      msg -> vertx.eventBus().publish(PresenceStore.EVENTS, msg.body(), new DeliveryOptions().setLocalOnly(true)));
    membership.onNodeLeft(this::nodeLeft);
    membership.onChange(this::membersChanged);
    membership.onMerged(this::writeOwnAgain);
  }

  private static String key(JsonObject entry) {
    return entry.getString("connId") + " " + entry.getString("address");
  }

  @Override
  public void put(JsonObject entry) {
    own.put(key(entry), entry);
    map.putAsync(key(entry), new HazelcastJsonValue(entry.encode()))
      .whenComplete((v, e) -> failed("write", e));
  }

  @Override
  public void remove(JsonObject entry) {
    own.remove(key(entry));
    map.removeAsync(key(entry)).whenComplete((v, e) -> failed("remove", e));
  }

  private static void failed(String what, Throwable e) {
    if (e != null) {
      log.debug("Could not {} a presence entry in the cluster: {}", what, e.toString());
    }
  }

  @Override
  public Future<List<JsonObject>> list(String address) {
    List<String> members = membership.members();
    return vertx.executeBlocking(() -> parse(map.values(Predicates.equal("address", address)))).map(entries -> {
      entries.removeIf(entry -> !members.contains(entry.getString("node")));
      entries.sort(Comparator.comparing((JsonObject e) -> e.getString("since")).thenComparing(e -> e.getString("connId")));
      return entries;
    });
  }

  private static List<JsonObject> parse(Collection<HazelcastJsonValue> values) {
    List<JsonObject> entries = new ArrayList<>();
    values.forEach(value -> entries.add(new JsonObject(value.getValue())));
    return entries;
  }

  /** Each survivor tells its own subscribers; the entries go from the map once every survivor has read them. */
  private void nodeLeft(String node) {
    vertx.executeBlocking(() -> parse(map.values(Predicates.equal("node", node)))).onSuccess(entries -> {
      DeliveryOptions local = new DeliveryOptions().setLocalOnly(true);
      entries.forEach(entry -> vertx.eventBus().publish(PresenceStore.EVENTS, Presence.event("leave", entry), local));
      if (!entries.isEmpty()) {
        log.info("Cluster node {} left: {} presence entr{} of it left with it", node, entries.size(), entries.size() == 1 ? "y" : "ies");
      }
      vertx.setTimer(FORGET_DEPARTED_MS, id -> {
        if (!membership.members().contains(node)) {
          entries.forEach(entry -> map.removeAsync(key(entry)).whenComplete((v, e) -> failed("remove", e)));
        }
      });
    }).onFailure(cause -> log.warn("The presence entries of departed node {} could not be read: {}", node, cause.toString()));
  }

  /** Nodes that joined get a join for each of this node's entries, and the map this node's entries again. */
  private void membersChanged() {
    Set<String> now = new HashSet<>(membership.members());
    List<String> joined = now.stream().filter(id -> !known.contains(id) && !id.equals(membership.nodeId())).toList();
    known = now;
    if (joined.isEmpty()) {
      return;
    }
    // A moment later: the newcomers' event-bus registrations reach this node's view after their membership.
    vertx.setTimer(REJOIN_DELAY_MS, id -> {
      writeOwnAgain();
      for (String node : joined) {
        own.values().forEach(entry -> vertx.eventBus().publish(Addresses.presenceEvents(node), Presence.event("join", entry)));
      }
    });
  }

  /** After a split this node's side may have lost its entries: written again. */
  private void writeOwnAgain() {
    own.forEach((key, entry) -> map.putAsync(key, new HazelcastJsonValue(entry.encode())).whenComplete((v, e) -> failed("write", e)));
  }

  @Override
  public void close() {
    relay.unregister();
  }
}
