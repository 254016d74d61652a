package io.oneloop.bridge;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The presence of one process: entries by address and connection id, thread-safe. */
public final class LocalPresenceStore implements PresenceStore {

  private final Map<String, Map<String, JsonObject>> byAddress = new ConcurrentHashMap<>();

  @Override
  public void put(JsonObject entry) {
    byAddress.computeIfAbsent(entry.getString("address"), a -> new ConcurrentHashMap<>()).put(entry.getString("connId"), entry);
  }

  @Override
  public void remove(JsonObject entry) {
    byAddress.computeIfPresent(entry.getString("address"), (address, entries) -> {
      entries.remove(entry.getString("connId"));
      return entries.isEmpty() ? null : entries;
    });
  }

  @Override
  public Future<List<JsonObject>> list(String address) {
    Map<String, JsonObject> entries = byAddress.get(address);
    List<JsonObject> found = entries == null ? new ArrayList<>() : new ArrayList<>(entries.values());
    found.sort(Comparator.comparing((JsonObject e) -> e.getString("since")).thenComparing(e -> e.getString("connId")));
    return Future.succeededFuture(found);
  }
}
