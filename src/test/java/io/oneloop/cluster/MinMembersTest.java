package io.oneloop.cluster;

import io.oneloop.support.PrometheusText;
import io.oneloop.support.TestApp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.oneloop.support.TestApp.config;
import static io.oneloop.support.TestApp.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cluster.minMembers} on a node that is a cluster of one: with 2 its side is too small (it
 * serves, but runs no singleton and says so), with 1 it is large enough.
 */
@ExtendWith(VertxExtension.class)
class MinMembersTest {

  private static JsonObject withMinMembers(int min) {
    return config(task("ticker", "ticker", new JsonObject().put("intervalMs", 20)).put("singleton", true),
      task("beat", "ticker", new JsonObject().put("intervalMs", 1000).put("address", "test.beat")))
      .put("cluster", new JsonObject().put("minMembers", min));
  }

  private static HttpResponse<Buffer> get(Vertx vertx, int port, String path) throws Exception {
    return WebClient.create(vertx).get(port, "127.0.0.1", path).send().await(10, TimeUnit.SECONDS);
  }

  private static JsonObject check(HttpResponse<Buffer> ready, String id) {
    JsonArray checks = ready.bodyAsJsonObject().getJsonArray("checks");
    for (int i = 0; i < checks.size(); i++) {
      if (id.equals(checks.getJsonObject(i).getString("id"))) {
        return checks.getJsonObject(i);
      }
    }
    throw new AssertionError("no check " + id + " in " + ready.bodyAsString());
  }

  private static JsonObject record(Vertx vertx, int port, String name) throws Exception {
    JsonArray tasks = get(vertx, port, "/api/tasks").bodyAsJsonArray();
    for (int i = 0; i < tasks.size(); i++) {
      if (name.equals(tasks.getJsonObject(i).getString("name"))) {
        return tasks.getJsonObject(i);
      }
    }
    throw new AssertionError("no task " + name);
  }

  @Test
  @DisplayName("below cluster.minMembers: serves, singleton standby, readiness DOWN with minMembers and members, belowMinMembers, metric 1")
  void belowMinMembers(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, withMinMembers(2));
    int port = app.port();
    // The other tasks run: the node serves and works, only its singletons wait.
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> "running".equals(record(vertx, port, "beat").getString("state")));
    // Long enough for a lock that is free to be taken (a node asks at once, and again every second).
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < until) {
      assertEquals("standby", record(vertx, port, "ticker").getString("state"));
      vertx.timer(200).await(5, TimeUnit.SECONDS);
    }
    HttpResponse<Buffer> ready = get(vertx, port, "/health/ready");
    assertEquals(503, ready.statusCode(), ready.bodyAsString());
    JsonObject cluster = check(ready, "cluster");
    assertEquals("DOWN", cluster.getString("status"));
    JsonObject data = cluster.getJsonObject("data");
    assertNotNull(data, cluster.encode());
    assertEquals(2, data.getInteger("minMembers"));
    assertEquals(1, data.getInteger("members"));
    assertEquals(200, get(vertx, port, "/health/live").statusCode());
    JsonObject clusterApi = get(vertx, port, "/api/cluster").bodyAsJsonObject();
    assertTrue(clusterApi.getBoolean("belowMinMembers"), clusterApi.encode());
    PrometheusText metrics = PrometheusText.parse(get(vertx, port, "/metrics").bodyAsString());
    assertEquals(1, metrics.value("oneloop_cluster_below_min_members"));
    assertEquals(0, metrics.value("oneloop_singleton_owner", "task", "ticker"));
  }

  @Test
  @DisplayName("at cluster.minMembers: the singleton runs, readiness UP, belowMinMembers false, metric 0")
  void atMinMembers(Vertx vertx) throws Exception {
    TestApp app = TestApp.start(vertx, withMinMembers(1));
    int port = app.port();
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> "running".equals(record(vertx, port, "ticker").getString("state")));
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> get(vertx, port, "/health/ready").statusCode() == 200);
    JsonObject data = check(get(vertx, port, "/health/ready"), "cluster").getJsonObject("data");
    assertEquals(1, data.getInteger("minMembers"));
    assertFalse(get(vertx, port, "/api/cluster").bodyAsJsonObject().getBoolean("belowMinMembers"));
    PrometheusText metrics = PrometheusText.parse(get(vertx, port, "/metrics").bodyAsString());
    assertEquals(0, metrics.value("oneloop_cluster_below_min_members"));
    assertEquals(1, metrics.value("oneloop_singleton_owner", "task", "ticker"));
  }
}
