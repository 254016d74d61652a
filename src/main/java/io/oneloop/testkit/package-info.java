/**
 * The test kit: {@link io.oneloop.testkit.OneloopExtension}, a JUnit 5 extension that starts
 * oneloop in-process for a test, and {@link io.oneloop.testkit.BridgeClient}, a client of the
 * event-bus bridge over a raw WebSocket or SockJS ({@link io.oneloop.testkit.Transport}).
 * <p>
 * <b>Public surface:</b> these classes keep their names and meaning from release to release, like
 * the API named in {@code io.oneloop}'s package comment ({@link io.oneloop.testkit.SockJsFrames}
 * is the kit's reading of SockJS's framing, public for tests that speak it by hand). The kit is
 * built on JUnit 5 and vertx-junit5, optional dependencies of oneloop: an app that tests with it
 * adds {@code org.junit.jupiter:junit-jupiter} with test scope.
 * <p>
 * It stands above every other package: it may use any of them, and no class of the app imports it.
 */
package io.oneloop.testkit;
