package io.oneloop.http;

import io.oneloop.support.TestApp;
import io.oneloop.testtasks.GreeterTask;
import io.oneloop.testtasks.PublishingTask;
import io.oneloop.testtasks.ShapedJob;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.oneloop.support.TestApp.config;
import static io.oneloop.support.TestApp.task;
import static io.oneloop.support.TestApp.taskClass;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** What /api/info shows of a task's config and a hook's params: their keys, never their values. */
@ExtendWith(VertxExtension.class)
class InfoRedactionTest {

  private static final String REDACTED = "<redacted>";

  @Test
  @DisplayName("/api/info lists the keys of a task config without a shape and of hook params, each with the value \"<redacted>\", whatever the key is called, but for those the shape marks shown")
  void taskConfigAndHookParamsHidden(Vertx vertx) throws Exception {
    JsonObject taskConfig = new JsonObject()
      .put("intervalMs", 60_000)
      .put("apiKey", "ak-HIDDEN-1")
      .put("privateKey", "-----BEGIN PRIVATE KEY-----HIDDEN-2")
      .put("passwd", "pw-HIDDEN-3")
      .put("credentials", new JsonObject().put("key", "ck-HIDDEN-4"))
      .put("tokens", new JsonArray().add("t-HIDDEN-5").add("t-HIDDEN-6"))
      .put("url", "https://u:HIDDEN-7@x.example");
    JsonObject given = config(taskClass("clock", PublishingTask.class, taskConfig))
      .put("hooks", new JsonObject().put("startup", new JsonArray())
        .put("shutdown", new JsonArray().add(new JsonObject().put("type", "broadcast")
          .put("params", new JsonObject().put("address", "oneloop.server").put("body", "hook-HIDDEN-8")))));
    TestApp app = TestApp.start(vertx, given);
    HttpResponse<Buffer> response = WebClient.create(vertx).get(app.port(), "127.0.0.1", "/api/info").send().await(10, TimeUnit.SECONDS);
    assertEquals(200, response.statusCode());
    String body = response.bodyAsString();
    assertFalse(body.contains("HIDDEN"), "no value of a task config or hook params in " + body);
    assertFalse(body.contains("60000"), "not even a harmless-looking one: " + body);
    JsonObject config = response.bodyAsJsonObject().getJsonObject("config");
    JsonObject shownTask = config.getJsonArray("tasks").getJsonObject(0).getJsonObject("config");
    JsonObject expectedTask = new JsonObject();
    for (String key : List.of("intervalMs", "apiKey", "privateKey", "passwd", "credentials", "tokens", "url")) {
      expectedTask.put(key, REDACTED);
    }
    assertEquals(expectedTask, shownTask, "a nested object or list is one hidden value");
    assertEquals(new JsonObject().put("address", "oneloop.server").put("body", REDACTED),
      config.getJsonObject("hooks").getJsonArray("shutdown").getJsonObject(0).getJsonObject("params"));
    assertEquals("broadcast", config.getJsonObject("hooks").getJsonArray("shutdown").getJsonObject(0).getString("type"),
      "the rest of the config is shown as it was");
    assertEquals("clock", config.getJsonArray("tasks").getJsonObject(0).getString("name"));
  }

  @Test
  @DisplayName("/api/info shows the values of the keys a shape marks shown (the built-ins' intervalMs, address and count) and hides the rest")
  void shownKeys(Vertx vertx) throws Exception {
    JsonObject given = config(
      task("clock", "ticker", new JsonObject().put("intervalMs", 60_000).put("address", "oneloop.ticker").put("count", 0)),
      task("vitals", "metrics", new JsonObject().put("intervalMs", 60_000)),
      taskClass("greeter", GreeterTask.class, new JsonObject().put("everyMs", 60_000).put("greeting", "HIDDEN-1")
        .put("apiKey", "HIDDEN-2")))
      .put("jobs", new JsonObject().put("types", new JsonObject().put("shaped", ShapedJob.class.getName())))
      .put("hooks", new JsonObject().put("startup", new JsonArray().add(new JsonObject().put("type", "shaped")
        .put("params", new JsonObject().put("mode", "off").put("rows", 7).put("password", "HIDDEN-3")))));
    TestApp app = TestApp.start(vertx, given);
    HttpResponse<Buffer> response = WebClient.create(vertx).get(app.port(), "127.0.0.1", "/api/info").send().await(10, TimeUnit.SECONDS);
    assertEquals(200, response.statusCode());
    assertFalse(response.bodyAsString().contains("HIDDEN"), response.bodyAsString());
    JsonObject config = response.bodyAsJsonObject().getJsonObject("config");
    JsonArray tasks = config.getJsonArray("tasks");
    assertEquals(new JsonObject().put("intervalMs", 60_000).put("address", "oneloop.ticker").put("count", 0),
      tasks.getJsonObject(0).getJsonObject("config"));
    assertEquals(new JsonObject().put("intervalMs", 60_000), tasks.getJsonObject(1).getJsonObject("config"));
    assertEquals(new JsonObject().put("everyMs", 60_000).put("greeting", REDACTED).put("apiKey", REDACTED),
      tasks.getJsonObject(2).getJsonObject("config"));
    assertEquals(new JsonObject().put("mode", "off").put("rows", REDACTED).put("password", REDACTED),
      config.getJsonObject("hooks").getJsonArray("startup").getJsonObject(0).getJsonObject("params"));
  }

  @Test
  @DisplayName("/api/info still hides the static tokens and the JWT secret, and shows the rest of the config")
  void authSecretsStillHidden(Vertx vertx) throws Exception {
    JsonObject given = config().put("auth", new JsonObject()
      .put("tokens", new JsonArray().add(new JsonObject().put("name", "ops").put("role", "admin").put("token", "tok-HIDDEN-0123456789abcdef"))));
    TestApp app = TestApp.start(vertx, given);
    HttpResponse<Buffer> response = WebClient.create(vertx).get(app.port(), "127.0.0.1", "/api/info")
      .putHeader("Authorization", "Bearer tok-HIDDEN-0123456789abcdef").send().await(10, TimeUnit.SECONDS);
    assertEquals(200, response.statusCode());
    assertFalse(response.bodyAsString().contains("HIDDEN"), response.bodyAsString());
    JsonObject config = response.bodyAsJsonObject().getJsonObject("config");
    assertEquals(new JsonObject().put("name", "ops").put("role", "admin").put("token", REDACTED),
      config.getJsonObject("auth").getJsonArray("tokens").getJsonObject(0));
    assertEquals(1048576, config.getJsonObject("bridge").getInteger("maxQueuedBytes"));
  }
}
