package io.oneloop.supervision;

import io.oneloop.config.RestartPolicy;
import io.oneloop.supervision.RestartWindow.Decision;
import io.oneloop.supervision.RestartWindow.GiveUp;
import io.oneloop.supervision.RestartWindow.Restart;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The restart window on injected times: each scenario is a policy and the ends or failures it is told of. */
class RestartWindowTest {

  private static final long MS = 1_000_000L;

  /** An end or failure at {@code nanoTime}, and what the window should answer. */
  private record Step(long nanoTime, Decision expected) {
  }

  private static Step at(long ms, Decision expected) {
    return new Step(ms * MS, expected);
  }

  private static Arguments scenario(String sentence, RestartPolicy policy, Step... steps) {
    return Arguments.of(sentence, policy, List.of(steps));
  }

  private static RestartPolicy policy(int maxRestarts, long withinMs, long backoffMs, long maxBackoffMs) {
    return new RestartPolicy(RestartPolicy.Kind.ALWAYS, maxRestarts, withinMs, backoffMs, maxBackoffMs);
  }

  static Stream<Arguments> scenarios() {
    long nearTheWrap = Long.MAX_VALUE - 5 * MS;
    return Stream.of(
      scenario("each restart within the window waits twice as long as the one before, up to maxBackoffMs",
        policy(10, 60_000, 100, 300),
        at(0, new Restart(100)), at(1_000, new Restart(200)), at(2_000, new Restart(300)), at(3_000, new Restart(300))),
      scenario("with maxRestarts restarts already within withinMs the next end or failure gives up, naming how many",
        policy(2, 60_000, 10, 1000),
        at(0, new Restart(10)), at(100, new Restart(20)), at(200, new GiveUp(2))),
      scenario("maxRestarts 0 gives up at the first end or failure",
        policy(0, 60_000, 10, 1000),
        at(0, new GiveUp(0))),
      // The two restarts are due at 100 ms and 700 ms: at 1,700 ms both have left the window.
      scenario("restarts older than withinMs no longer count: the task is restarted again, with the first backoff",
        policy(2, 1_000, 100, 1000),
        at(0, new Restart(100)), at(500, new Restart(200)), at(1_700, new Restart(100))),
      // Due at 500 ms, so still within the window at 1,499 ms, and out of it at 1,500 ms.
      scenario("a restart counts from when it is due, after its backoff, not from the end that asked for it",
        policy(1, 1_000, 500, 500),
        at(0, new Restart(500)), at(1_499, new GiveUp(1)), at(1_500, new Restart(500))),
      scenario("the window works across a wrap of System.nanoTime",
        policy(1, 1_000, 10, 10),
        new Step(nearTheWrap, new Restart(10)), new Step(nearTheWrap + 500 * MS, new GiveUp(1)),
        new Step(nearTheWrap + 2_000 * MS, new Restart(10))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  @DisplayName("the restart window answers each end or failure with a restart after a backoff, or gives up")
  void answers(String sentence, RestartPolicy policy, List<Step> steps) {
    RestartWindow window = new RestartWindow(policy);
    List<Decision> answered = new ArrayList<>();
    steps.forEach(step -> answered.add(window.record(step.nanoTime())));
    assertEquals(steps.stream().map(Step::expected).toList(), answered, sentence);
  }
}
