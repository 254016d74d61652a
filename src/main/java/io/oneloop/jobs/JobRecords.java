package io.oneloop.jobs;

import io.oneloop.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The shared map {@value Addresses#JOB_RECORDS_MAP} of every node's job records (a local map
 * without a cluster, a Hazelcast map with a backup in one): writes this node's records one at a
 * time, reads any node's, and carries a cancel to the node that runs the job and back.
 */
final class JobRecords {

  /** Under the job manager's name, as these lines always were: one name for the jobs in the log. */
  private static final Logger log = LoggerFactory.getLogger(JobManager.class);
  /** How long a cancel forwarded to the job's node may take before it is answered 503. */
  static final long FORWARD_TIMEOUT_MS = 5_000;
  /** Newest first: by {@code createdAt}, then by id so that the order is the same on every node. */
  private static final Comparator<JsonObject> NEWEST_FIRST = Comparator
    .comparing((JsonObject record) -> instant(record.getString("createdAt")))
    .thenComparing(record -> record.getString("id"))
    .reversed();

  private final Vertx vertx;
  private final String nodeId;
  /** The lock this node's records change under (its job manager's). */
  private final Object lock;
  private final Future<AsyncMap<String, JsonObject>> map;
  private final MessageConsumer<JsonObject> cancels;

  /**
   * {@code cancelHere} cancels one of this node's jobs for another node and answers as the API
   * would: {@code {"status", "job"}} or {@code {"status", "error"}}.
   */
  JobRecords(Vertx vertx, String nodeId, Object lock, Function<String, JsonObject> cancelHere) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.lock = lock;
    this.map = vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.JOB_RECORDS_MAP)
      .onFailure(cause -> log.error("The job records' shared map is not available: {}", cause.getMessage()));
    this.cancels = vertx.eventBus().consumer(Addresses.jobCancel(nodeId), msg -> cancelForwarded(msg, cancelHere));
  }

  Future<AsyncMap<String, JsonObject>> map() {
    return map;
  }

  /** Another node's record of job {@code id} as last written, or null when there is none (any more). */
  Future<JsonObject> get(String id) {
    return map.compose(m -> m.get(id)).map(record -> record == null || mine(record) ? null : record);
  }

  /** Every node's records, newest first, at most {@code limit}: this node's as {@code here} gives them now. */
  Future<JsonArray> list(int limit, Supplier<Collection<JsonObject>> here) {
    return map.compose(AsyncMap::values).map(stored -> {
      Map<String, JsonObject> byId = new HashMap<>();
      synchronized (lock) {
        for (JsonObject record : stored) {
          if (record.getValue("id") instanceof String && record.getValue("createdAt") instanceof String && !mine(record)) {
            byId.put(record.getString("id"), record);
          }
        }
        here.get().forEach(record -> byId.put(record.getString("id"), record));
      }
      JsonArray result = new JsonArray();
      byId.values().stream().sorted(NEWEST_FIRST).limit(limit).forEach(result::add);
      return result;
    });
  }

  /**
   * Cancels another node's job through that node; fails with {@link JobRejected}: 404 for no such
   * job, 409 when it has finished, 503 when the node that runs it does not answer.
   */
  Future<JsonObject> cancel(String id) {
    return map.compose(m -> m.get(id)).compose(record -> {
      if (record == null || mine(record)) {
        return Future.failedFuture(new JobRejected(404, "no job " + id));
      }
      JobState state = JobState.ofWireName(record.getString("state"));
      if (state == null || state.finished()) {
        return Future.failedFuture(new JobRejected(409, alreadyFinished(id, record.getString("state")), record));
      }
      return forwardCancel(record);
    });
  }

  static String alreadyFinished(String id, String state) {
    return "job " + id + " has already finished (" + state + ")";
  }

  private Future<JsonObject> forwardCancel(JsonObject record) {
    String id = record.getString("id");
    String node = record.getString("node");
    return vertx.eventBus().<JsonObject>request(Addresses.jobCancel(node), new JsonObject().put("id", id),
        new DeliveryOptions().setSendTimeout(FORWARD_TIMEOUT_MS))
      .recover(cause -> Future.failedFuture(new JobRejected(503,
        "job " + id + " runs on node " + node + ", which did not answer the cancel: " + cause.getMessage())))
      .compose(reply -> {
        JsonObject answer = reply.body();
        int status = answer.getInteger("status", 500);
        return status == 200 ? Future.succeededFuture(answer.getJsonObject("job"))
          : Future.failedFuture(new JobRejected(status, answer.getString("error"), answer.getJsonObject("job")));
      });
  }

  /** Another node asks this one to cancel one of its jobs: the answer carries the status the API gives. */
  private static void cancelForwarded(Message<JsonObject> msg, Function<String, JsonObject> cancelHere) {
    Object id = msg.body() == null ? null : msg.body().getValue("id");
    if (!(id instanceof String jobId)) {
      msg.reply(new JsonObject().put("status", 400).put("error", "a cancel names the job: {\"id\": \"...\"}"));
      return;
    }
    msg.reply(cancelHere.apply(jobId));
  }

  /**
   * Writes the record to the shared map, or removes it once forgotten. One write per job at a time,
   * the next one with the record as it then is: the map never ends with an older version than the
   * last. Under the lock.
   */
  void store(JobRun run) {
    if (run.storing) {
      run.storeAgain = true;
      return;
    }
    run.storing = true;
    run.storeAgain = false;
    Future<?> write = run.forgotten
      ? map.compose(m -> m.remove(run.id))
      : map.compose(m -> m.put(run.id, run.json()));
    write.onComplete(ar -> {
      synchronized (lock) {
        if (ar.failed()) {
          log.warn("Job record {} could not be written to the shared map: {}", run.id, ar.cause().getMessage());
        }
        run.storing = false;
        if (run.storeAgain) {
          store(run);
        }
      }
    });
  }

  /** Removes the record of a job this node does not hold (one it adopted from a departed node). */
  void remove(String id) {
    map.compose(m -> m.remove(id))
      .onFailure(cause -> log.warn("Job record {} could not be removed from the shared map: {}", id, cause.getMessage()));
  }

  /**
   * Stops answering other nodes. Without a cluster the records of {@code ids} go with the app; in
   * one they stay for the other nodes to read.
   */
  void close(Collection<String> ids) {
    cancels.unregister();
    if (!vertx.isClustered()) {
      map.onSuccess(m -> ids.forEach(m::remove));
    }
  }

  /** True for a record of this node; one that it does not hold any more is forgotten, its removal under way. */
  boolean mine(JsonObject record) {
    return nodeId.equals(record.getString("node"));
  }

  static Instant instant(String text) {
    try {
      return text == null ? Instant.EPOCH : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }
}
