package io.oneloop.jobs;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;

/**
 * One job of this node: its record, which it changes itself (queued, {@link #begin}, {@link #progress},
 * {@link #finish}) and tells its {@link Listener} of, and the {@link JobContext} its work sees. The
 * record changes under the lock it is given (its queue's); the work reads it from a worker thread.
 */
final class JobRun implements JobContext {

  /** Hears every change of the record, under the lock; the first record too, when the run is accepted. */
  interface Listener {
    void changed(JobRun run);
  }

  private static final long PROGRESS_EVERY_NANOS = 1_000_000_000L;

  final String id = UUID.randomUUID().toString();
  final String node;
  final String type;
  final JsonObject params;
  final Job job;
  final Instant createdAt = Instant.now();
  final Promise<JsonObject> done = Promise.promise();
  /** The lock every change of the record is made under, so no record can follow the job's final one. */
  private final Object lock;
  private final Listener listener;
  private final Vertx vertx;
  private final MeterRegistry meters;
  private volatile JobState state = JobState.QUEUED;
  private volatile double progress;
  private volatile Object result;
  private volatile String error;
  private volatile Instant startedAt;
  private volatile Instant endedAt;
  private volatile boolean cancelled;
  /** Guarded by the lock: a write of the record to the shared map is under way. */
  boolean storing;
  /** Guarded by the lock: the record changed since the write under way began. */
  boolean storeAgain;
  /** Guarded by the lock: past the retention bound, the record is to be removed. */
  boolean forgotten;
  private double lastPublishedProgress;
  private long lastPublishedAt = System.nanoTime();

  JobRun(Object lock, Listener listener, Vertx vertx, MeterRegistry meters, String node, String type, JsonObject params, Job job) {
    this.meters = meters;
    this.lock = lock;
    this.listener = listener;
    this.vertx = vertx;
    this.node = node;
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

  JobState state() {
    return state;
  }

  Instant endedAt() {
    return endedAt;
  }

  /** The work starts on a worker thread; call under the lock. */
  void begin() {
    state = JobState.RUNNING;
    startedAt = Instant.now();
    listener.changed(this);
  }

  /** The job ends in {@code end}, with its result or error, and its {@link #done} completes; call under the lock. */
  void finish(JobState end, Object result, String error) {
    this.state = end;
    this.result = result;
    this.error = error;
    this.endedAt = Instant.now();
    if (end == JobState.SUCCEEDED) {
      progress = 1;
    }
    listener.changed(this);
    done.tryComplete(json());
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
  public MeterRegistry meters() {
    return meters;
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public void progress(double fraction) {
    double clamped = Double.isNaN(fraction) ? 0 : Math.max(0, Math.min(1, fraction));
    long now = System.nanoTime();
    synchronized (lock) {
      progress = clamped;
      // Small steps are not worth a message to every page, but a slow job still moves every second.
      boolean worthTelling = Math.abs(clamped - lastPublishedProgress) >= 0.01
        || clamped != lastPublishedProgress && now - lastPublishedAt >= PROGRESS_EVERY_NANOS;
      // Under the lock, so no progress record can follow the job's final record.
      if (worthTelling && state == JobState.RUNNING) {
        lastPublishedProgress = clamped;
        lastPublishedAt = now;
        listener.changed(this);
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
