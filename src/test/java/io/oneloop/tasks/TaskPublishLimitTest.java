package io.oneloop.tasks;

import io.oneloop.supervision.Outcome;
import io.oneloop.support.TestApp;
import io.oneloop.testtasks.PublishingTask;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.oneloop.support.TestApp.config;
import static io.oneloop.support.TestApp.taskClass;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bridge.maxOutboundBytes where oneloop publishes: what the author of a task sees when a message is too large. */
@ExtendWith(VertxExtension.class)
class TaskPublishLimitTest {

  @Test
  @DisplayName("Task.publish sends a message within bridge.maxOutboundBytes and refuses a larger one, failing the task with its size, address and the limit")
  void publishRefusesTooLarge(Vertx vertx) throws Exception {
    List<Integer> received = new CopyOnWriteArrayList<>();
    vertx.eventBus().<String>consumer("test.published", msg -> received.add(msg.body().length()));
    // As JSON a string of n characters is n + 2 bytes: 1998 fits in 2000, 2999 does not.
    JsonObject cfg = config(taskClass("feed", PublishingTask.class, new JsonObject().put("sizes", new JsonArray().add(1998).add(2999).add(10))))
      .put("bridge", new JsonObject().put("maxOutboundBytes", 2000));
    TestApp app = TestApp.start(vertx, cfg);
    assertEquals(new Outcome(1, "task \"feed\" failed: a message of 3001 bytes for test.published is larger than bridge.maxOutboundBytes (2000)"),
      app.awaitOutcome());
    assertTrue(received.contains(1998), "the message within the limit was published: " + received);
    assertFalse(received.contains(2999), "the larger one was not: " + received);
  }
}
