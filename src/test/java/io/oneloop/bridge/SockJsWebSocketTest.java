package io.oneloop.bridge;

import io.netty.buffer.ByteBuf;
import io.oneloop.bridge.BridgeOptions;
import io.oneloop.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.sockjs.impl.JsonCodec;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.oneloop.support.TestApp.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SockJS's own framing on the engine's WebSocket transport, against an engine with short clocks
 * (heartbeat and ping timeout) so their effects show within a test; and which paths reach it.
 */
@ExtendWith(VertxExtension.class)
class SockJsWebSocketTest {

  private static final long WAIT = 10;
  private static final BridgePermissions PERMISSIONS = BridgePermissions.fromJson(new JsonObject()
    .put("outbound", new JsonArray().add(new JsonObject().put("addressRegex", "feed\\..+")))
    .put("inbound", new JsonArray()));

  /** An engine on its own HTTP server, heartbeats every 200 ms, a ping timeout of {@code pingTimeoutMs}; returns its port. */
  private static int engine(Vertx vertx, long pingTimeoutMs) throws Exception {
    EngineServer server = new EngineServer(pingTimeoutMs);
    vertx.deployVerticle(server).await(WAIT, TimeUnit.SECONDS);
    return server.server.actualPort();
  }

  private static final class EngineServer extends VerticleBase {
    private final long pingTimeoutMs;
    private HttpServer server;

    EngineServer(long pingTimeoutMs) {
      this.pingTimeoutMs = pingTimeoutMs;
    }

    @Override
    public Future<?> start() {
      FanoutBridge engine = new FanoutBridge(vertx, new BridgeOptions(PERMISSIONS, BridgeOptions.DEFAULT_MAX_QUEUED_BYTES),
        new FanoutBridge.Timing(pingTimeoutMs, 200), new BridgeSockets().newInstance());
      server = vertx.createHttpServer().requestHandler(request -> request.toWebSocket()
        .onSuccess(ws -> engine.accept(BridgePaths.webSocketTransport(request.path()), ws)));
      return server.listen(0, "127.0.0.1");
    }
  }

  @Test
  @DisplayName("a SockJS session opens with o, gets each message as a[...] and a heartbeat h at the handler's interval")
  void openMessagesHeartbeats(Vertx vertx) throws Exception {
    int port = engine(vertx, 60_000);
    Session session = connect(vertx, port, "/eventbus/123/abcdefgh/websocket");
    assertEquals("o", session.next());
    session.send(new JsonArray().add(register("feed.a")).encode());
    String frame = firstDelivery(vertx, session, "feed.a");
    assertTrue(frame.startsWith("a["), frame);
    JsonObject rec = new JsonObject(new JsonArray(frame.substring(1)).getString(0));
    assertEquals(new JsonObject().put("type", "rec").put("address", "feed.a").put("body", new JsonObject().put("n", 1)), rec);
    // Heartbeats come by themselves, with nothing else to send.
    String next = session.next();
    while (!"h".equals(next)) {
      next = session.next();
    }
  }

  @Test
  @DisplayName("a client frame may be a JSON array of strings or one JSON string; empty frames and [] are ignored")
  void clientFrames(Vertx vertx) throws Exception {
    int port = engine(vertx, 60_000);
    Session session = connect(vertx, port, "/eventbus/1/session1/websocket");
    assertEquals("o", session.next());
    session.send("");
    session.send("[]");
    // One JSON string, and an array carrying two bridge frames.
    session.send(Json.encode(register("feed.one")));
    session.send(new JsonArray().add(register("feed.two")).add("{\"type\":\"nonsense\",\"address\":\"x\"}").encode());
    String err = session.nextMessage();
    assertEquals(new JsonObject().put("type", "err").put("body", "invalid_type"), new JsonObject(new JsonArray(err.substring(1)).getString(0)));
    assertTrue(firstDelivery(vertx, session, "feed.one").contains("feed.one"));
    assertTrue(firstDelivery(vertx, session, "feed.two").contains("feed.two"));
    assertTrue(!session.closed().isComplete(), "still open");
  }

  @Test
  @DisplayName("framing that is not SockJS's (broken JSON, an object, an array of numbers, binary) ends the connection")
  void brokenFraming(Vertx vertx) throws Exception {
    int port = engine(vertx, 60_000);
    for (String broken : List.of("[\"a", "{\"type\":\"ping\"}", "[1,2]", "x")) {
      Session session = connect(vertx, port, "/eventbus/1/broken/websocket");
      assertEquals("o", session.next());
      session.send(broken);
      session.closed().await(WAIT, TimeUnit.SECONDS);
    }
    Session binary = connect(vertx, port, "/eventbus/1/binary/websocket");
    assertEquals("o", binary.next());
    binary.ws().writeBinaryMessage(Buffer.buffer("[\"{}\"]"));
    binary.closed().await(WAIT, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a session that sends no ping within the timeout gets SockJS's close frame c[3000,\"Go away!\"], then the connection ends")
  void pingTimeout(Vertx vertx) throws Exception {
    int port = engine(vertx, 300);
    Session session = connect(vertx, port, "/eventbus/1/quiet/websocket");
    assertEquals("o", session.next());
    assertEquals("c[3000,\"Go away!\"]", session.nextMessage());
    session.closed().await(WAIT, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("messages are escaped exactly as Vert.x's SockJS server escapes them, so a client sees the same bytes")
  void escapingAsVertx() {
    StringBuilder every = new StringBuilder("{\"s\":\"");
    for (char c = 0; c < 0xFFFF; c++) {
      every.append(c);
    }
    every.append("\"}");
    for (String text : List.of("{\"type\":\"rec\",\"body\":\"plain\"}", "{\"body\":\"\\n\\t\\\"\\\\ \u00e9\u20ac\u2028\ud83d\ude00\"}", every.toString())) {
      ByteBuf frame = Frames.sockJsArray(text);
      try {
        assertEquals("a" + JsonCodec.encode(new String[] {text}), new String(Frames.payload(frame), StandardCharsets.US_ASCII));
      } finally {
        frame.release();
      }
    }
  }

  @Test
  @DisplayName("every spelling of a bridge WebSocket path the router would take reaches the engine, counted by its transport")
  void pathSpellings(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, config());
    List<String> raw = List.of("/eventbus/websocket", "/eventbus//websocket", "/eventbus/./websocket", "/%65ventbus/websocket",
      "/eventbus/websocket/", "/eventbus/x/../websocket");
    List<String> sockJs = List.of("/eventbus/1/abc/websocket", "/eventbus/1//abc/websocket", "/eventbus/./1/abc/websocket",
      "/eventbus/1/a%62c/websocket");
    for (String path : raw) {
      connect(vertx, app.port(), path);
    }
    for (String path : sockJs) {
      assertEquals("o", connect(vertx, app.port(), path).next(), path);
    }
    WebClient http = WebClient.create(vertx);
    JsonObject sockets = new JsonObject();
    for (int i = 0; i < 100 && !sockets.equals(expectedSockets(raw.size(), sockJs.size())); i++) {
      sockets = http.get(app.port(), "127.0.0.1", "/api/bridge").send().await(WAIT, TimeUnit.SECONDS).bodyAsJsonObject()
        .getJsonObject("sockets");
      if (!sockets.equals(expectedSockets(raw.size(), sockJs.size()))) {
        vertx.timer(50).await(WAIT, TimeUnit.SECONDS);
      }
    }
    assertEquals(expectedSockets(raw.size(), sockJs.size()), sockets);
  }

  private static JsonObject expectedSockets(int raw, int sockJs) {
    return new JsonObject().put("raw", raw).put("sockjs-websocket", sockJs).put("sockjs-fallback", 0);
  }

  @Test
  @DisplayName("paths are judged as the router normalizes them")
  void pathRules() {
    assertEquals(BridgeTransport.RAW, BridgePaths.webSocketTransport("/eventbus/websocket"));
    assertEquals(BridgeTransport.RAW, BridgePaths.webSocketTransport("//eventbus/%2E/websocket"));
    assertEquals(BridgeTransport.SOCKJS_WEBSOCKET, BridgePaths.webSocketTransport("/eventbus/000/x/../y/websocket"));
    assertEquals(null, BridgePaths.webSocketTransport("/eventbus/1/a.b/websocket"));
    assertEquals(null, BridgePaths.webSocketTransport("/eventbus/1/a/websocket/"));
    assertEquals(null, BridgePaths.webSocketTransport("/eventbus%2Fwebsocket"));
    assertEquals(null, BridgePaths.webSocketTransport("/eventbusx/websocket"));
    assertEquals(null, BridgePaths.webSocketTransport(null));
  }

  /** The text frames a SockJS WebSocket client received, in order, and whether it was closed. */
  private record Session(WebSocket ws, BlockingQueue<String> frames, Future<Void> closed) {

    String next() throws InterruptedException {
      String frame = frames.poll(WAIT, TimeUnit.SECONDS);
      assertNotNull(frame, "a frame within " + WAIT + " s");
      return frame;
    }

    /** The next frame that is not a heartbeat. */
    String nextMessage() throws InterruptedException {
      String frame = next();
      while ("h".equals(frame)) {
        frame = next();
      }
      return frame;
    }

    void send(String text) {
      ws.writeTextMessage(text);
    }
  }

  /** Closed after each test: an HTTP server's shutdown would otherwise wait out its grace period for them. */
  private final List<WebSocketClient> clients = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeClients() throws Exception {
    for (WebSocketClient client : clients) {
      client.close().await(WAIT, TimeUnit.SECONDS);
    }
  }

  private Session connect(Vertx vertx, int port, String path) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    clients.add(client);
    BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    Promise<Void> closed = Promise.promise();
    // Handlers before the connection: the "o" can come with the handshake's answer, before any
    // code after connect() could set them, and a WebSocket drops what comes before its handler.
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(frames::add);
    ws.closeHandler(v -> closed.tryComplete());
    ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path)).await(WAIT, TimeUnit.SECONDS);
    return new Session(ws, frames, closed.future());
  }

  private static String register(String address) {
    return new JsonObject().put("type", "register").put("address", address).encode();
  }

  /** Publishes until the session's first delivery arrives (the registration is asynchronous), bounded. */
  private String firstDelivery(Vertx vertx, Session session, String address) throws Exception {
    long timer = vertx.setPeriodic(50, id -> vertx.eventBus().publish(address, new JsonObject().put("n", 1)));
    try {
      return session.nextMessage();
    } finally {
      vertx.cancelTimer(timer);
    }
  }
}
