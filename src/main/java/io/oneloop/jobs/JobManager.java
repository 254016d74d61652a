package io.oneloop.jobs;

import io.oneloop.Addresses;
import io.oneloop.logging.TaskMdc;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Accepts jobs, runs at most {@code maxConcurrent} of them on worker threads, queues up to
 * {@code maxQueued} more, cancels, remembers the last {@code retain} finished ones and publishes
 * every change on {@code oneloop.jobs}.
 * <p>
 * Every record is also written to the shared map {@value #RECORDS_MAP} (a local map without a
 * cluster, a Hazelcast map with a backup in one), so any node reads any node's jobs; a cancel for
 * another node's job goes to that node over the event bus. The queue, the limits and the work stay
 * on the node that accepted the job. Thread-safe: called from event loops and worker threads.
 */
public final class JobManager {

  private static final Logger log = LoggerFactory.getLogger(JobManager.class);
  private static final AtomicInteger POOLS = new AtomicInteger();
  /** How long a client should wait before trying again when the queue is full. */
  public static final int RETRY_AFTER_SECONDS = 1;
  /** The words a job record's {@code state} takes, in the order a job moves through them. */
  public static final List<String> STATE_NAMES = Arrays.stream(JobState.values()).map(JobState::wireName).toList();
  /** The shared map of job records by id, every node's. */
  public static final String RECORDS_MAP = "oneloop.jobs";
  /** How long a cancel forwarded to the job's node may take before it is answered 503. */
  static final long FORWARD_TIMEOUT_MS = 5_000;
  /** Newest first: by {@code createdAt}, then by id so that the order is the same on every node. */
  private static final Comparator<JsonObject> NEWEST_FIRST = Comparator
    .comparing((JsonObject record) -> instant(record.getString("createdAt")))
    .thenComparing(record -> record.getString("id"))
    .reversed();

  private final Vertx vertx;
  private final String nodeId;
  private final JobsSettings settings;
  private final JobTypes types;
  private final WorkerExecutor executor;
  private final WorkerExecutor hookExecutor;
  private final Future<AsyncMap<String, JsonObject>> records;
  private final MessageConsumer<JsonObject> cancels;
  /** This node's jobs: queued, running, and the finished ones it retains. */
  private final Map<String, JobRun> jobs = new LinkedHashMap<>();
  private final Deque<JobRun> queue = new ArrayDeque<>();
  private final Set<JobRun> running = new LinkedHashSet<>();
  /**
   * The finished jobs whose records this node keeps, by id with their end, oldest end first: at
   * most {@code retain}. Its own, and those of nodes that left the cluster (see {@link #nodeLeft}).
   */
  private Map<String, Instant> retained = new LinkedHashMap<>();
  private boolean accepting = true;
  private Promise<Void> drained;

  /** @param nodeId this node's id in the cluster: every record names it, and other nodes forward cancels to it */
  public JobManager(Vertx vertx, String nodeId, JobsSettings settings, JobTypes types) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.settings = settings;
    this.types = types;
    int pool = POOLS.incrementAndGet();
    // Own pools: jobs never take the threads that worker tasks and other blocking code run on.
    this.executor = vertx.createSharedWorkerExecutor("oneloop-jobs-" + pool, settings.maxConcurrent());
    this.hookExecutor = vertx.createSharedWorkerExecutor("oneloop-hooks-" + pool, 1);
    this.records = vertx.sharedData().<String, JsonObject>getAsyncMap(RECORDS_MAP)
      .onFailure(cause -> log.error("The job records' shared map is not available: {}", cause.getMessage()));
    this.cancels = vertx.eventBus().consumer(Addresses.jobCancel(nodeId), this::cancelForwarded);
  }

  public JobTypes types() {
    return types;
  }

  public String nodeId() {
    return nodeId;
  }

  /** Accepts a job {@code {"type": ..., "params": {...}}} and returns its record, or throws {@link JobRejected}. */
  public synchronized JsonObject submit(Object body) {
    if (!accepting) {
      throw new JobRejected(503, "the server is shutting down and takes no new jobs");
    }
    if (!(body instanceof JsonObject request)) {
      throw new JobRejected(400, "the body must be a JSON object {\"type\": \"...\", \"params\": {...}}");
    }
    JobRun run = prepare(request);
    if (running.size() >= settings.maxConcurrent() && queue.size() >= settings.maxQueued()) {
      throw new JobRejected(429, "the job queue is full (" + settings.maxQueued() + " waiting); try again later");
    }
    jobs.put(run.id, run);
    queue.addLast(run);
    publish(run);
    pump();
    return run.json();
  }

  /**
   * The record of a job of any node, or null when there is no such job (any more). This node's
   * jobs are read as they are now; another node's as last written, which may trail its feed a little.
   */
  public Future<JsonObject> get(String id) {
    synchronized (this) {
      JobRun run = jobs.get(id);
      if (run != null) {
        return Future.succeededFuture(run.json());
      }
    }
    return records.compose(map -> map.get(id)).map(record -> record == null || mine(record) ? null : record);
  }

  /** The jobs of every node, newest first, at most {@code limit}. */
  public Future<JsonArray> list(int limit) {
    return records.compose(AsyncMap::values).map(stored -> {
      Map<String, JsonObject> byId = new HashMap<>();
      synchronized (this) {
        for (JsonObject record : stored) {
          if (record.getValue("id") instanceof String && record.getValue("createdAt") instanceof String && !mine(record)) {
            byId.put(record.getString("id"), record);
          }
        }
        jobs.values().forEach(run -> byId.put(run.id, run.json()));
      }
      JsonArray result = new JsonArray();
      byId.values().stream().sorted(NEWEST_FIRST).limit(limit).forEach(result::add);
      return result;
    });
  }

  /**
   * Cancels a queued or running job of any node and returns its record as it then is (a running
   * job stays {@code running} until its work notices). Fails with {@link JobRejected}: 404 for no
   * such job, 409 when it has finished, 503 when the node that runs it does not answer.
   */
  public Future<JsonObject> cancel(String id) {
    synchronized (this) {
      JobRun run = jobs.get(id);
      if (run != null) {
        try {
          return Future.succeededFuture(cancelHere(run));
        } catch (JobRejected e) {
          return Future.failedFuture(e);
        }
      }
    }
    return records.compose(map -> map.get(id)).compose(record -> {
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

  /** Under this manager's lock. */
  private JsonObject cancelHere(JobRun run) {
    switch (run.state) {
      case QUEUED -> {
        queue.remove(run);
        run.cancelled = true;
        end(run, JobState.CANCELLED, null, null);
      }
      case RUNNING -> run.cancel();
      default -> throw new JobRejected(409, alreadyFinished(run.id, run.state.wireName()), run.json());
    }
    return run.json();
  }

  private static String alreadyFinished(String id, String state) {
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
  private void cancelForwarded(Message<JsonObject> msg) {
    Object id = msg.body() == null ? null : msg.body().getValue("id");
    if (!(id instanceof String jobId)) {
      msg.reply(new JsonObject().put("status", 400).put("error", "a cancel names the job: {\"id\": \"...\"}"));
      return;
    }
    JsonObject answer;
    synchronized (this) {
      JobRun run = jobs.get(jobId);
      if (run == null) {
        answer = new JsonObject().put("status", 404).put("error", "no job " + jobId);
      } else {
        try {
          answer = new JsonObject().put("status", 200).put("job", cancelHere(run));
        } catch (JobRejected e) {
          answer = new JsonObject().put("status", e.status()).put("error", e.getMessage()).put("job", e.job());
        }
      }
    }
    msg.reply(answer);
  }

  /** How often a survivor tries to mark one orphaned record failed before it leaves it to the others. */
  private static final int ORPHAN_ATTEMPTS = 5;
  /** When a survivor scans again for a departed node's records, after the scan at the report of its departure. */
  private static final long[] RESCAN_AFTER_MS = {1000, 3000, 10_000, 30_000};

  /**
   * The node {@code left} has left the cluster: its queued and running jobs will never end by
   * themselves, so their records become {@code failed}, "node &lt;id&gt; left the cluster", each
   * published on {@code oneloop.jobs}; its finished records join those this node retains. Any
   * surviving node may call it, several at once: a record is changed by whichever comes first
   * (compare-and-set) and published once. Completes with how many jobs its first scan marked failed;
   * later scans (1, 3, 10 and 30 s on) catch records that were still moving to a survivor.
   */
  public Future<Integer> nodeLeft(String left) {
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
    return records.compose(map -> map.values().compose(stored -> {
      List<JsonObject> theirs = stored.stream().filter(record -> left.equals(record.getString("node"))).toList();
      List<Future<Boolean>> marked = new ArrayList<>();
      for (JsonObject record : theirs) {
        marked.add(failOrphan(map, record, reason, ORPHAN_ATTEMPTS));
      }
      return Future.all(marked).map(all -> {
        adopt(theirs);
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

  /** Another node's finished records, kept within this node's bound as if they were its own. */
  private synchronized void adopt(List<JsonObject> orphans) {
    List<Map.Entry<String, Instant>> all = new ArrayList<>(retained.entrySet());
    Instant now = Instant.now();
    for (JsonObject record : orphans) {
      String id = record.getString("id");
      if (!retained.containsKey(id)) {
        String endedAt = record.getString("endedAt");
        all.add(Map.entry(id, endedAt == null ? now : instant(endedAt)));
      }
    }
    all.sort(Map.Entry.comparingByValue());
    retained = new LinkedHashMap<>();
    all.forEach(entry -> retained.put(entry.getKey(), entry.getValue()));
    trimRetained();
  }

  /** True for a record of this node; one that it does not hold any more is forgotten, its removal under way. */
  private boolean mine(JsonObject record) {
    return nodeId.equals(record.getString("node"));
  }

  private static Instant instant(String text) {
    try {
      return text == null ? Instant.EPOCH : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }

  /** Shutdown: refuse new jobs, cancel the queued and running ones; completes when none runs. */
  public synchronized Future<Void> drain() {
    accepting = false;
    new ArrayList<>(queue).forEach(run -> {
      queue.remove(run);
      run.cancelled = true;
      end(run, JobState.CANCELLED, null, "cancelled by the shutdown");
    });
    running.forEach(JobRun::cancel);
    drained = Promise.promise();
    if (running.isEmpty()) {
      drained.tryComplete();
    }
    return drained.future();
  }

  /** Shutdown out of time: the jobs that still run are recorded as cancelled, so none is left running without a word. */
  public synchronized void abandonRunning() {
    new ArrayList<>(running).forEach(run -> {
      running.remove(run);
      log.warn("Job {} ({}) did not stop within the shutdown budget", run.id, run.type);
      end(run, JobState.CANCELLED, null, "did not stop within the shutdown budget");
    });
  }

  /** How many of the jobs held (finished ones up to {@code retain}) are in the state named {@code wireName}. */
  public synchronized int count(String wireName) {
    int n = 0;
    for (JobRun run : jobs.values()) {
      if (run.state.wireName().equals(wireName)) {
        n++;
      }
    }
    return n;
  }

  /** Jobs waiting for a worker. */
  public synchronized int queued() {
    return queue.size();
  }

  /** Runs a startup or shutdown hook as a job, outside the queue; fails when it fails or overruns {@code timeoutMs}. */
  public Future<JsonObject> runHook(String type, JsonObject params, long timeoutMs) {
    JobRun run;
    synchronized (this) {
      try {
        run = prepare(new JsonObject().put("type", type).put("params", params));
      } catch (JobRejected e) {
        return Future.failedFuture(e.getMessage());
      }
      jobs.put(run.id, run);
      publish(run);
      start(run, hookExecutor);
    }
    long timer = vertx.setTimer(Math.max(1, timeoutMs), id -> {
      synchronized (this) {
        if (run.state == JobState.RUNNING) {
          run.cancel();
          running.remove(run);
          end(run, JobState.FAILED, null, "timed out after " + timeoutMs + " ms");
        }
      }
    });
    return run.done.future().andThen(ar -> vertx.cancelTimer(timer)).compose(record -> run.state == JobState.SUCCEEDED
      ? Future.succeededFuture(record)
      : Future.failedFuture(record.getString("error") == null ? record.getString("state") : record.getString("error")));
  }

  /**
   * Frees the worker threads and stops answering other nodes; the jobs are drained by then. Without
   * a cluster the records go with the app; in one they stay for the other nodes to read.
   */
  public void close() {
    cancels.unregister();
    executor.close();
    hookExecutor.close();
    if (!vertx.isClustered()) {
      List<String> ids;
      synchronized (this) {
        ids = new ArrayList<>(jobs.keySet());
      }
      records.onSuccess(map -> ids.forEach(map::remove));
    }
  }

  private JobRun prepare(JsonObject request) {
    Object type = request.getValue("type");
    if (!(type instanceof String typeName) || typeName.isBlank()) {
      throw new JobRejected(400, "type must be one of " + String.join(", ", types.names()));
    }
    Object params = request.getValue("params", new JsonObject());
    if (!(params instanceof JsonObject paramsObject)) {
      throw new JobRejected(400, "params must be a JSON object");
    }
    Job job;
    try {
      job = types.create(typeName);
    } catch (RuntimeException e) {
      throw new JobRejected(400, "job type " + typeName + " cannot be created: " + e.getMessage());
    }
    if (job == null) {
      throw new JobRejected(400, "unknown job type \"" + typeName + "\" (known: " + String.join(", ", types.names()) + ")");
    }
    try {
      job.validate(paramsObject);
    } catch (IllegalArgumentException e) {
      throw new JobRejected(400, e.getMessage());
    }
    return new JobRun(this, vertx, typeName, paramsObject.copy(), job);
  }

  private void pump() {
    while (running.size() < settings.maxConcurrent() && !queue.isEmpty()) {
      start(queue.pollFirst(), executor);
    }
  }

  private void start(JobRun run, WorkerExecutor on) {
    running.add(run);
    run.state = JobState.RUNNING;
    run.startedAt = Instant.now();
    publish(run);
    on.executeBlocking(() -> {
      // The work runs on this one thread from start to end: its log lines carry the job's id.
      MDC.put(TaskMdc.JOB, run.id);
      try {
        return run.job.run(run);
      } finally {
        MDC.remove(TaskMdc.JOB);
      }
    }, false).onComplete(ar -> finished(run, ar));
  }

  private synchronized void finished(JobRun run, AsyncResult<Object> ar) {
    if (!running.remove(run)) {
      return; // already recorded: a hook that timed out, or a job abandoned at shutdown
    }
    if (run.cancelled || ar.failed() && ar.cause() instanceof JobCancelledException) {
      end(run, JobState.CANCELLED, null, null);
    } else if (ar.failed()) {
      String message = ar.cause().getMessage();
      end(run, JobState.FAILED, null, message == null ? ar.cause().getClass().getName() : message);
    } else {
      try {
        end(run, JobState.SUCCEEDED, JobResults.toJson(ar.result()), null);
      } catch (IllegalArgumentException e) {
        end(run, JobState.FAILED, null, e.getMessage());
      }
    }
    pump();
    if (drained != null && running.isEmpty()) {
      drained.tryComplete();
    }
  }

  private void end(JobRun run, JobState state, Object result, String error) {
    run.state = state;
    run.result = result;
    run.error = error;
    run.endedAt = Instant.now();
    if (state == JobState.SUCCEEDED) {
      run.progress = 1;
    }
    publish(run);
    run.done.tryComplete(run.json());
    retained.put(run.id, run.endedAt);
    trimRetained();
  }

  /** Forgets the finished records beyond {@code retain}, the oldest end first; under this manager's lock. */
  private void trimRetained() {
    var oldest = retained.entrySet().iterator();
    while (retained.size() > settings.retain() && oldest.hasNext()) {
      String id = oldest.next().getKey();
      oldest.remove();
      JobRun run = jobs.remove(id);
      if (run != null) {
        run.forgotten = true;
        store(run);
      } else {
        records.compose(map -> map.remove(id))
          .onFailure(cause -> log.warn("Job record {} could not be removed from the shared map: {}", id, cause.getMessage()));
      }
    }
  }

  /** Tells every listener of the job's record as it now is, and stores it; call under this manager's lock. */
  void publish(JobRun run) {
    vertx.eventBus().publish(Addresses.JOBS, run.json());
    store(run);
  }

  /**
   * Writes the record to the shared map, or removes it once forgotten. One write per job at a time,
   * the next one with the record as it then is: the map never ends with an older version than the
   * last. Under this manager's lock.
   */
  private void store(JobRun run) {
    if (run.storing) {
      run.storeAgain = true;
      return;
    }
    run.storing = true;
    run.storeAgain = false;
    Future<?> write = run.forgotten
      ? records.compose(map -> map.remove(run.id))
      : records.compose(map -> map.put(run.id, run.json()));
    write.onComplete(ar -> {
      synchronized (this) {
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
}
