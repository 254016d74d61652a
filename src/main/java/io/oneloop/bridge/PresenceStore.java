package io.oneloop.bridge;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Where presence entries live: in this process ({@link LocalPresenceStore}) or shared by a cluster
 * (an app's implementation). Each entry is {@code {"user","name","connId","node","since"}} plus its
 * {@code "address"}. Called from the engines' event loops: nothing may block.
 * <p>
 * The engines publish the {@code join}/{@code leave} events of their own sockets on {@link #EVENTS}
 * (cluster-wide when clustered); a store that learns of entries gone another way (a node that left)
 * or back (a split healed) publishes their events there itself, locally.
 */
public interface PresenceStore {

  /** Where presence events go, {@code {"event":"join"|"leave","entry":{...}}}: never on the bridge. */
  String EVENTS = "oneloop.internal.presence.events";

  void put(JsonObject entry);

  void remove(JsonObject entry);

  /** The entries of {@code address}, every node's, oldest first. */
  Future<List<JsonObject>> list(String address);

  /** Stops what the store runs (timers, listeners); its entries may stay where they are. */
  default void close() {
  }
}
