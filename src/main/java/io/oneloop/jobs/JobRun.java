package io.oneloop.jobs;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;

/**
 * One job of this node: its record, kept by its {@link JobManager}, and the {@link JobContext} its
 * work sees. The record changes under the manager's lock; the work reads it from a worker thread.
 */
final class JobRun implements JobContext {

  private static final long PROGRESS_EVERY_NANOS = 1_000_000_000L;

  final String id = UUID.randomUUID().toString();
  final String node;
  final String type;
  final JsonObject params;
  final Job job;
  final Instant createdAt = Instant.now();
  final Promise<JsonObject> done = Promise.promise();
  private final JobManager manager;
  private final Vertx vertx;
  volatile JobState state = JobState.QUEUED;
  volatile double progress;
  volatile Object result;
  volatile String error;
  volatile Instant startedAt;
  volatile Instant endedAt;
  volatile boolean cancelled;
  /** Guarded by the manager's lock: a write of the record to the shared map is under way. */
  boolean storing;
  /** Guarded by the manager's lock: the record changed since the write under way began. */
  boolean storeAgain;
  /** Guarded by the manager's lock: past the retention bound, the record is to be removed. */
  boolean forgotten;
  private double lastPublishedProgress;
  private long lastPublishedAt = System.nanoTime();

  JobRun(JobManager manager, Vertx vertx, String type, JsonObject params, Job job) {
    this.manager = manager;
    this.vertx = vertx;
    this.node = manager.nodeId();
    this.type = type;
    this.params = params;
    this.job = job;
  }

  JsonObject json() {
    return new JsonObject()
      .put("id", id)
      .put("type", type)
      .put("node", node)
      .put("state", state.wireName())
      .put("progress", progress)
      .put("result", result)
      .put("error", error)
      .put("createdAt", createdAt.toString())
      .put("startedAt", startedAt == null ? null : startedAt.toString())
      .put("endedAt", endedAt == null ? null : endedAt.toString());
  }

  /** Asks the work to stop: {@link #cancelled()} turns true and a {@link #sleep} returns at once. */
  synchronized void cancel() {
    cancelled = true;
    notifyAll();
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public JsonObject params() {
    return params;
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void progress(double fraction) {
    double clamped = Double.isNaN(fraction) ? 0 : Math.max(0, Math.min(1, fraction));
    long now = System.nanoTime();
    synchronized (manager) {
      progress = clamped;
      // Small steps are not worth a message to every page, but a slow job still moves every second.
      boolean worthTelling = Math.abs(clamped - lastPublishedProgress) >= 0.01
        || clamped != lastPublishedProgress && now - lastPublishedAt >= PROGRESS_EVERY_NANOS;
      // Under the manager's lock, so no progress record can follow the job's final record.
      if (worthTelling && state == JobState.RUNNING) {
        lastPublishedProgress = clamped;
        lastPublishedAt = now;
        manager.publish(this);
      }
    }
  }

  @Override
  public boolean cancelled() {
    return cancelled;
  }

  @Override
  public synchronized boolean sleep(long ms) throws InterruptedException {
    long deadline = System.nanoTime() + ms * 1_000_000;
    while (!cancelled) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return true;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return false;
  }
}
