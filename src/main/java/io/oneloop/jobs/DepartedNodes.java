package io.oneloop.jobs;

import io.oneloop.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A node that left the cluster leaves jobs that will never end by themselves: each survivor marks
 * their records failed in the shared map (the first to get there wins) and scans again a few
 * times, as the departed node's records may still be moving to a survivor.
 */
final class DepartedNodes {

  /** Under the job manager's name, as these lines always were: one name for the jobs in the log. */
  private static final Logger log = LoggerFactory.getLogger(JobManager.class);
  /** How often a survivor tries to mark one orphaned record failed before it leaves it to the others. */
  private static final int ORPHAN_ATTEMPTS = 5;
  /** When a survivor scans again for a departed node's records, after the scan at the report of its departure. */
  private static final long[] RESCAN_AFTER_MS = {1000, 3000, 10_000, 30_000};

  private final Vertx vertx;
  private final String nodeId;
  private final JobRecords records;
  /** Takes a departed node's records after a scan, to keep its finished ones within this node's bound. */
  private final Consumer<List<JsonObject>> adopt;

  DepartedNodes(Vertx vertx, String nodeId, JobRecords records, Consumer<List<JsonObject>> adopt) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.records = records;
    this.adopt = adopt;
  }

  /**
   * The node {@code left} has left the cluster: its queued and running jobs will never end by
   * themselves, so their records become {@code failed}, "node &lt;id&gt; left the cluster", each
   * published on {@code oneloop.jobs}; its finished records join those this node retains. Any
   * surviving node may call it, several at once: a record is changed by whichever comes first
   * (compare-and-set) and published once. Completes with how many jobs its first scan marked failed;
   * later scans (1, 3, 10 and 30 s on) catch records that were still moving to a survivor.
   */
  Future<Integer> nodeLeft(String left) {
    if (left == null || left.equals(nodeId)) {
      return Future.succeededFuture(0);
    }
    String reason = "node " + left + " left the cluster";
    // The departed node's partitions move to their backups just as its departure is reported, and
    // on a busy machine that takes seconds: a scan then can miss records, so later scans look again
    // (marking is idempotent).
    for (long at : RESCAN_AFTER_MS) {
      vertx.setTimer(at, id -> failOrphans(left, reason).onSuccess(failed -> logFailed(failed, left)));
    }
    return failOrphans(left, reason).onSuccess(failed -> logFailed(failed, left));
  }

  private void logFailed(int failed, String left) {
    if (failed > 0) {
      log.warn("{} job(s) of node {} marked failed: the node left the cluster", failed, left);
    }
  }

  /** One scan of the records for those of {@code left} still unfinished; completes with how many it marked. */
  private Future<Integer> failOrphans(String left, String reason) {
    return records.map().compose(map -> map.values().compose(stored -> {
      List<JsonObject> theirs = stored.stream().filter(record -> left.equals(record.getString("node"))).toList();
      List<Future<Boolean>> marked = new ArrayList<>();
      for (JsonObject record : theirs) {
        marked.add(failOrphan(map, record, reason, ORPHAN_ATTEMPTS));
      }
      return Future.all(marked).map(all -> {
        adopt.accept(theirs);
        return (int) marked.stream().filter(Future::result).count();
      });
    }));
  }

  /**
   * Marks one departed node's record failed unless it has finished, by compare-and-set: of two
   * survivors one wins. A lost or failed set (the record changed, or its partition was moving to
   * a survivor just then) is tried again on the record as it now is, a bounded number of times.
   */
  private Future<Boolean> failOrphan(AsyncMap<String, JsonObject> map, JsonObject record, String reason, int attempts) {
    JobState state = JobState.ofWireName(record.getString("state"));
    if (state != null && state.finished()) {
      return Future.succeededFuture(false);
    }
    String id = record.getString("id");
    JsonObject failed = record.copy()
      .put("state", JobState.FAILED.wireName())
      .put("error", reason)
      .put("endedAt", Instant.now().toString());
    return map.replaceIfPresent(id, record, failed).otherwise(false).compose(won -> {
      if (won) {
        vertx.eventBus().publish(Addresses.JOBS, failed);
        return Future.succeededFuture(true);
      }
      if (attempts <= 1) {
        return Future.succeededFuture(false);
      }
      return map.get(id).otherwise((JsonObject) null).compose(current -> current == null
        ? Future.succeededFuture(false) : failOrphan(map, current, reason, attempts - 1));
    });
  }
}
