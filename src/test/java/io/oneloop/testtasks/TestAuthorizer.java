package io.oneloop.testtasks;

import io.oneloop.bridge.AuthRequest;
import io.oneloop.bridge.Authorizer;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * An authorizer that answers by the address's first segment: {@code allow.*} yes, {@code deny.*}
 * no, {@code throw.*} throws, {@code fail.*} fails its future, {@code hang.*} never answers; a
 * connect whose handshake carries {@code X-Deny} is denied. It blocks nothing.
 */
public class TestAuthorizer implements Authorizer {

  @Override
  public Future<Boolean> authorize(AuthRequest request) {
    if (request.action() == AuthRequest.Action.CONNECT) {
      return Future.succeededFuture(!request.headers().contains("X-Deny"));
    }
    String address = request.address();
    if (address.startsWith("throw.")) {
      throw new IllegalStateException("the authorizer broke");
    }
    if (address.startsWith("fail.")) {
      return Future.failedFuture("the authorizer failed");
    }
    if (address.startsWith("hang.")) {
      return Promise.<Boolean>promise().future();
    }
    return Future.succeededFuture(!address.startsWith("deny."));
  }
}
