package io.oneloop.testkit;

import io.oneloop.MainVerticle;
import io.oneloop.config.AppConfig;
import io.oneloop.config.ConfigLoader;
import io.oneloop.supervision.Outcome;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Starts oneloop in-process for a JUnit 5 test, on 127.0.0.1 and a free port, with the config the
 * test gives, and stops it afterwards:
 * <pre>{@code
 * @RegisterExtension
 * static OneloopExtension oneloop = OneloopExtension.builder()
 *   .configFile("conf/config.json")
 *   .build();
 * }</pre>
 * A {@code static} field starts one app for the test class; an instance field one per test. The
 * config is read as {@code -conf} reads it (what it leaves out comes from the built-in defaults,
 * {@code tasks} excepted), without environment overrides, and always on {@code 127.0.0.1:0}.
 * The test gets the {@linkplain #port() port}, {@linkplain #connectBridge bridge clients},
 * {@linkplain #awaitMessage a message on an address}, {@linkplain #runJob jobs run to their end}
 * and the {@linkplain #tasks() task} and {@linkplain #jobs() job} records of the REST API.
 * <p>
 * The app runs without a cluster ({@code cluster.enabled} must be false), and, as in the fat jar,
 * the Hazelcast cluster manager is not picked up even when {@code io.vertx:vertx-hazelcast} is on
 * the test's class path, so no Hazelcast class loads.
 */
public final class OneloopExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  private static final Set<String> FINISHED = Set.of("succeeded", "failed", "cancelled");
  /** How often a wait for a job's end asks for its record. */
  private static final long POLL_MS = 50;

  private final JsonObject config;
  private final Path configFile;
  private final Duration timeout;
  private final String token;

  private Vertx vertx;
  private MainVerticle main;
  private HttpClient http;
  private final List<BridgeClient> bridges = new ArrayList<>();
  private final Promise<Outcome> stoppedByItself = Promise.promise();
  /** Started for the whole class (a static field): then the test methods share it. */
  private boolean perClass;

  private OneloopExtension(Builder builder) {
    this.config = builder.config.copy();
    this.configFile = builder.configFile;
    this.timeout = builder.timeout;
    this.token = builder.token;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** How the app is configured; every setting is optional. */
  public static final class Builder {

    private JsonObject config = new JsonObject();
    private Path configFile;
    private Duration timeout = Duration.ofSeconds(30);
    private String token;

    private Builder() {
    }

    /** The config, as a {@code -conf} file would give it; merged over {@link #configFile} when both are given. */
    public Builder config(JsonObject config) {
      this.config = config.copy();
      return this;
    }

    /** A config file, e.g. the app's own {@code conf/config.json}. */
    public Builder configFile(Path file) {
      this.configFile = file;
      return this;
    }

    public Builder configFile(String file) {
      return configFile(Path.of(file));
    }

    /** How long the start, the stop and each request may take (default 30 s). */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /**
     * A bearer token (one of the config's {@code auth.tokens}, or a JWT) the kit's requests carry in
     * {@code Authorization} and its bridge clients in the {@code token} query parameter: for an app
     * tested with {@code auth} on.
     */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    public OneloopExtension build() {
      return new OneloopExtension(this);
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    perClass = true;
    start();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    if (vertx == null) {
      start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    if (!perClass) {
      stop();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    stop();
  }

  /** Starts the app, as the extension does before the tests; for use outside JUnit's life cycle. */
  public synchronized void start() throws Exception {
    if (vertx != null) {
      throw new IllegalStateException("oneloop is already started");
    }
    AppConfig checked = AppConfig.validate(ConfigLoader.resolve(effectiveConfig(), true, Map.of()), source());
    if (checked.cluster().enabled()) {
      throw new IllegalArgumentException(source() + ": the test kit starts one node without a cluster: set cluster.enabled to false");
    }
    vertx = WithoutClusterManager.vertx();
    try {
      main = new MainVerticle(checked, stoppedByItself::tryComplete);
      vertx.deployVerticle(main).await(timeout.toMillis(), TimeUnit.MILLISECONDS);
      // A connection per request: a poll never lands on a kept-alive connection the server is closing.
      http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    } catch (Exception e) {
      stop();
      throw e;
    }
  }

  /** Stops the app with its ordered shutdown and closes Vert.x; does nothing when it is not running. */
  public synchronized void stop() throws Exception {
    if (vertx == null) {
      return;
    }
    bridges.forEach(BridgeClient::close);
    bridges.clear();
    Vertx closing = vertx;
    vertx = null;
    main = null;
    http = null;
    closing.close().await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private JsonObject effectiveConfig() {
    JsonObject json = configFile == null ? new JsonObject() : ConfigLoader.loadArgument(configFile.toString()).json();
    json.mergeIn(config, true);
    JsonObject httpConfig = json.getValue("http") instanceof JsonObject given ? given : new JsonObject();
    json.put("http", httpConfig.put("host", "127.0.0.1").put("port", 0));
    return json;
  }

  private String source() {
    return configFile == null ? "test config" : configFile.toString();
  }

  /** The Vert.x instance the app runs on (for consumers, timers, clients of the test's own). */
  public Vertx vertx() {
    return running();
  }

  /** The port the HTTP server listens on, on 127.0.0.1. */
  public int port() {
    running();
    return main.httpPort();
  }

  /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  /** A raw WebSocket client of the bridge ({@code /eventbus/websocket}); closed when the app stops. */
  public BridgeClient connectBridge() throws Exception {
    return connectBridge(Transport.RAW);
  }

  /** A bridge client over {@code transport} (SockJS's WebSocket transport, as browsers use); closed when the app stops. */
  public BridgeClient connectBridge(Transport transport) throws Exception {
    return connectBridge(transport, token);
  }

  /** A bridge client over {@code transport} with {@code token} (null: none), e.g. another user's; closed when the app stops. */
  public synchronized BridgeClient connectBridge(Transport transport, String token) throws Exception {
    String query = token == null ? null : "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    BridgeClient client = BridgeClient.connect(running(), port(), transport, query, Map.of());
    bridges.add(client);
    return client;
  }

  /**
   * Waits up to {@code timeout} for the next message sent or published on {@code address} on the
   * app's event bus, from now on, and returns its body. Any address, permitted to the bridge or not.
   */
  public Object awaitMessage(String address, Duration timeout) throws Exception {
    Promise<Object> first = Promise.promise();
    MessageConsumer<Object> consumer = running().eventBus().consumer(address, message -> first.tryComplete(message.body()));
    consumer.completion().await(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
    try {
      return first.future().await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      consumer.unregister();
    }
  }

  /** {@code GET /api/tasks}: every task's record ({@code name}, {@code state}, {@code restarts}, {@code lastError}, ...). */
  public JsonArray tasks() throws Exception {
    return (JsonArray) getJson("/api/tasks");
  }

  /** The record of the task named {@code name}; fails when there is none. */
  public JsonObject task(String name) throws Exception {
    for (Object record : tasks()) {
      if (record instanceof JsonObject task && name.equals(task.getString("name"))) {
        return task;
      }
    }
    throw new AssertionError("no task named " + name + " in GET /api/tasks");
  }

  /** {@code GET /api/jobs}: the jobs, newest first. */
  public JsonArray jobs() throws Exception {
    return (JsonArray) getJson("/api/jobs");
  }

  /** {@code GET /api/jobs/{id}}: one job's record. */
  public JsonObject job(String id) throws Exception {
    return (JsonObject) getJson("/api/jobs/" + id);
  }

  /** {@code POST /api/jobs}: starts a job and returns its record (state {@code queued} or later); fails unless accepted (202). */
  public JsonObject startJob(String type, JsonObject params) throws Exception {
    JsonObject body = new JsonObject().put("type", type).put("params", params == null ? new JsonObject() : params);
    Response response = request(HttpMethod.POST, "/api/jobs", body.toBuffer());
    if (response.status() != 202) {
      throw new AssertionError("POST /api/jobs " + body.encode() + " answered " + response.status() + " " + response.body());
    }
    return new JsonObject(response.body());
  }

  /** Waits up to {@code timeout} until the job is {@code succeeded}, {@code failed} or {@code cancelled}; returns that record. */
  public JsonObject awaitJob(String id, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonObject job = job(id);
      if (FINISHED.contains(job.getString("state"))) {
        return job;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("job " + id + " did not end within " + timeout.toMillis() + " ms: " + job.encode());
      }
      Thread.sleep(POLL_MS);
    }
  }

  /** Starts a job and waits up to {@code timeout} for its end; returns its last record (check {@code state} and {@code result}). */
  public JsonObject runJob(String type, JsonObject params, Duration timeout) throws Exception {
    return awaitJob(startJob(type, params).getString("id"), timeout);
  }

  /** Completes when the app stopped by itself (a critical task ended or failed), with how it ended. */
  public Future<Outcome> stoppedByItself() {
    return stoppedByItself.future();
  }

  /** An HTTP answer: its status and body. */
  public record Response(int status, String body) {
  }

  /** {@code GET path}, answered 200 with JSON: the parsed body. */
  public Object getJson(String path) throws Exception {
    Response response = request(HttpMethod.GET, path, null);
    if (response.status() != 200) {
      throw new AssertionError("GET " + path + " answered " + response.status() + " " + response.body());
    }
    return Json.decodeValue(response.body());
  }

  /** Any request to the app; a body is sent as {@code application/json}. */
  public Response request(HttpMethod method, String path, Buffer body) throws Exception {
    running();
    HttpClient client = http;
    int port = port();
    return client.request(method, port, "127.0.0.1", path)
      .map(request -> token == null ? request : request.putHeader("Authorization", "Bearer " + token))
      // The body is asked for in the very callback that gets the response: a later stage of the
      // chain may run after the body has arrived, and Vert.x would drop it (the answer never comes).
      .compose(request -> (body == null ? request.send() : request.putHeader("Content-Type", "application/json").send(body))
        .compose(response -> response.body().map(b -> new Response(response.statusCode(), b.toString()))))
      .await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private synchronized Vertx running() {
    if (vertx == null) {
      throw new IllegalStateException("oneloop is not running: register the extension with @RegisterExtension, or call start()");
    }
    return vertx;
  }
}
