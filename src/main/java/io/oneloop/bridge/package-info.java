/**
 * The event-bus bridge engine: every transport, the same frames, permissions and limits.
 * <p>
 * <b>The public surface</b> of this package is {@link io.oneloop.bridge.Authorizer} (what a class
 * named in {@code bridge.authorizer} implements) and {@link io.oneloop.bridge.AuthRequest} (what it
 * is asked, with the {@link io.oneloop.bridge.BridgeTransport} a socket came by); their names and methods stay from release to release. Everything else here is inside
 * the app and may change without notice.
 */
package io.oneloop.bridge;
