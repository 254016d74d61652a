package io.oneloop.bridge;

import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.RawSocket;
import io.oneloop.support.TestApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.oneloop.testkit.BridgeClient.isRec;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Who is subscribed to an address of bridge.presence: entries, join/leave frames, the API and request/reply, the bounds. */
@ExtendWith(VertxExtension.class)
class PresenceTest {

  private static final String CHAT = "oneloop.chat";
  private static final String ROOM = "room.1";

  static JsonObject presenceConfig(int maxEntries, int maxPerAddress) {
    return TestApp.config().put("bridge", new JsonObject()
      .put("presence", new JsonArray().add(new JsonObject().put("address", CHAT).put("joinLeave", true))
        .add(new JsonObject().put("addressRegex", "room\\..+")))
      .put("maxPresenceEntries", maxEntries)
      .put("maxPresencePerAddress", maxPerAddress)
      .put("outbound", new JsonArray().add(new JsonObject().put("address", CHAT)).add(new JsonObject().put("addressRegex", "room\\..+")).add(new JsonObject().put("address", "plain")))
      .put("inbound", new JsonArray().add(new JsonObject().put("address", "oneloop.presence"))));
  }

  static HttpResponse<Buffer> call(Vertx vertx, int port, HttpMethod method, String path, String body) throws Exception {
    var request = WebClient.create(vertx).request(method, port, "127.0.0.1", path);
    if (body != null) {
      request.putHeader("Content-Type", "application/json");
    }
    return (body == null ? request.send() : request.sendBuffer(Buffer.buffer(body))).await(10, TimeUnit.SECONDS);
  }

  static JsonObject presence(Vertx vertx, int port, String address) throws Exception {
    HttpResponse<Buffer> response = call(vertx, port, HttpMethod.GET, "/api/presence/" + address, null);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  private static boolean presenceFrame(JsonObject frame, String kind) {
    return BridgeClient.isPresence(CHAT, kind).test(frame);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  @DisplayName("a subscriber's join and leave reach the others as unnumbered rec frames, and the list shows who is there")
  void joinAndLeave(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, presenceConfig(100, 100));
    BridgeClient alice = BridgeClient.connect(vertx, app.port(), transport);
    alice.register(CHAT, new JsonObject().put("oneloop.name", " Alice "));
    JsonObject own = alice.await(f -> presenceFrame(f, "join"));
    assertEquals("Alice", own.getJsonObject("body").getString("name"));

    BridgeClient bob = BridgeClient.connect(vertx, app.port(), transport);
    // A name the chat would refuse is shown as null.
    bob.register(CHAT, new JsonObject().put("oneloop.name", "bob\u202e"));
    JsonObject join = alice.await(f -> presenceFrame(f, "join"));
    JsonObject entry = join.getJsonObject("body");
    assertEquals(List.of("connId", "name", "node", "since", "user"), entry.fieldNames().stream().sorted().toList());
    assertNull(entry.getString("name"));
    assertNull(entry.getString("user"));
    assertEquals("local", entry.getString("node"));
    assertNull(join.getJsonObject("headers").getString("oneloop.seq"), "a presence event is not numbered");

    JsonObject listed = presence(vertx, app.port(), CHAT);
    assertEquals(CHAT, listed.getString("address"));
    assertEquals(2, listed.getInteger("count"));
    assertEquals("Alice", listed.getJsonArray("entries").getJsonObject(0).getString("name"));

    // The same to a page, by request/reply.
    JsonObject reply = alice.request("oneloop.presence", new JsonObject().put("address", CHAT));
    assertEquals(listed, reply.getJsonObject("body"));

    bob.close();
    JsonObject leave = alice.await(f -> presenceFrame(f, "leave"));
    assertEquals(entry.getString("connId"), leave.getJsonObject("body").getString("connId"));
    await().atMost(Duration.ofSeconds(10)).until(() -> presence(vertx, app.port(), CHAT).getInteger("count") == 1);
    alice.close();
  }

  @Test
  @DisplayName("presence is answered only for an address the socket may register for, and 404 for one not tracked")
  void whoMayAsk(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, presenceConfig(100, 100));
    BridgeClient client = BridgeClient.connect(vertx, app.port());
    JsonObject forbidden = client.request("oneloop.presence", new JsonObject().put("address", "secret.room"));
    assertEquals("err", forbidden.getString("type"));
    assertEquals(403, forbidden.getInteger("failureCode"));
    // Permitted outbound, but not tracked.
    JsonObject untracked = client.request("oneloop.presence", new JsonObject().put("address", "plain"));
    assertEquals(404, untracked.getInteger("failureCode"));
    assertEquals(400, client.request("oneloop.presence", "room.1").getInteger("failureCode"));
    assertEquals(404, call(vertx, app.port(), HttpMethod.GET, "/api/presence/plain", null).statusCode());
    // Registered on a regex address: listed under it, URL-encoded in the path; no join events there.
    client.register("room.a/b");
    await().atMost(Duration.ofSeconds(10)).until(() -> presence(vertx, app.port(), "room.a%2Fb").getInteger("count") == 1);
    assertTrue(client.backlog().stream().noneMatch(f -> f.getJsonObject("headers") != null), client.backlog().toString());
    client.close();
  }

  @Test
  @DisplayName("a client whose connection is reset leaves the list and the others get its leave")
  void killedClientLeaves(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, presenceConfig(100, 100));
    BridgeClient watcher = BridgeClient.connect(vertx, app.port());
    watcher.register(CHAT);
    watcher.await(f -> presenceFrame(f, "join"));
    RawSocket killed = RawSocket.connect(app.port(), "/eventbus/websocket", 64 * 1024);
    killed.sendText(new JsonObject().put("type", "register").put("address", CHAT).encode());
    String connId = watcher.await(f -> presenceFrame(f, "join")).getJsonObject("body").getString("connId");
    killed.abort();
    JsonObject leave = watcher.await(f -> presenceFrame(f, "leave"));
    assertEquals(connId, leave.getJsonObject("body").getString("connId"));
    await().atMost(Duration.ofSeconds(10)).until(() -> presence(vertx, app.port(), CHAT).getInteger("count") == 1);
    watcher.close();
  }

  @Test
  @DisplayName("past bridge.maxPresencePerAddress and bridge.maxPresenceEntries a register works but is not tracked, and entries go back")
  void boundsHold(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, presenceConfig(3, 2));
    List<BridgeClient> clients = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      BridgeClient client = BridgeClient.connect(vertx, app.port());
      client.register(ROOM);
      clients.add(client);
    }
    BridgeClient other = BridgeClient.connect(vertx, app.port());
    other.register("room.2");
    // Sockets may be on different event loops: room.2 takes the last entry before room.3 is asked for.
    await().atMost(Duration.ofSeconds(10)).until(() -> presence(vertx, app.port(), "room.2").getInteger("count") == 1);
    BridgeClient third = BridgeClient.connect(vertx, app.port());
    third.register("room.3");
    await().atMost(Duration.ofSeconds(10)).until(() -> gauge(vertx, app.port(), "oneloop_presence_untracked_total") == 2.0);
    assertEquals(2, presence(vertx, app.port(), ROOM).getInteger("count"));
    assertEquals(0, presence(vertx, app.port(), "room.3").getInteger("count"), "the process holds 3 entries at most");
    assertEquals(3.0, gauge(vertx, app.port(), "oneloop_presence_entries"));
    assertEquals(2.0, gauge(vertx, app.port(), "oneloop_presence_untracked_total"), "the third in room.1 and the one in room.3");
    // Not tracked, but subscribed: every client gets the room's messages.
    vertx.eventBus().publish(ROOM, new JsonObject().put("n", 1));
    for (BridgeClient client : clients) {
      assertEquals(1, client.awaitRec(ROOM).getInteger("n"));
    }
    clients.get(0).unregister(ROOM);
    other.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> gauge(vertx, app.port(), "oneloop_presence_entries") == 1.0);
    // Room for new entries again.
    BridgeClient later = BridgeClient.connect(vertx, app.port());
    later.register("room.4");
    await().atMost(Duration.ofSeconds(10)).until(() -> presence(vertx, app.port(), "room.4").getInteger("count") == 1);
    clients.forEach(BridgeClient::close);
    third.close();
    later.close();
  }

  static double gauge(Vertx vertx, int port, String name) throws Exception {
    String text = call(vertx, port, HttpMethod.GET, "/metrics", null).bodyAsString();
    Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(text);
    assertTrue(m.find(), name + " not in /metrics");
    return Double.parseDouble(m.group(1));
  }

  @Test
  @DisplayName("POST /api/disconnect closes the connection with 4403 and its reason and counts it")
  void disconnect(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, presenceConfig(100, 100));
    BridgeClient client = BridgeClient.connect(vertx, app.port(), Transport.SOCKJS);
    client.register(CHAT);
    client.await(f -> presenceFrame(f, "join"));
    String connId = presence(vertx, app.port(), CHAT).getJsonArray("entries").getJsonObject(0).getString("connId");
    assertEquals(400, call(vertx, app.port(), HttpMethod.POST, "/api/disconnect", "{\"reason\":\"x\"}").statusCode());
    HttpResponse<Buffer> response = call(vertx, app.port(), HttpMethod.POST, "/api/disconnect",
      new JsonObject().put("connId", connId).put("reason", "spam").encode());
    assertEquals(200, response.statusCode(), response.bodyAsString());
    assertEquals(new JsonObject().put("closed", 1), response.bodyAsJsonObject());
    BridgeClient.Closed closed = client.closed().await(10, TimeUnit.SECONDS);
    assertEquals(4403, closed.code());
    assertEquals("spam", closed.reason());
    assertEquals(1.0, gauge(vertx, app.port(), "oneloop_disconnects_total"));
    await().atMost(Duration.ofSeconds(10)).until(() -> presence(vertx, app.port(), CHAT).getInteger("count") == 0);
    assertEquals(new JsonObject().put("closed", 0), call(vertx, app.port(), HttpMethod.POST, "/api/disconnect",
      new JsonObject().put("user", "nobody").encode()).bodyAsJsonObject());
  }

  @Test
  @DisplayName("GET /api/history/{address} reads this node's kept messages after since, oldest first, within limit")
  void historyRead(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, TestApp.config());
    for (int i = 1; i <= 3; i++) {
      vertx.eventBus().publish("oneloop.jobs", new JsonObject().put("n", i));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> call(vertx, app.port(), HttpMethod.GET, "/api/history/oneloop.jobs", null)
      .bodyAsJsonObject().getJsonArray("messages").size() == 3);
    JsonObject all = call(vertx, app.port(), HttpMethod.GET, "/api/history/oneloop.jobs", null).bodyAsJsonObject();
    assertEquals("oneloop.jobs", all.getString("address"));
    assertNotNull(all.getString("epoch"));
    long first = all.getJsonArray("messages").getJsonObject(0).getLong("seq");
    JsonObject page = call(vertx, app.port(), HttpMethod.GET, "/api/history/oneloop.jobs?since=" + first + "&limit=1", null)
      .bodyAsJsonObject();
    JsonArray messages = page.getJsonArray("messages");
    assertEquals(1, messages.size());
    JsonObject message = messages.getJsonObject(0);
    assertEquals(first + 1, message.getLong("seq"));
    assertEquals(new JsonObject().put("n", 2), message.getJsonObject("body"));
    assertEquals(Long.toString(first + 1), message.getJsonObject("headers").getString("oneloop.seq"));
    for (String bad : List.of("limit=0", "limit=1001", "limit=x", "since=-1", "since=1&since=2")) {
      HttpResponse<Buffer> response = call(vertx, app.port(), HttpMethod.GET, "/api/history/oneloop.jobs?" + bad, null);
      assertEquals(400, response.statusCode(), bad);
      assertTrue(response.bodyAsJsonObject().containsKey("error"));
    }
    assertEquals(404, call(vertx, app.port(), HttpMethod.GET, "/api/history/nothing.here", null).statusCode());
  }

  @Test
  @DisplayName("/oneloop-bus.d.ts is served beside /oneloop-bus.js as application/typescript")
  void declarationsServed(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, TestApp.config());
    HttpResponse<Buffer> response = call(vertx, app.port(), HttpMethod.GET, "/oneloop-bus.d.ts", null);
    assertEquals(200, response.statusCode());
    assertTrue(response.getHeader("Content-Type").startsWith("application/typescript"), response.getHeader("Content-Type"));
    assertTrue(response.bodyAsString().contains("export declare class Bus"), "the declarations of the module");
    assertFalse(response.bodyAsString().isEmpty());
  }
}
