package io.oneloop.bench;

import io.oneloop.bridge.AuthRequest;
import io.oneloop.bridge.Authorizer;
import io.vertx.core.Future;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The authorizer of the {@code oneloop-sockjs-authorizer} variant ({@code bridge.authorizer}): it
 * allows every request, after the work a cheap real authorizer does before it answers, so that
 * the variant measures the bridge's authorizer path and not an empty method. It finds the rule
 * for the address (the longest dotted prefix in a small table, as a per-area policy would), looks
 * at the user and, on connect, at one handshake header, and counts the requests per action. Every
 * rule allows, so the bench's connects and registers all pass. One instance serves every event
 * loop: its state is immutable or thread-safe.
 */
public class BenchAuthorizer implements Authorizer {

  private static final Future<Boolean> ALLOW = Future.succeededFuture(true);
  /** Address prefix to whether anonymous users may use it ("" is every other address). */
  private static final Map<String, Boolean> RULES = Map.of(
      "bench", true, "bench.ticks", true, "oneloop", true, "", true);

  private final LongAdder[] asked = new LongAdder[AuthRequest.Action.values().length];

  public BenchAuthorizer() {
    for (int i = 0; i < asked.length; i++) {
      asked[i] = new LongAdder();
    }
  }

  @Override
  public Future<Boolean> authorize(AuthRequest request) {
    asked[request.action().ordinal()].increment();
    if (request.action() == AuthRequest.Action.CONNECT) {
      String agent = request.headers() == null ? null : request.headers().get("User-Agent");
      return agent != null && agent.length() > 1024 ? Future.succeededFuture(rule("")) : ALLOW;
    }
    boolean allowed = request.user() != null || rule(request.address());
    return allowed ? ALLOW : Future.succeededFuture(false);
  }

  /** The rule of the longest prefix of {@code address} (whole dotted segments) in the table. */
  private static boolean rule(String address) {
    String at = address == null ? "" : address;
    while (true) {
      Boolean r = RULES.get(at);
      if (r != null) {
        return r;
      }
      int dot = at.lastIndexOf('.');
      at = dot < 0 ? "" : at.substring(0, dot);
    }
  }

  /** How many requests of {@code action} this instance was asked about. */
  public long asked(AuthRequest.Action action) {
    return asked[action.ordinal()].sum();
  }
}
