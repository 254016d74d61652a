package com.acme;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions;
import io.oneloop.testkit.BridgeClient;
import io.oneloop.testkit.OneloopExtension;
import io.oneloop.testkit.Transport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** conf/config.json with auth on, as ONELOOP_AUTH_TOKENS turns it on: a service publishes with its token, a page reads with its own. */
class AcmeAuthOnTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final HasTextOptions WAIT_TEXT = new HasTextOptions().setTimeout(WAIT.toMillis());
  private static final String PUBLISHER = "publisher-token-0123456789abcdef";
  private static final String VIEWER = "viewer-token-0123456789abcdef";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(WAIT).build();

  @RegisterExtension
  static OneloopExtension oneloop = OneloopExtension.builder().configFile("conf/config.json")
    .config(new JsonObject().put("auth", new JsonObject().put("tokens", new JsonArray()
      .add(new JsonObject().put("name", "backend").put("role", "publisher").put("token", PUBLISHER))
      .add(new JsonObject().put("name", "alice").put("role", "viewer").put("token", VIEWER)))))
    .build();

  @Test
  void aSignedInSocketReceivesTheAdminFeedAPublisherSends() throws Exception {
    BridgeClient alice = BridgeClient.connect(oneloop.vertx(), oneloop.port(), Transport.SOCKJS,
      "token=" + URLEncoder.encode(VIEWER, StandardCharsets.UTF_8), Map.of());
    try {
      alice.register("acme.admin.alerts");
      // Frames are handled in order: a status registered afterwards means the admin feed was answered first.
      alice.register("acme.status").awaitMessage("acme.status", WAIT);
      assertEquals(List.of(), alice.backlog().stream().filter(BridgeClient.isErr()).toList(), "AcmeAuthorizer let alice in");

      HttpResponse<String> published = publish(PUBLISHER,
        new JsonObject().put("address", "acme.admin.alerts").put("body", new JsonObject().put("text", "disk 91% full")));
      assertEquals(200, published.statusCode(), published.body());
      JsonObject alert = (JsonObject) alice.awaitMessage("acme.admin.alerts", WAIT);
      assertEquals("disk 91% full", alert.getString("text"), alert.encode());
    } finally {
      alice.close();
    }
  }

  @Test
  void thePageConnectsWithTheTokenInItsAddressAndShowsNotices() throws Exception {
    try (Playwright playwright = Chromium.playwright(); Browser browser = Chromium.launch(playwright)) {
      Page page = browser.newPage();
      page.navigate(oneloop.baseUrl() + "/acme/#token=" + VIEWER);
      assertThat(page.locator("#seq")).hasText(Pattern.compile("^\\d+$"), WAIT_TEXT);
      HttpResponse<String> published = publish(PUBLISHER,
        new JsonObject().put("address", "acme.notices").put("body", new JsonObject().put("text", "deploy at 17:00")));
      assertEquals(200, published.statusCode(), published.body());
      assertThat(page.locator("#notices li").first()).hasText("deploy at 17:00", WAIT_TEXT);
    }
  }

  @Test
  void publishingWantsAPublisherOrAdminToken() throws Exception {
    JsonObject notice = new JsonObject().put("address", "acme.notices").put("body", new JsonObject().put("text", "hi"));
    assertEquals(401, publish(null, notice).statusCode());
    assertEquals(403, publish(VIEWER, notice).statusCode());
    assertEquals(200, publish(PUBLISHER, notice).statusCode());
  }

  private static HttpResponse<String> publish(String token, JsonObject body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(oneloop.baseUrl() + "/api/publish"))
      .timeout(WAIT).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
