package io.oneloop.support;

import io.oneloop.Addresses;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A well-behaved client on the ticker, to show that whatever another client does, its stream goes on. */
public final class Bystander implements AutoCloseable {

  private final BridgeClient client;

  private Bystander(BridgeClient client) {
    this.client = client;
  }

  public static Bystander watch(Vertx vertx, int port) throws Exception {
    return watch(vertx, port, null);
  }

  /** With a query on the bridge URL, e.g. its token. */
  public static Bystander watch(Vertx vertx, int port, String query) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, port, Transport.RAW, query, Map.of()).register(Addresses.TICKER);
    client.awaitRec(Addresses.TICKER);
    return new Bystander(client);
  }

  /** Two ticks arrive after this call, each later than the one before. */
  public void assertTicking() throws Exception {
    client.takeBacklog();
    long first = client.awaitRec(Addresses.TICKER).getLong("seq");
    long second = client.awaitRec(Addresses.TICKER).getLong("seq");
    assertTrue(second > first, "the ticks go on in order");
  }

  @Override
  public void close() {
    client.close();
  }
}
