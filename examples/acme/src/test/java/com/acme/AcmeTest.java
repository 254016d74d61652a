package com.acme;

import io.oneloop.testkit.BridgeClient;
import io.oneloop.testkit.OneloopExtension;
import io.oneloop.testkit.OneloopExtension.Response;
import io.oneloop.testkit.Transport;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The app as configured in conf/config.json, started in-process by oneloop's test kit. */
class AcmeTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension
  static OneloopExtension oneloop = OneloopExtension.builder().configFile("conf/config.json").build();

  @Test
  void statusTaskPublishesTheLoadAndTheHeap() throws Exception {
    JsonObject status = (JsonObject) oneloop.awaitMessage("acme.status", WAIT);
    assertTrue(status.getLong("heapUsedBytes") > 0, status.encode());
    assertTrue(status.getInteger("cpus") > 0, status.encode());
    assertEquals("running", oneloop.task("status").getString("state"));
  }

  @Test
  void browsersReceiveTheStatusOverSockJs() throws Exception {
    BridgeClient client = oneloop.connectBridge(Transport.SOCKJS).register("acme.status");
    JsonObject status = (JsonObject) client.awaitMessage("acme.status", WAIT);
    assertTrue(status.getLong("seq") >= 1, status.encode());
  }

  @Test
  void aBackendPublishesANoticeThatBrowsersReceive() throws Exception {
    BridgeClient client = oneloop.connectBridge(Transport.SOCKJS).register("acme.notices");
    // Frames are handled in order: once a status registered after acme.notices arrives, acme.notices is registered.
    client.register("acme.status").awaitMessage("acme.status", WAIT);
    Response published = oneloop.request(HttpMethod.POST, "/api/publish",
      new JsonObject().put("address", "acme.notices").put("body", new JsonObject().put("text", "deploy at 17:00")).toBuffer());
    assertEquals(200, published.status(), published.body());
    assertEquals(new JsonObject().put("published", 1), new JsonObject(published.body()));
    JsonObject notice = (JsonObject) client.awaitMessage("acme.notices", WAIT);
    assertEquals("deploy at 17:00", notice.getString("text"), notice.encode());
  }

  @Test
  void onlyAddressesTheConfigPermitsCanBePublishedTo() throws Exception {
    Response refused = oneloop.request(HttpMethod.POST, "/api/publish",
      new JsonObject().put("address", "acme.secrets").put("body", "x").toBuffer());
    assertEquals(403, refused.status(), refused.body());
    assertTrue(refused.body().contains("address not permitted: acme.secrets"), refused.body());
  }

  @Test
  void anonymousSocketsMayNotRegisterForAdminFeeds() throws Exception {
    BridgeClient client = oneloop.connectBridge(Transport.SOCKJS).register("acme.admin.alerts");
    // bridge.outbound lists acme.admin.*; AcmeAuthorizer narrows it to signed-in sockets, and with auth off none is.
    assertEquals("access_denied", client.awaitErr());
    // The socket stays open, and what anyone may read still arrives.
    assertTrue(((JsonObject) client.register("acme.status").awaitMessage("acme.status", WAIT)).getLong("seq") >= 1);
  }

  @Test
  void digestJobHashesAFile(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("hello.txt"), "hello\n");
    JsonObject job = oneloop.runJob("digest", new JsonObject().put("path", file.toString()), WAIT);
    assertEquals("succeeded", job.getString("state"), job.encode());
    assertEquals("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", job.getJsonObject("result").getString("sha256"));
    assertEquals(6, job.getJsonObject("result").getLong("bytes"));
  }

  @Test
  void digestJobRefusesParamsWithoutAPath() {
    AssertionError refused = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
      () -> oneloop.startJob("digest", new JsonObject()));
    assertTrue(refused.getMessage().contains("400") && refused.getMessage().contains("params.path"), refused.getMessage());
  }
}
