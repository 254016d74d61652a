package io.oneloop.support;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.oneloop.support.TestApp.task;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A fresh app per test with a ticker every 100 ms and a {@link Bystander} on it, for tests of
 * what one client may do to the others: after each test the app still runs and the bystander
 * still gets its ticks in order. Register it with {@code @RegisterExtension}; it gives the test's
 * {@code Vertx} parameters the app's own instance, so use it instead of {@code VertxExtension}.
 */
public final class TickingApp implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

  private static final long TICK_MS = 100;

  private final Consumer<JsonObject> configure;
  private String bystanderQuery;
  private Vertx vertx;
  private TestApp app;
  private Bystander bystander;

  private TickingApp(Consumer<JsonObject> configure) {
    this.configure = configure;
  }

  /** The test config ({@link TestApp#config}) with the ticker task. */
  public static TickingApp withDefaults() {
    return with(config -> { });
  }

  /** The same, changed by {@code configure} before the app starts. */
  public static TickingApp with(Consumer<JsonObject> configure) {
    return new TickingApp(configure);
  }

  /** The bystander connects with this query on the bridge URL, e.g. its token. */
  public TickingApp bystanderQuery(String query) {
    this.bystanderQuery = query;
    return this;
  }

  public int port() {
    return app.port();
  }

  public TestApp app() {
    return app;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    vertx = Vertx.vertx();
    JsonObject config = TestApp.config(task("ticker", "ticker", new JsonObject().put("intervalMs", TICK_MS)));
    configure.accept(config);
    app = TestApp.start(vertx, config);
    bystander = Bystander.watch(vertx, app.port(), bystanderQuery);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    if (bystander == null) {
      // The app did not start: beforeEach's failure is the test's.
      if (vertx != null) {
        vertx.close().await(20, TimeUnit.SECONDS);
      }
      return;
    }
    try {
      bystander.assertTicking();
      assertFalse(app.main.terminated().isComplete(), "the app is still running");
    } finally {
      bystander.close();
      vertx.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Vertx.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return vertx;
  }
}
