package io.oneloop.bridge;

import io.oneloop.Addresses;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.RawSocket;
import io.oneloop.testkit.SockJsFrames;
import io.oneloop.support.TestApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.SocketException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static io.oneloop.testkit.BridgeClient.WAIT_SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A peer that never reads cannot hold the server's resources through the back door: a close the
 * server starts ends within {@code bridge.closeTimeoutMs}, and the pongs it is owed for its pings
 * count against {@code bridge.maxQueuedBytes} like messages do.
 */
@ExtendWith(VertxExtension.class)
class ClosingTest {

  private static final String ADDRESS = "feed.video";

  /** The WebSocket transports, with how each counts its sockets and frames a bridge frame. */
  enum Kind {
    RAW(Transport.RAW, BridgeTransport.RAW),
    SOCKJS_WEBSOCKET(Transport.SOCKJS, BridgeTransport.SOCKJS_WEBSOCKET);

    final Transport transport;
    final BridgeTransport counted;

    Kind(Transport transport, BridgeTransport counted) {
      this.transport = transport;
      this.counted = counted;
    }

    void send(RawSocket socket, String frame) throws IOException {
      socket.sendText(this == RAW ? frame : SockJsFrames.encode(frame));
    }
  }

  private static JsonObject bridge(Vertx vertx) throws Exception {
    return vertx.eventBus().<JsonObject>request(Addresses.BRIDGE_SOCKETS, null).await(WAIT_SECONDS, TimeUnit.SECONDS).body();
  }

  /** The open sockets of {@code kind} once they reach {@code expected}, or after a bounded wait. */
  private static int awaitOpen(Vertx vertx, Kind kind, int expected) throws Exception {
    int open = bridge(vertx).getJsonObject("sockets").getInteger(kind.counted.wireName());
    for (int i = 0; i < 200 && open != expected; i++) {
      vertx.timer(50).await(WAIT_SECONDS, TimeUnit.SECONDS);
      open = bridge(vertx).getJsonObject("sockets").getInteger(kind.counted.wireName());
    }
    return open;
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Kind.class)
  @DisplayName("a client closed for breaking a rule while it reads nothing is gone within bridge.closeTimeoutMs, not held open by its queue")
  void closeIsBounded(Kind kind, Vertx vertx) throws Exception {
    // A queue bound far above what is sent, so only the close can end this client.
    TestApp app = TestApp.start(vertx, SlowClientTest.feedConfig(new JsonObject()
      .put("maxQueuedBytes", 256 * 1024 * 1024).put("closeTimeoutMs", 300).put("maxMessageBytes", 1024)));
    BridgeClient reader = BridgeClient.connect(vertx, app.port(), kind.transport).register(ADDRESS);
    reader.request(Addresses.TASKS_LIST, new JsonObject());
    try (RawSocket stalled = RawSocket.connect(app.port(), kind.transport.path(), 4096)) {
      kind.send(stalled, new JsonObject().put("type", "register").put("address", ADDRESS).encode());
      assertEquals(2, awaitOpen(vertx, kind, 2), "both clients are connected");
      // More than the kernel's buffers take, so the close frame waits behind the rest. Once the
      // reader has the last message, every one of them was queued for the stalled client too.
      String chunk = "x".repeat(16 * 1024);
      for (int i = 1; i <= 512; i++) {
        vertx.eventBus().publish(ADDRESS, new JsonObject().put("seq", i).put("chunk", chunk));
      }
      for (int i = 1; i <= 512; i++) {
        assertEquals(i, reader.awaitRec(ADDRESS).getInteger("seq"), "the reader's next message");
      }
      // A frame over bridge.maxMessageBytes: the server closes this client with 1009.
      kind.send(stalled, "x".repeat(2048));

      assertEquals(1, awaitOpen(vertx, kind, 1), "the server let go of the stalled client, and only of it");
      assertTrue(stalled.awaitEnd(TimeUnit.SECONDS.toMillis(WAIT_SECONDS)), "the client's connection was ended");
      assertEquals(0, bridge(vertx).getJsonObject("slowClosed").getInteger(kind.counted.wireName()),
        "closed for the frame it sent, not as a slow reader");
    }
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Kind.class)
  @DisplayName("a client that sends pings and never reads the pongs is closed at bridge.maxQueuedBytes, as a slow reader")
  void pongsCountAgainstTheQueueBound(Kind kind, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, SlowClientTest.feedConfig(new JsonObject().put("maxQueuedBytes", 64 * 1024)));
    byte[] payload = new byte[125];
    Arrays.fill(payload, (byte) 'p');
    try (RawSocket stalled = RawSocket.connect(app.port(), kind.transport.path(), 4096)) {
      int slowClosed = 0;
      // Each batch adds about 125 KiB of pongs; the kernel's buffers take a few MiB before the queue grows.
      for (int batch = 0; batch < 400 && slowClosed == 0; batch++) {
        try {
          for (int i = 0; i < 1000; i++) {
            stalled.sendPing(payload);
          }
        } catch (SocketException reset) {
          // The server ended the connection while this batch went out.
        }
        slowClosed = bridge(vertx).getJsonObject("slowClosed").getInteger(kind.counted.wireName());
      }
      assertEquals(1, slowClosed, "the client was closed as too slow");
      assertEquals(0, awaitOpen(vertx, kind, 0), "the server let go of the client");
      assertTrue(stalled.awaitEnd(TimeUnit.SECONDS.toMillis(WAIT_SECONDS)), "the client's connection was ended");
    }
  }
}
