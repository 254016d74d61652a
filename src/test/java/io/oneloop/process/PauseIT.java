package io.oneloop.process;

import io.oneloop.support.AppProcess;
import io.oneloop.support.RawSocket;
import io.oneloop.testkit.Transport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A process paused longer than the bridge's ping timeout (a long GC, a frozen VM; here SIGSTOP)
 * comes back with its clients: their pings waited in the kernel meanwhile, and a pause must not
 * turn into every client reconnecting at once.
 */
class PauseIT {

  private static final int CLIENTS = 20;

  @Test
  @DisplayName("after a 15 s SIGSTOP, clients that kept pinging are still connected and served")
  void pauseKeepsClients() throws Exception {
    JsonObject config = new JsonObject()
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", AppProcess.freePort()))
      .put("bridge", new JsonObject().put("outbound", new JsonArray().add(new JsonObject().put("address", "oneloop.ticker"))))
      .put("tasks", new JsonArray().add(new JsonObject().put("name", "ticker").put("type", "ticker")
        .put("config", new JsonObject().put("intervalMs", 200))));
    ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor();
    List<RawSocket> clients = new ArrayList<>();
    AtomicInteger failedPings = new AtomicInteger();
    try (AppProcess app = AppProcess.serve("pause-it", config)) {
      String register = new JsonObject().put("type", "register").put("address", "oneloop.ticker").encode();
      String ping = new JsonObject().put("type", "ping").encode();
      for (int i = 0; i < CLIENTS; i++) {
        RawSocket client = RawSocket.connect(app.port(), Transport.RAW.path(), 1024 * 1024);
        client.sendText(register);
        clients.add(client);
      }
      // Every 2 s, as the official client does every 5 s: well inside the 10 s timeout.
      pinger.scheduleAtFixedRate(() -> {
        for (RawSocket client : clients) {
          try {
            client.sendText(ping);
          } catch (Exception e) {
            failedPings.incrementAndGet();
          }
        }
      }, 0, 2, TimeUnit.SECONDS);
      app.signal("STOP");
      try {
        // Eight more rounds of pings (about 16 s, longer than the 10 s ping timeout): every
        // client's ping check falls due while its pings wait in the kernel.
        java.util.concurrent.CountDownLatch rounds = new java.util.concurrent.CountDownLatch(8);
        pinger.scheduleAtFixedRate(rounds::countDown, 2, 2, TimeUnit.SECONDS);
        assertTrue(rounds.await(60, TimeUnit.SECONDS), "the pings of the pause went out");
      } finally {
        app.signal("CONT");
      }
      app.awaitHealth(app.port(), 200);
      // Read what each client got since: a closed one ends with a close frame or the end of its stream.
      int closed = 0;
      for (RawSocket client : clients) {
        List<RawSocket.Frame> frames = client.readUntilClose(500);
        if (!frames.isEmpty() && frames.get(frames.size() - 1).opcode() == 0x8) {
          closed++;
        } else {
          assertTrue(frames.stream().anyMatch(f -> f.text().contains("oneloop.ticker")), "a client still gets ticks");
        }
      }
      assertEquals(0, closed, "clients closed by the pause");
      assertEquals(0, failedPings.get(), "pings that could not be sent (a connection ended)");
    } finally {
      pinger.shutdownNow();
      for (RawSocket client : clients) {
        client.close();
      }
    }
  }
}
