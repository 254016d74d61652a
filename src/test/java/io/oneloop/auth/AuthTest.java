package io.oneloop.auth;

import io.oneloop.http.HttpErrorsTest;
import io.oneloop.Addresses;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.support.JoseMint;
import io.oneloop.support.RawHttp;
import io.oneloop.support.TickingApp;
import io.oneloop.testkit.Transport;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** auth.tokens and auth.jwt on the API and the bridge: who may read, who may change, and what a token narrows. */
class AuthTest {

  private static final String ADMIN = "admin-token-0123456789:+/&x";
  private static final String VIEWER = "viewer-token-0123456789";
  private static final String SECRET = "a-secret-of-at-least-32-characters-for-hs256";
  private static final String JOB = "{\"type\":\"sleep\",\"params\":{\"ms\":1}}";

  @RegisterExtension
  final TickingApp app = TickingApp.with(config -> config.put("auth", new JsonObject()
      .put("tokens", new JsonArray()
        .add(new JsonObject().put("name", "ops").put("role", "admin").put("token", ADMIN))
        .add(new JsonObject().put("name", "wall").put("role", "viewer").put("token", VIEWER)))
      .put("jwt", new JsonObject().put("algorithm", "HS256").put("secret", SECRET)
        .put("issuer", "https://login.example").put("audience", "oneloop"))))
    .bystanderQuery("token=" + URLEncoder.encode(VIEWER, StandardCharsets.UTF_8));
  private WebClient web;
  private JWTAuth minter;

  @BeforeEach
  void clients(Vertx vertx) {
    web = WebClient.create(vertx);
    minter = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
  }

  private String jwt(JsonObject claims, String issuer, int expiresInSeconds) {
    JWTOptions options = new JWTOptions().setAlgorithm("HS256").setIssuer(issuer).addAudience("oneloop");
    if (expiresInSeconds > 0) {
      options.setExpiresInSeconds(expiresInSeconds);
    }
    return minter.generateToken(claims, options);
  }

  private String jwt(JsonObject claims) {
    return jwt(claims, "https://login.example", 600);
  }

  private HttpResponse<Buffer> call(HttpMethod method, String path, String token, String body) throws Exception {
    HttpRequest<Buffer> request = web.request(method, app.port(), "127.0.0.1", path);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    if (body != null) {
      request.putHeader("Content-Type", "application/json");
      return request.sendBuffer(Buffer.buffer(body)).await(10, TimeUnit.SECONDS);
    }
    return request.send().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("without a token, or with a wrong one, /api answers 401 with WWW-Authenticate, and never echoes a token")
  void apiNeedsToken() throws Exception {
    for (String token : new String[] {null, "wrong-token-0123456789", ADMIN + "x", "a.b.c"}) {
      HttpResponse<Buffer> response = call(HttpMethod.GET, "/api/jobs", token, null);
      HttpErrorsTest.assertError(401, response.statusCode(), response.getHeader("content-type"), response.bodyAsString());
      assertEquals("Bearer", response.getHeader("WWW-Authenticate"));
      assertFalse(token != null && response.bodyAsString().contains(token), response.bodyAsString());
    }
    assertEquals(401, call(HttpMethod.POST, "/api/jobs", null, JOB).statusCode());
  }

  @Test
  @DisplayName("a viewer token reads but may not start or cancel jobs (403); an admin token may")
  void roles() throws Exception {
    assertEquals(200, call(HttpMethod.GET, "/api/jobs", VIEWER, null).statusCode());
    assertEquals(200, call(HttpMethod.GET, "/api/tasks", VIEWER, null).statusCode());
    HttpResponse<Buffer> refused = call(HttpMethod.POST, "/api/jobs", VIEWER, JOB);
    HttpErrorsTest.assertError(403, refused.statusCode(), refused.getHeader("content-type"), refused.bodyAsString());
    assertTrue(refused.bodyAsString().contains("wall"), "names the token by its name: " + refused.bodyAsString());
    HttpResponse<Buffer> started = call(HttpMethod.POST, "/api/jobs", ADMIN, "{\"type\":\"sleep\",\"params\":{\"ms\":60000}}");
    assertEquals(202, started.statusCode(), started.bodyAsString());
    String id = started.bodyAsJsonObject().getString("id");
    assertEquals(403, call(HttpMethod.DELETE, "/api/jobs/" + id, VIEWER, null).statusCode());
    assertEquals(200, call(HttpMethod.DELETE, "/api/jobs/" + id, ADMIN, null).statusCode());
  }

  @Test
  @DisplayName("with auth on, the health probe and the page's files stay open")
  void openPaths() throws Exception {
    for (String path : new String[] {"/health", "/", "/index.html", "/js/main.js", "/favicon.svg"}) {
      assertEquals(200, call(HttpMethod.GET, path, null, null).statusCode(), path);
    }
  }

  @Test
  @DisplayName("with auth on, /metrics answers 401 without a valid bearer token and the scrape to a viewer token, an admin one or a JWT")
  void metricsNeedToken() throws Exception {
    for (String token : new String[] {null, "wrong-token-0123456789"}) {
      HttpResponse<Buffer> refused = call(HttpMethod.GET, "/metrics", token, null);
      HttpErrorsTest.assertError(401, refused.statusCode(), refused.getHeader("content-type"), refused.bodyAsString());
      assertEquals("Bearer", refused.getHeader("WWW-Authenticate"));
      assertFalse(refused.bodyAsString().contains("oneloop_bridge_sockets"), "no series without a token");
    }
    for (String token : new String[] {VIEWER, ADMIN, jwt(new JsonObject().put("sub", "prometheus"))}) {
      HttpResponse<Buffer> scrape = call(HttpMethod.GET, "/metrics", token, null);
      assertEquals(200, scrape.statusCode());
      assertTrue(scrape.bodyAsString().contains("oneloop_bridge_sockets{"), "the Prometheus text");
    }
  }

  @Test
  @DisplayName("a JWT with the right issuer and audience is accepted; its oneloop.role claim decides, viewer by default")
  void jwtRoles() throws Exception {
    String viewer = jwt(new JsonObject().put("sub", "alice"));
    String admin = jwt(new JsonObject().put("sub", "bob").put("oneloop.role", "admin"));
    assertEquals(200, call(HttpMethod.GET, "/api/jobs", viewer, null).statusCode());
    assertEquals(403, call(HttpMethod.POST, "/api/jobs", viewer, JOB).statusCode());
    assertEquals(202, call(HttpMethod.POST, "/api/jobs", admin, JOB).statusCode());
  }

  @Test
  @DisplayName("an expired JWT, one from another issuer and one signed with another key answer 401")
  void badJwts() throws Exception {
    String expired = jwt(new JsonObject().put("sub", "alice").put("exp", System.currentTimeMillis() / 1000 - 600),
      "https://login.example", 0);
    String otherIssuer = jwt(new JsonObject().put("sub", "alice"), "https://evil.example", 600);
    String otherKey = JWTAuth.create(null, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256")
        .setBuffer("another-secret-of-at-least-32-characters")))
      .generateToken(new JsonObject().put("sub", "alice"), new JWTOptions().setIssuer("https://login.example").addAudience("oneloop"));
    for (String token : new String[] {expired, otherIssuer, otherKey}) {
      assertEquals(401, call(HttpMethod.GET, "/api/jobs", token, null).statusCode());
    }
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("the bridge takes a valid token from its URL, static (URL-encoded) or JWT, and refuses a missing or bad one")
  void bridgeToken(Transport transport, Vertx vertx) throws Exception {
    for (String token : new String[] {ADMIN, VIEWER, jwt(new JsonObject().put("sub", "carol"))}) {
      BridgeClient client = BridgeClient.connect(vertx, app.port(), transport,
        "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8), Map.of());
      client.register(Addresses.TICKER).awaitRec(Addresses.TICKER);
      client.close();
    }
    for (String query : new String[] {null, "token=wrong-token-0123456789", "token=" + ADMIN.substring(0, 20)}) {
      if (transport == Transport.RAW) {
        Exception refused = assertThrows(Exception.class, () -> BridgeClient.connect(vertx, app.port(), transport, query, Map.of()));
        assertTrue(refused instanceof UpgradeRejectedException rejected && rejected.getStatus() == 401, query + ": " + refused);
      } else {
        assertClosedUnauthorized(vertx, query);
      }
    }
    try (RawHttp raw = RawHttp.connect(app.port())) {
      String response = raw.send("GET " + transport.path() + "?token=%zz HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").readHead();
      int status = RawHttp.status(response);
      if (status == 101) {
        assertTrue(raw.readUntilClosed().contains("c[4401,\"unauthorized\"]"), "a token that cannot be decoded is no token");
      } else {
        assertTrue(status == 400 || status == 401, "a URL that cannot be decoded opens nothing: " + response);
      }
    }
  }

  /** SockJS closes a session with a code the client's onclose gets: "o", then c[4401,"unauthorized"]. */
  private void assertClosedUnauthorized(Vertx vertx, String query) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    List<String> frames = new CopyOnWriteArrayList<>();
    Promise<Void> closed = Promise.promise();
    // Handlers before the connection: the "o" can come with the handshake's answer.
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(frames::add);
    ws.closeHandler(v -> closed.tryComplete());
    ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(app.port())
        .setURI(Transport.SOCKJS.path() + (query == null ? "" : "?" + query)))
      .await(10, TimeUnit.SECONDS);
    closed.future().await(10, TimeUnit.SECONDS);
    assertEquals(List.of("o", "c[4401,\"unauthorized\"]"), frames, query);
    client.close();
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("a JWT's oneloop.addresses claim narrows what its socket may do, and never widens it")
  void narrowedAddresses(Transport transport, Vertx vertx) throws Exception {
    String token = jwt(new JsonObject().put("sub", "dave").put("oneloop.addresses", new JsonObject()
      .put("outbound", new JsonArray().add(new JsonObject().put("address", "oneloop.ticker"))
        .add(new JsonObject().put("address", "secret.feed")))
      .put("inbound", new JsonArray().add(new JsonObject().put("address", "oneloop.chat.history")))));
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport, "token=" + token, Map.of());
    client.register(Addresses.TICKER).awaitRec(Addresses.TICKER);
    client.register(Addresses.CHAT);
    assertTrue(client.awaitErr().matches("access_denied|rejected"), "the claim leaves oneloop.chat out");
    client.register("secret.feed");
    assertTrue(client.awaitErr().matches("access_denied|rejected"), "the claim cannot add what the config does not permit");
    assertEquals("rec", client.request(Addresses.CHAT_HISTORY, new JsonObject()).getString("type"));
    client.send(Addresses.CHAT_SEND, new JsonObject().put("user", "x").put("text", "hi"), null);
    assertTrue(client.awaitErr().matches("access_denied|rejected"), "the claim leaves oneloop.chat.send out");
    client.close();
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("chat names the sender by the JWT's sub or the static token's name, whatever the body or a forged oneloop.user header says")
  void chatNameFromSub(Transport transport, Vertx vertx) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport, "token=" + jwt(new JsonObject().put("sub", "erin")), Map.of())
      .register(Addresses.CHAT);
    client.write(new JsonObject().put("type", "send").put("address", Addresses.CHAT_SEND)
      .put("body", new JsonObject().put("user", "mallory").put("text", "hello"))
      .put("headers", new JsonObject().put("oneloop.user", "mallory")).put("replyAddress", "00000000-0000-0000-0000-000000000001"));
    assertEquals("erin", client.awaitRec(Addresses.CHAT).getString("user"));
    client.close();
    BridgeClient anonymous = BridgeClient.connect(vertx, app.port(), transport, "token=" + VIEWER, Map.of()).register(Addresses.CHAT);
    anonymous.write(new JsonObject().put("type", "send").put("address", Addresses.CHAT_SEND)
      .put("body", new JsonObject().put("user", "frank").put("text", "hi"))
      .put("headers", new JsonObject().put("ONELOOP.USER", "erin")));
    assertEquals("wall", anonymous.awaitRec(Addresses.CHAT).getString("user"), "a static token chats under its own name");
    anonymous.close();
  }

  /** Validly signed tokens, minted by the JDK ({@link JoseMint}), whose claims are missing or of the wrong shape. */
  private static List<String> malformedTokens() throws Exception {
    JsonObject valid = new JsonObject().put("sub", "alice").put("iss", "https://login.example").put("aud", "oneloop")
      .put("exp", System.currentTimeMillis() / 1000 + 600);
    JsonObject noExp = valid.copy();
    noExp.remove("exp");
    List<String> tokens = new ArrayList<>();
    for (JsonObject claims : List.of(valid.copy().put("exp", "soon"), valid.copy().put("nbf", "x"), valid.copy().put("sub", 5),
      valid.copy().put("oneloop.addresses", "x"), valid.copy().put("sub", "admin\u200B"), valid.copy().put("sub", "\u3164"), noExp)) {
      tokens.add(JoseMint.hs256(SECRET, claims));
    }
    return tokens;
  }

  @Test
  @DisplayName("a validly signed JWT without exp, or with claims of the wrong shape, or a sub that only looks like a name, gets 401 on the API, not 500")
  void malformedJwtOnApi() throws Exception {
    String valid = JoseMint.hs256(SECRET, new JsonObject().put("sub", "alice").put("iss", "https://login.example")
      .put("aud", "oneloop").put("exp", System.currentTimeMillis() / 1000 + 600));
    assertEquals(200, call(HttpMethod.GET, "/api/jobs", valid, null).statusCode(), "the same minting, well formed");
    for (String token : malformedTokens()) {
      HttpResponse<Buffer> response = call(HttpMethod.GET, "/api/jobs", token, null);
      HttpErrorsTest.assertError(401, response.statusCode(), response.getHeader("content-type"), response.bodyAsString());
      assertEquals("Bearer", response.getHeader("WWW-Authenticate"));
    }
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("the same tokens are refused at the bridge handshake: 401 on a raw WebSocket, c[4401,\"unauthorized\"] over SockJS")
  void malformedJwtOnBridge(Transport transport, Vertx vertx) throws Exception {
    for (String token : malformedTokens()) {
      String query = "token=" + token;
      if (transport == Transport.RAW) {
        Exception refused = assertThrows(Exception.class, () -> BridgeClient.connect(vertx, app.port(), transport, query, Map.of()));
        assertTrue(refused instanceof UpgradeRejectedException rejected && rejected.getStatus() == 401, query + ": " + refused);
      } else {
        assertClosedUnauthorized(vertx, query);
      }
    }
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  @DisplayName("an open socket is closed with 4401 when its JWT expires")
  void closedAtExpiry(Transport transport, Vertx vertx) throws Exception {
    BridgeClient client = BridgeClient.connect(vertx, app.port(), transport,
      "token=" + jwt(new JsonObject().put("sub", "gina"), "https://login.example", 2), Map.of()).register(Addresses.TICKER);
    client.awaitRec(Addresses.TICKER);
    BridgeClient.Closed closed = client.closed().await(10, TimeUnit.SECONDS);
    assertEquals(4401, closed.code());
  }
}
