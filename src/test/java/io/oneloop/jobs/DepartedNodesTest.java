package io.oneloop.jobs;

import io.oneloop.Addresses;
import io.oneloop.support.EventRecorder;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The records another node left behind, in the shared map of a Vert.x without a cluster. */
@ExtendWith(VertxExtension.class)
class DepartedNodesTest {

  private JobManager jobs;

  private JobManager manager(Vertx vertx, int retain) {
    jobs = new JobManager(vertx, "survivor", new JobsSettings(1, 10, retain, Map.of()), new JobTypes(Map.of(), a -> true));
    return jobs;
  }

  @AfterEach
  void close() {
    if (jobs != null) {
      jobs.close();
    }
  }

  private static AsyncMap<String, JsonObject> records(Vertx vertx) throws Exception {
    return vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.JOB_RECORDS_MAP).await(5, TimeUnit.SECONDS);
  }

  private static JsonObject record(String id, String node, String state, String endedAt) {
    return new JsonObject().put("id", id).put("type", "sleep").put("node", node).put("state", state)
      .put("progress", 0.5).put("result", null).put("error", null).put("createdAt", "2026-12-01T10:00:00Z")
      .put("startedAt", "2026-12-01T10:00:01Z").put("endedAt", endedAt);
  }

  @Test
  @DisplayName("the running and queued jobs of a node that left end failed naming it, published once; a second report changes nothing")
  void unfinishedJobsFail(Vertx vertx) throws Exception {
    AsyncMap<String, JsonObject> map = records(vertx);
    map.put("r", record("r", "gone", "running", null)).await(5, TimeUnit.SECONDS);
    map.put("q", record("q", "gone", "queued", null)).await(5, TimeUnit.SECONDS);
    map.put("s", record("s", "gone", "succeeded", "2026-12-01T10:00:02Z")).await(5, TimeUnit.SECONDS);
    map.put("o", record("o", "other", "running", null)).await(5, TimeUnit.SECONDS);
    EventRecorder events = EventRecorder.on(vertx, Addresses.JOBS);
    JobManager survivor = manager(vertx, 100);

    assertEquals(2, survivor.nodeLeft("gone").await(5, TimeUnit.SECONDS));
    assertEquals(0, survivor.nodeLeft("gone").await(5, TimeUnit.SECONDS), "a second report finds nothing to change");

    for (String id : List.of("r", "q")) {
      JsonObject failed = survivor.get(id).await(5, TimeUnit.SECONDS);
      assertEquals("failed", failed.getString("state"));
      assertEquals("node gone left the cluster", failed.getString("error"));
      assertEquals("gone", failed.getString("node"));
      assertEquals(failed, events.await(e -> id.equals(e.getString("id"))));
    }
    assertEquals("succeeded", survivor.get("s").await(5, TimeUnit.SECONDS).getString("state"), "a finished job stays as it ended");
    assertEquals("running", survivor.get("o").await(5, TimeUnit.SECONDS).getString("state"), "another node's job is not touched");
    assertEquals(2, events.all().size(), "one record published per failed job: " + events.all());
  }

  @Test
  @DisplayName("a departed node's finished records count towards the survivor's retain, the oldest end forgotten first")
  void departedRecordsAreRetained(Vertx vertx) throws Exception {
    AsyncMap<String, JsonObject> map = records(vertx);
    map.put("old", record("old", "gone", "succeeded", "2026-12-01T10:00:02Z")).await(5, TimeUnit.SECONDS);
    map.put("new", record("new", "gone", "cancelled", "2026-12-01T10:00:03Z")).await(5, TimeUnit.SECONDS);
    JobManager survivor = manager(vertx, 1);

    survivor.nodeLeft("gone").await(5, TimeUnit.SECONDS);
    assertNull(survivor.get("old").await(5, TimeUnit.SECONDS), "beyond retain: forgotten");
    assertEquals("cancelled", survivor.get("new").await(5, TimeUnit.SECONDS).getString("state"));
    assertEquals(List.of("new"), survivor.list(10).await(5, TimeUnit.SECONDS).stream()
      .map(job -> ((JsonObject) job).getString("id")).toList());
  }
}
