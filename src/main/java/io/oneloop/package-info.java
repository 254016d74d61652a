/**
 * oneloop: an HTTP API, an event-bus bridge and background tasks in one process.
 * <p>
 * <b>The public surface</b> of this package is {@link io.oneloop.Main} (the process, as
 * {@code java -jar oneloop.jar} starts it), {@link io.oneloop.MainVerticle} (the entry for a Vert.x
 * launcher or an embedding app) and {@link io.oneloop.Addresses} (the event-bus addresses and
 * shared-data names a client or a task may use). With {@code io.oneloop.tasks.Task},
 * {@code io.oneloop.jobs.Job}/{@code JobContext}, {@code io.oneloop.shape.ConfigShape} and
 * {@code io.oneloop.bridge.Authorizer}/{@code AuthRequest}/{@code BridgeTransport} they keep their names and meaning from release to
 * release. Every other class of oneloop, in any package, is inside the app and may change or move
 * without notice.
 * <p>
 * The test kit, {@code io.oneloop.testkit}, is public too (its package comment says what it holds).
 * <p>
 * Packages import downward only: {@code testkit} on top (no class of the app imports it), then
 * {@code Main}/{@code MainVerticle}; {@code app} (the wiring) above {@code http}; {@code supervision},
 * {@code chat}, {@code auth} and {@code cluster} above {@code config}; then {@code tasks},
 * {@code metrics}, {@code bridge} and {@code jobs}; {@code shape}; the leaf tools {@code logging}, {@code base}
 * and {@code text} at the bottom.
 */
package io.oneloop;
