package io.oneloop.jobs;

import io.micrometer.core.instrument.MeterRegistry;
import io.oneloop.Addresses;
import io.oneloop.base.NoMeters;
import io.oneloop.logging.TaskMdc;
import io.oneloop.shape.ConfigShape;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
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
 * Every record is also written to the shared map ({@link JobRecords}), so any node reads any node's
 * jobs and a cancel for another node's job goes to that node; a departed node's unfinished jobs end
 * failed ({@link DepartedNodes}). The queue, the limits and the work stay on the node that accepted
 * the job. Thread-safe: called from event loops and worker threads, under this manager's lock.
 */
public final class JobManager {

  private static final Logger log = LoggerFactory.getLogger(JobManager.class);
  private static final AtomicInteger POOLS = new AtomicInteger();
  /** How long a client should wait before trying again when the queue is full. */
  public static final int RETRY_AFTER_SECONDS = 1;
  /** The words a job record's {@code state} takes, in the order a job moves through them. */
  public static final List<String> STATE_NAMES = Arrays.stream(JobState.values()).map(JobState::wireName).toList();

  private final Vertx vertx;
  private final String nodeId;
  private final JobsSettings settings;
  private final JobTypes types;
  private final WorkerExecutor executor;
  private final WorkerExecutor hookExecutor;
  private final JobRecords records;
  private final DepartedNodes departed;
  /** This node's jobs: queued, running, and the finished ones it retains. */
  private final Map<String, JobRun> jobs = new LinkedHashMap<>();
  private final Deque<JobRun> queue = new ArrayDeque<>();
  private final Set<JobRun> running = new LinkedHashSet<>();
  /**
   * The finished jobs whose records this node keeps, by id with their end, oldest end first: at
   * most {@code retain}. Its own, and those of nodes that left the cluster (see {@link #adopt}).
   */
  private Map<String, Instant> retained = new LinkedHashMap<>();
  private boolean accepting = true;
  private volatile MeterRegistry meters = NoMeters.REGISTRY;
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
    this.records = new JobRecords(vertx, nodeId, this, this::cancelForwarded);
    this.departed = new DepartedNodes(vertx, nodeId, records, this::adopt);
  }

  /** Where the jobs' {@link JobContext#meters()} register: the registry {@code /metrics} shows, once metrics run. */
  public void meters(MeterRegistry registry) {
    meters = registry;
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
    changed(run);
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
    return records.get(id);
  }

  /** The jobs of every node, newest first, at most {@code limit}. */
  public Future<JsonArray> list(int limit) {
    return records.list(limit, () -> jobs.values().stream().map(JobRun::json).toList());
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
    return records.cancel(id);
  }

  /** Under this manager's lock. */
  private JsonObject cancelHere(JobRun run) {
    switch (run.state()) {
      case QUEUED -> {
        queue.remove(run);
        run.cancel();
        end(run, JobState.CANCELLED, null, null);
      }
      case RUNNING -> run.cancel();
      default -> throw new JobRejected(409, JobRecords.alreadyFinished(run.id, run.state().wireName()), run.json());
    }
    return run.json();
  }

  /** Another node asks this one to cancel one of its jobs: the answer carries the status the API gives. */
  private synchronized JsonObject cancelForwarded(String jobId) {
    JobRun run = jobs.get(jobId);
    if (run == null) {
      return new JsonObject().put("status", 404).put("error", "no job " + jobId);
    }
    try {
      return new JsonObject().put("status", 200).put("job", cancelHere(run));
    } catch (JobRejected e) {
      return new JsonObject().put("status", e.status()).put("error", e.getMessage()).put("job", e.job());
    }
  }

  /** The node {@code left} has left the cluster: see {@link DepartedNodes#nodeLeft}. */
  public Future<Integer> nodeLeft(String left) {
    return departed.nodeLeft(left);
  }

  /** Another node's finished records, kept within this node's bound as if they were its own. */
  private synchronized void adopt(List<JsonObject> orphans) {
    List<Map.Entry<String, Instant>> all = new ArrayList<>(retained.entrySet());
    Instant now = Instant.now();
    for (JsonObject record : orphans) {
      String id = record.getString("id");
      if (!retained.containsKey(id)) {
        String endedAt = record.getString("endedAt");
        all.add(Map.entry(id, endedAt == null ? now : JobRecords.instant(endedAt)));
      }
    }
    all.sort(Map.Entry.comparingByValue());
    retained = new LinkedHashMap<>();
    all.forEach(entry -> retained.put(entry.getKey(), entry.getValue()));
    trimRetained();
  }

  /** Shutdown: refuse new jobs, cancel the queued and running ones; completes when none runs. */
  public synchronized Future<Void> drain() {
    accepting = false;
    new ArrayList<>(queue).forEach(run -> {
      queue.remove(run);
      run.cancel();
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
      if (run.state().wireName().equals(wireName)) {
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
      changed(run);
      start(run, hookExecutor);
    }
    long timer = vertx.setTimer(Math.max(1, timeoutMs), id -> {
      synchronized (this) {
        if (run.state() == JobState.RUNNING) {
          run.cancel();
          running.remove(run);
          end(run, JobState.FAILED, null, "timed out after " + timeoutMs + " ms");
        }
      }
    });
    return run.done.future().andThen(ar -> vertx.cancelTimer(timer)).compose(record -> run.state() == JobState.SUCCEEDED
      ? Future.succeededFuture(record)
      : Future.failedFuture(record.getString("error") == null ? record.getString("state") : record.getString("error")));
  }

  /**
   * Frees the worker threads and stops answering other nodes; the jobs are drained by then. Without
   * a cluster the records go with the app; in one they stay for the other nodes to read.
   */
  public void close() {
    List<String> ids;
    synchronized (this) {
      ids = new ArrayList<>(jobs.keySet());
    }
    records.close(ids);
    executor.close();
    hookExecutor.close();
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
      // The declared shape too, as --check-config holds a hook's params to it: a key it does not name is refused here as there.
      ConfigShape shape = types.shape(typeName);
      List<String> problems = shape == null ? List.of() : shape.check(paramsObject, "params");
      if (!problems.isEmpty()) {
        throw new JobRejected(400, String.join("; ", problems));
      }
    } catch (IllegalArgumentException e) {
      throw new JobRejected(400, e.getMessage());
    }
    return new JobRun(this, this::changed, vertx, meters, nodeId, typeName, paramsObject.copy(), job);
  }

  private void pump() {
    while (running.size() < settings.maxConcurrent() && !queue.isEmpty()) {
      start(queue.pollFirst(), executor);
    }
  }

  private void start(JobRun run, WorkerExecutor on) {
    running.add(run);
    run.begin();
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
    if (run.cancelled() || ar.failed() && ar.cause() instanceof JobCancelledException) {
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
    run.finish(state, result, error);
    retained.put(run.id, run.endedAt());
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
        records.store(run);
      } else {
        records.remove(id);
      }
    }
  }

  /** Tells every listener of the job's record as it now is, and stores it; called under this manager's lock. */
  private void changed(JobRun run) {
    vertx.eventBus().publish(Addresses.JOBS, run.json());
    records.store(run);
  }
}
