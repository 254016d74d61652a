package io.oneloop.bench.harness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** BENCHMARKS.md's publish section leads with the figure asked for, on both paths, with the raised limit. */
class PublishSectionTest {

  private static JsonObject publish(double kept, double p99) {
    return new JsonObject().put("rounds", 1).put("clients", 1000).put("connections", 32)
        .put("maxInFlight", 256).put("openLoop", true).put("maxPublishPerSecond", 1_000_000)
        .put("passRule", "accepted >= 99 %").put("warmupSeconds", 3.0)
        .put("maxAcceptedPerSec", kept).put("maxStepP99Ms", p99).put("maxStepPostP99Ms", 4.0)
        .put("maxStepServerCpuUsPerDelivery", 1.25)
        .put("steps", new JsonArray().add(new JsonObject().put("rate", kept).put("seconds", 3.0)
            .put("rounds", 1).put("passedRounds", 1).put("acceptedPerSec", kept).put("refused", 0)
            .put("failed", 0).put("notSent", 0).put("p99Ms", p99)));
  }

  @Test
  void leadsWithPublishesPerSecondAndP99OnBothPaths() {
    JsonObject r = new JsonObject().put("summary", new JsonObject()
        .put("oneloop", new JsonObject().put("publish", publish(1600, 12.5)))
        .put("oneloop-sockjs", new JsonObject().put("publish", publish(800, 20.25))));
    String md = PublishSection.render(r);
    assertTrue(md.contains("### Publishes/s through the API and p99 from POST to delivery at 1000 clients"), md);
    assertTrue(md.contains("**This run raises `http.maxPublishPerSecond` to 1,000,000**"), md);
    assertTrue(md.contains("| SockJS WebSocket transport (`oneloop-sockjs`) | 800 | 20.25 ms | 4.00 ms | 1.250 µs | 1 |"), md);
    assertTrue(md.contains("| raw WebSocket (`oneloop`) | 1,600 | 12.50 ms | 4.00 ms | 1.250 µs | 1 |"), md);
    assertTrue(md.contains("open loop over 32 keep-alive HTTP/1.1 connections with pipelining"), md);
  }
}
