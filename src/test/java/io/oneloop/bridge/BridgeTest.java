package io.oneloop.bridge;

import io.oneloop.Addresses;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.testkit.BridgeClient.Closed;
import io.oneloop.support.EveryTransport;
import io.oneloop.support.LogCapture;
import io.oneloop.support.TestApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.impl.MessageConsumerImpl;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.oneloop.testkit.BridgeClient.isRec;
import static io.oneloop.support.TestApp.config;
import static io.oneloop.support.TestApp.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The event-bus bridge as its clients see it, once over each transport: the same frames,
 * permissions, replies and errors whichever way a client connects.
 */
@ExtendWith(VertxExtension.class)
class BridgeTest {

  private static final long WAIT = BridgeClient.WAIT_SECONDS;

  private static JsonObject tickerConfig() {
    return config(task("ticker", "ticker", new JsonObject().put("intervalMs", 50)));
  }

  /**
   * Clients may receive from {@code feed.*} and send to {@code sensor.in.*} and the task list, and
   * as fast as the handler-limit test sends (1000 registrations at once).
   */
  private static JsonObject feedConfig() {
    return config().put("bridge", new JsonObject().put("maxInboundPerSecond", 100_000)
      .put("outbound", new JsonArray().add(new JsonObject().put("addressRegex", "feed\\..+")))
      .put("inbound", new JsonArray()
        .add(new JsonObject().put("address", Addresses.TASKS_LIST))
        .add(new JsonObject().put("addressRegex", "sensor\\.in\\..+"))));
  }

  /** Proves every frame the client sent so far has been handled: the bridge takes a socket's frames in order. */
  private static void roundTrip(BridgeClient client) throws Exception {
    assertTrue(client.request(Addresses.TASKS_LIST, new JsonObject()).getJsonObject("body").containsKey("tasks"));
  }

  private static BridgeClient subscribed(Vertx vertx, TestApp app, Transport transport, String address) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport).register(address);
    roundTrip(client);
    return client;
  }

  private static void consume(Vertx vertx, String address, List<Message<Object>> into) throws Exception {
    vertx.eventBus().consumer(address, into::add).completion().await(WAIT, TimeUnit.SECONDS);
  }

  /** Bounded polling of the bridge's count of open sockets over {@code transport}. */
  private static void awaitSockets(Vertx vertx, Transport transport, int expected) throws Exception {
    String name = transport == Transport.RAW ? "raw" : "sockjs-websocket";
    int sockets = -1;
    for (int i = 0; i < 100 && sockets != expected; i++) {
      sockets = vertx.eventBus().<JsonObject>request(Addresses.BRIDGE_SOCKETS, null).await(WAIT, TimeUnit.SECONDS).body()
        .getJsonObject("sockets").getInteger(name);
      if (sockets != expected) {
        vertx.timer(100).await(WAIT, TimeUnit.SECONDS);
      }
    }
    assertEquals(expected, sockets, "open bridge sockets");
  }

  @EveryTransport
  @DisplayName("a client registered for oneloop.ticker receives consecutive ticks")
  void receivesTicks(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, tickerConfig());
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport).register(Addresses.TICKER);
    JsonObject first = client.awaitRec(Addresses.TICKER);
    JsonObject second = client.awaitRec(Addresses.TICKER);
    assertEquals(first.getLong("seq") + 1, second.getLong("seq"));
    assertTrue(Instant.parse(second.getString("time")).isAfter(Instant.parse(first.getString("time"))));
  }

  @EveryTransport
  @DisplayName("registering for an address not permitted gets access_denied and the socket stays usable")
  void deniedRegister(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, tickerConfig());
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport).register("secret.address");
    assertEquals(new JsonObject().put("type", "err").put("body", "access_denied"), client.await(BridgeClient.isErr()));
    client.register(Addresses.TICKER);
    assertTrue(client.awaitRec(Addresses.TICKER).containsKey("seq"));
  }

  @EveryTransport
  @DisplayName("sending or publishing to an address not permitted inbound gets access_denied and reaches no consumer")
  void deniedInbound(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, tickerConfig());
    JsonArray seen = new JsonArray();
    vertx.eventBus().consumer(Addresses.TICKER, msg -> {
      if (msg.body() instanceof JsonObject body && body.containsKey("forged")) {
        seen.add(body);
      }
    });
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport);
    client.publish(Addresses.TICKER, new JsonObject().put("forged", true));
    assertEquals("access_denied", client.awaitErr());
    client.send("oneloop.admin", new JsonObject(), "r1");
    assertEquals("access_denied", client.awaitErr());
    // A permitted request after the denied ones still works, and by then the forged publish would have arrived.
    roundTrip(client);
    assertEquals(new JsonArray(), seen);
  }

  @EveryTransport
  @DisplayName("permissions come from the config: an addressRegex lets matching addresses through both ways")
  void configuredPermissions(Transport transport, Vertx vertx) throws Exception {
    JsonObject cfg = config().put("bridge", new JsonObject()
      .put("inbound", new JsonArray().add(new JsonObject().put("addressRegex", "sensor\\.in\\..+")))
      .put("outbound", new JsonArray().add(new JsonObject().put("addressRegex", "sensor\\.out\\..+"))));
    TestApp app = TestApp.start(vertx, cfg);
    Promise<JsonObject> inbound = Promise.promise();
    vertx.eventBus().<JsonObject>consumer("sensor.in.7", msg -> inbound.tryComplete(msg.body())).completion().await(WAIT, TimeUnit.SECONDS);

    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport);
    client.publish("sensor.in.7", new JsonObject().put("t", 21.5));
    assertEquals(new JsonObject().put("t", 21.5), inbound.future().await(WAIT, TimeUnit.SECONDS));

    client.register(Addresses.TICKER);
    assertEquals("access_denied", client.awaitErr(), "the default list was replaced");
    client.register("sensor.out.7");
    // Publish until the registration has taken effect; the wait for the first delivery is bounded.
    long timer = vertx.setPeriodic(50, id -> vertx.eventBus().publish("sensor.out.7", new JsonObject().put("alarm", false)));
    try {
      assertEquals(new JsonObject().put("alarm", false), client.awaitRec("sensor.out.7"));
    } finally {
      vertx.cancelTimer(timer);
    }
  }

  @EveryTransport
  @DisplayName("every subscriber receives every published message once, in order, with its headers")
  void fanOutToAll(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig());
    List<BridgeClient> clients = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      clients.add(subscribed(vertx, app, transport, "feed.prices"));
    }
    for (int seq = 1; seq <= 20; seq++) {
      vertx.eventBus().publish("feed.prices", new JsonObject().put("seq", seq), new DeliveryOptions().addHeader("source", "test"));
    }
    for (BridgeClient client : clients) {
      for (int seq = 1; seq <= 20; seq++) {
        JsonObject frame = client.await(f -> "rec".equals(f.getString("type")));
        assertEquals("feed.prices", frame.getString("address"));
        assertEquals(seq, frame.getJsonObject("body").getInteger("seq"));
        assertEquals(new JsonObject().put("source", "test"), frame.getJsonObject("headers"));
      }
    }
    assertTrue(clients.stream().allMatch(c -> c.backlog().isEmpty()), "no duplicates");
  }

  @Test
  @DisplayName("the last client leaving a busy address leaves no log line per message still on its way to the bridge")
  void leavingABusyAddressIsQuiet(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig());
    try (LogCapture discards = LogCapture.of(MessageConsumerImpl.class)) {
      for (int round = 0; round < 10; round++) {
        BridgeClient client = subscribed(vertx, app, Transport.RAW, "feed.busy");
        // The unregister reaches the bridge's event loop while a burst is queued there for the address.
        client.unregister("feed.busy");
        // Fewer than bridge.maxQueuedBytes holds, as the client reads none of what comes before its unregister.
        for (int seq = 0; seq < 3_000; seq++) {
          vertx.eventBus().publish("feed.busy", seq);
        }
        roundTrip(client);
        client.close();
      }
      assertEquals(List.of(), discards.containing("Discarding message"));
    }
  }

  @EveryTransport
  @DisplayName("after unregistering, a client receives nothing more from that address")
  void unregisterStopsDelivery(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig());
    BridgeClient client = subscribed(vertx, app, transport, "feed.news");
    vertx.eventBus().publish("feed.news", new JsonObject().put("n", 1));
    assertEquals(new JsonObject().put("n", 1), client.awaitRec("feed.news"));

    client.unregister("feed.news").register("feed.marker");
    roundTrip(client);
    vertx.eventBus().publish("feed.news", new JsonObject().put("n", 2));
    vertx.eventBus().publish("feed.marker", new JsonObject());
    // Both come from one sender to one socket: once the later one is there, the earlier one never will be.
    client.awaitRec("feed.marker");
    assertFalse(client.backlog().stream().anyMatch(isRec("feed.news")), client.backlog().toString());
  }

  @EveryTransport
  @DisplayName("a client's publish reaches every consumer and its send reaches one, each with the client's headers")
  void publishAndSendFromClient(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig());
    List<Message<Object>> first = new CopyOnWriteArrayList<>();
    List<Message<Object>> second = new CopyOnWriteArrayList<>();
    consume(vertx, "sensor.in.hall", first);
    consume(vertx, "sensor.in.hall", second);
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport);
    JsonObject headers = new JsonObject().put("trace", "t-1");
    client.write(new JsonObject().put("type", "publish").put("address", "sensor.in.hall").put("body", "all").put("headers", headers));
    client.write(new JsonObject().put("type", "send").put("address", "sensor.in.hall").put("body", "one").put("headers", headers));
    client.write(new JsonObject().put("type", "publish").put("address", "sensor.in.hall").put("body", "last"));
    roundTrip(client);
    // Each consumer got the last publish, so everything the client sent before it has arrived too.
    for (List<Message<Object>> consumer : List.of(first, second)) {
      awaitBodies(vertx, consumer, "last");
      assertEquals("all", consumer.get(0).body());
      assertEquals("t-1", consumer.get(0).headers().get("trace"));
    }
    List<Message<Object>> sends = new ArrayList<>();
    first.stream().filter(m -> "one".equals(m.body())).forEach(sends::add);
    second.stream().filter(m -> "one".equals(m.body())).forEach(sends::add);
    assertEquals(1, sends.size(), "the send reached one consumer");
    assertTrue(sends.get(0).isSend());
    assertEquals("t-1", sends.get(0).headers().get("trace"));
  }

  /** Bounded polling until a consumer has seen a message whose body is {@code body}. */
  private static void awaitBodies(Vertx vertx, List<Message<Object>> consumer, Object body) throws Exception {
    for (int i = 0; i < 100 && consumer.stream().noneMatch(m -> body.equals(m.body())); i++) {
      vertx.timer(50).await(WAIT, TimeUnit.SECONDS);
    }
    assertTrue(consumer.stream().anyMatch(m -> body.equals(m.body())), "received " + body);
  }

  @EveryTransport
  @DisplayName("a client's request gets the server's reply, and the client can answer a reply that asks for one")
  void requestFromClient(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig());
    Promise<Object> answer = Promise.promise();
    vertx.eventBus().<JsonObject>consumer("sensor.in.greet", msg -> msg
        .replyAndRequest(new JsonObject().put("hello", msg.body().getString("name")), new DeliveryOptions().addHeader("step", "2"))
        .onSuccess(second -> answer.tryComplete(second.body())))
      .completion().await(WAIT, TimeUnit.SECONDS);
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport);

    JsonObject reply = client.request("sensor.in.greet", new JsonObject().put("name", "ada"));
    assertEquals("rec", reply.getString("type"));
    assertEquals(new JsonObject().put("hello", "ada"), reply.getJsonObject("body"));
    assertEquals(new JsonObject().put("step", "2"), reply.getJsonObject("headers"));
    // The reply's own reply address is not permitted inbound, yet the bridge lets the answer to it through.
    String serverReplyAddress = reply.getString("replyAddress");
    client.send(serverReplyAddress, new JsonObject().put("thanks", true), null);
    assertEquals(new JsonObject().put("thanks", true), answer.future().await(WAIT, TimeUnit.SECONDS));
  }

  @EveryTransport
  @DisplayName("a request the server fails, or that no one consumes, gets an err frame with the failure on the reply address")
  void failedRequests(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig());
    vertx.eventBus().consumer("sensor.in.door", msg -> msg.fail(409, "the door is locked")).completion().await(WAIT, TimeUnit.SECONDS);
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport);

    JsonObject failed = client.request("sensor.in.door", "open");
    assertEquals("err", failed.getString("type"));
    assertEquals(409, failed.getInteger("failureCode"));
    assertEquals("RECIPIENT_FAILURE", failed.getString("failureType"));
    assertEquals("the door is locked", failed.getString("message"));

    JsonObject nobody = client.request("sensor.in.nobody", "hello?");
    assertEquals("err", nobody.getString("type"));
    assertEquals("NO_HANDLERS", nobody.getString("failureType"));
    assertEquals(-1, nobody.getInteger("failureCode"));
  }

  @EveryTransport
  @DisplayName("a server's request to a subscribed address reaches one subscriber, whose reply reaches the server once")
  void requestFromServer(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig());
    BridgeClient a = subscribed(vertx, app, transport, "feed.orders");
    BridgeClient b = subscribed(vertx, app, transport, "feed.orders");
    Future<Message<JsonObject>> reply = vertx.eventBus().request("feed.orders", new JsonObject().put("order", 7));
    Future<JsonObject> atA = a.next(isRec("feed.orders"));
    Future<JsonObject> atB = b.next(isRec("feed.orders"));
    Future.any(atA, atB).await(WAIT, TimeUnit.SECONDS);
    BridgeClient owner = atA.isComplete() ? a : b;
    JsonObject got = atA.isComplete() ? atA.result() : atB.result();
    assertEquals(new JsonObject().put("order", 7), got.getJsonObject("body"));
    owner.send(got.getString("replyAddress"), new JsonObject().put("accepted", true), null);
    assertEquals(new JsonObject().put("accepted", true), reply.await(WAIT, TimeUnit.SECONDS).body());
    assertFalse(atA.isComplete() && atB.isComplete(), "only one subscriber got the request");
    // A reply address is good for one answer: a second is an ordinary send to an address not permitted.
    owner.send(got.getString("replyAddress"), new JsonObject().put("accepted", false), null);
    assertEquals("access_denied", owner.awaitErr());
  }

  @EveryTransport
  @DisplayName("a reply address is random and belongs to the client it was delivered to: another client answering it, "
    + "or guessing Vert.x's sequential ones, gets access_denied, and the real answer reaches the requester")
  void replyAddressesBoundToTheirClient(Transport transport, Vertx vertx) throws Exception {
    JsonObject config = config().put("bridge", new JsonObject().put("maxInboundPerSecond", 100_000)
      .put("outbound", new JsonArray().add(new JsonObject().put("address", "rpc.worker")))
      .put("inbound", new JsonArray().add(new JsonObject().put("address", "rpc.worker"))));
    // One engine, so the three clients share it as a hijacker would try to.
    config.getJsonObject("http").put("instances", 1);
    TestApp app = TestApp.start(vertx, config);
    BridgeClient worker = BridgeClient.connect(vertx, app.port(), transport).register("rpc.worker");
    // Frames are handled in order: this refusal says the register before it took.
    worker.register("not.permitted");
    assertEquals("access_denied", worker.awaitErr());
    BridgeClient asker = BridgeClient.connect(vertx, app.port(), transport);
    BridgeClient mallory = BridgeClient.connect(vertx, app.port(), transport);

    String askerReply = UUID.randomUUID().toString();
    Future<JsonObject> answer = asker.next(frame -> askerReply.equals(frame.getString("address")));
    asker.send("rpc.worker", new JsonObject().put("question", 42), askerReply);
    JsonObject request = worker.await(isRec("rpc.worker"));
    String seen = request.getString("replyAddress");

    mallory.send(seen, new JsonObject().put("answer", "forged by mallory"), null);
    assertEquals("access_denied", mallory.awaitErr(), "the address the worker saw is not mallory's to answer");
    for (int n = 0; n <= 20; n++) {
      mallory.send("__vertx.reply." + n, new JsonObject().put("answer", "forged by mallory"), null);
      assertEquals("access_denied", mallory.awaitErr(), "__vertx.reply." + n);
    }
    worker.send(seen, new JsonObject().put("answer", "from the worker"), null);
    assertEquals(new JsonObject().put("answer", "from the worker"), answer.await(WAIT, TimeUnit.SECONDS).getJsonObject("body"));
    assertTrue(worker.backlog().stream().noneMatch(frame -> "err".equals(frame.getString("type"))), worker.backlog().toString());
    assertTrue(seen.matches("[A-Za-z0-9_-]{22}"), "a random reply address, not Vert.x's sequential one: " + seen);
  }

  @Test
  @DisplayName("a client holds at most 1000 requests unanswered: the next one's sender is failed at once with 503, and an answer makes room")
  void pendingRepliesBounded(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig());
    BridgeClient client = subscribed(vertx, app, Transport.RAW, "feed.rpc");
    List<Future<Message<Object>>> requests = new ArrayList<>();
    for (int i = 0; i < FanoutBridge.MAX_PENDING_REPLIES_PER_SOCKET; i++) {
      requests.add(vertx.eventBus().request("feed.rpc", i));
    }
    JsonObject last = null;
    for (int i = 0; i < FanoutBridge.MAX_PENDING_REPLIES_PER_SOCKET; i++) {
      last = client.await(isRec("feed.rpc"));
    }
    Throwable refused = vertx.eventBus().request("feed.rpc", "one more").map(m -> (Throwable) null).otherwise(cause -> cause)
      .await(WAIT, TimeUnit.SECONDS);
    assertTrue(refused instanceof ReplyException failure && failure.failureCode() == 503, String.valueOf(refused));
    client.send(last.getString("replyAddress"), "done", null);
    assertEquals("done", requests.get(last.getInteger("body")).await(WAIT, TimeUnit.SECONDS).body());
    vertx.eventBus().request("feed.rpc", "after an answer");
    assertEquals("after an answer", client.await(isRec("feed.rpc")).getString("body"));
  }

  @EveryTransport
  @DisplayName("each malformed or over-limit frame gets its error, and the socket stays usable")
  void errors(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig());
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport);
    Map<String, String> cases = Map.of(
      "not json", "invalid_json",
      "[1,2]", "invalid_json",
      "\"a string\"", "invalid_json",
      "{\"address\":\"feed.x\"}", "missing_type",
      "{\"type\":\"register\"}", "missing_address",
      "{\"type\":\"send\",\"body\":1}", "missing_address",
      "{\"type\":\"shout\",\"address\":\"feed.x\"}", "invalid_type",
      new JsonObject().put("type", "register").put("address", "feed." + "x".repeat(200)).encode(), "max_address_length_reached",
      new JsonObject().put("type", "send").put("address", Addresses.TASKS_LIST).put("body", 1)
        .put("replyAddress", "r".repeat(37)).encode(), "invalid_reply_address");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      client.writeText(c.getKey());
      assertEquals(c.getValue(), client.awaitErr(), "answer to " + c.getKey());
    }
    client.register("feed.twice").register("feed.twice");
    assertEquals("address_already_registered", client.awaitErr());
    roundTrip(client);
    assertTrue(client.backlog().isEmpty(), "one error per bad frame: " + client.backlog());
  }

  @EveryTransport
  @DisplayName("a socket holds at most 1000 handlers, registrations and pending requests together")
  void handlerLimit(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig());
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport);
    for (int i = 0; i < 1000; i++) {
      client.register("feed." + i);
    }
    client.register("feed.1000");
    assertEquals("max_handlers_reached", client.awaitErr());
    client.send(Addresses.TASKS_LIST, new JsonObject(), "full-up");
    assertEquals("max_handlers_reached", client.awaitErr(), "a request needs a handler for its reply");

    // Two freed: one for the new registration, one for the round trip's reply.
    client.unregister("feed.0").unregister("feed.1").register("feed.1000");
    roundTrip(client);
    vertx.eventBus().publish("feed.1000", "room again");
    assertEquals("room again", client.await(isRec("feed.1000")).getString("body"));
    assertTrue(client.backlog().isEmpty(), client.backlog().toString());
  }

  @EveryTransport
  @DisplayName("a client that closes its connection is forgotten: its socket is no longer counted")
  void clientCloses(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig());
    BridgeClient client = subscribed(vertx, app, transport, "feed.news");
    awaitSockets(vertx, transport, 1);
    client.close();
    awaitSockets(vertx, transport, 0);
  }

  @EveryTransport
  @DisplayName("when the app shuts down, the bridge closes each client's connection")
  void shutdownClosesClients(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig());
    BridgeClient client = subscribed(vertx, app, transport, "feed.news");
    app.main.shutdown("test over");
    Closed closed = client.closed().await(WAIT, TimeUnit.SECONDS);
    // Each in its transport's own way: a raw WebSocket says why with 1001, a SockJS session gets
    // SockJS's close frame, as Vert.x's SockJS server sends it, before the connection ends.
    Closed expected = transport == Transport.RAW ? new Closed(1001, "server shutting down") : new Closed(3000, "Go away!");
    assertEquals(expected, closed);
  }

  /** The answers a frame got: the err bodies (or whole frames) received until a round trip after it. */
  private static List<Object> answersTo(BridgeClient client, String text) throws Exception {
    client.writeText(text);
    roundTrip(client);
    return client.takeBacklog().stream()
      .map(frame -> frame.getValue("body") instanceof String body && "err".equals(frame.getString("type")) ? body : frame)
      .toList();
  }

  /**
   * Values of the wrong type, answered alike on every transport, as one engine serves them all:
   * {@code type}, {@code address} and {@code replyAddress} must be strings (Vert.x's stock bridge
   * would read a number as its text), and unregistering what was never registered changes nothing.
   */
  @EveryTransport
  @DisplayName("frames with values of the wrong type get the same answers on every transport")
  void wrongTypes(Transport transport, Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, feedConfig());
    List<Message<Object>> consumer = new CopyOnWriteArrayList<>();
    consume(vertx, "sensor.in.x", consumer);
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport);

    assertEquals(List.of("missing_type"), answersTo(client, "{\"type\":7,\"address\":\"feed.x\"}"));
    assertEquals(List.of("missing_address"), answersTo(client, "{\"type\":\"register\",\"address\":7}"));
    assertEquals(List.of(), answersTo(client, "{\"type\":\"unregister\",\"address\":\"secret\"}"));
    assertEquals(List.of(), answersTo(client, "{\"type\":\"unregister\",\"address\":\"feed.never\"}"));
    // A number as reply address is no reply address: the send goes out without one.
    assertEquals(List.of(), answersTo(client, "{\"type\":\"send\",\"address\":\"sensor.in.x\",\"body\":1,\"replyAddress\":5}"));
    awaitBodies(vertx, consumer, 1);
    assertNull(consumer.get(0).replyAddress());
    client.publish("sensor.in.x", 2);
    awaitBodies(vertx, consumer, 2);
    assertEquals(List.of(1, 2), consumer.stream().map(Message::body).toList());
  }
}
