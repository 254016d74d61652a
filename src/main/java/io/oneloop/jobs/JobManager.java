package io.oneloop.jobs;

import io.oneloop.Addresses;
import io.oneloop.config.JobsSettings;
import io.oneloop.app.TaskMdc;
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
 * every change on {@code oneloop.jobs}. Thread-safe: called from event loops and worker threads.
 */
public final class JobManager {

  private static final Logger log = LoggerFactory.getLogger(JobManager.class);
  private static final AtomicInteger POOLS = new AtomicInteger();
  /** How long a client should wait before trying again when the queue is full. */
  public static final int RETRY_AFTER_SECONDS = 1;

  private final Vertx vertx;
  private final JobsSettings settings;
  private final JobTypes types;
  private final WorkerExecutor executor;
  private final WorkerExecutor hookExecutor;
  private final Map<String, JobRun> jobs = new LinkedHashMap<>();
  private final Deque<JobRun> queue = new ArrayDeque<>();
  private final Set<JobRun> running = new LinkedHashSet<>();
  /** The finished jobs whose records are kept, oldest first: at most {@code retain}. */
  private final Deque<JobRun> retained = new ArrayDeque<>();
  private boolean accepting = true;
  private Promise<Void> drained;

  public JobManager(Vertx vertx, JobsSettings settings, JobTypes types) {
    this.vertx = vertx;
    this.settings = settings;
    this.types = types;
    int pool = POOLS.incrementAndGet();
    // Own pools: jobs never take the threads that worker tasks and other blocking code run on.
    this.executor = vertx.createSharedWorkerExecutor("oneloop-jobs-" + pool, settings.maxConcurrent());
    this.hookExecutor = vertx.createSharedWorkerExecutor("oneloop-hooks-" + pool, 1);
  }

  public JobTypes types() {
    return types;
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

  /** The record of a job, or null when there is no such job (any more). */
  public synchronized JsonObject get(String id) {
    JobRun run = jobs.get(id);
    return run == null ? null : run.json();
  }

  /** Jobs newest first, at most {@code limit}. */
  public synchronized JsonArray list(int limit) {
    List<JobRun> all = new ArrayList<>(jobs.values());
    JsonArray result = new JsonArray();
    for (int i = all.size() - 1; i >= 0 && result.size() < limit; i--) {
      result.add(all.get(i).json());
    }
    return result;
  }

  /**
   * Cancels a queued or running job and returns its record as it then is (a running job stays
   * {@code running} until its work notices). Throws 404 for no such job, 409 when it has finished.
   */
  public synchronized JsonObject cancel(String id) {
    JobRun run = jobs.get(id);
    if (run == null) {
      throw new JobRejected(404, "no job " + id);
    }
    switch (run.state) {
      case QUEUED -> {
        queue.remove(run);
        run.cancelled = true;
        end(run, JobState.CANCELLED, null, null);
      }
      case RUNNING -> run.cancel();
      default -> throw new JobRejected(409, "job " + id + " has already finished (" + run.state.wireName() + ")");
    }
    return run.json();
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

  /** Frees the worker threads; the jobs are drained by then. */
  public void close() {
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
    retained.addLast(run);
    while (retained.size() > settings.retain()) {
      jobs.remove(retained.pollFirst().id);
    }
  }

  /** Tells every listener of the job's record as it now is; call under this manager's lock. */
  void publish(JobRun run) {
    vertx.eventBus().publish(Addresses.JOBS, run.json());
  }
}
