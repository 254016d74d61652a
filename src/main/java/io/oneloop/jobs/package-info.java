/**
 * Jobs: one-off work started over the API, queued and run on worker threads.
 * <p>
 * <b>The public surface</b> of this package is {@link io.oneloop.jobs.Job} (what a job type of
 * your own implements, named in {@code jobs.types}), {@link io.oneloop.jobs.JobContext} (what its
 * work sees) and {@link io.oneloop.jobs.JobCancelledException} (which the context's cancel check
 * throws); their names and methods stay from release to release. Everything else here (the queue,
 * the shared records, the built-in job types) is inside the app and may change without notice.
 */
package io.oneloop.jobs;
