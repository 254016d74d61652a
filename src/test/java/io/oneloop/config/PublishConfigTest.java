package io.oneloop.config;

import io.oneloop.testtasks.SelfEndingTask;
import io.oneloop.testtasks.TestAuthorizer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The keys of the publish API, the publisher role, {user} entries and bridge.authorizer, checked as every other key. */
class PublishConfigTest {

  private static AppConfig check(String json, Map<String, String> env) {
    return AppConfig.validate(ConfigLoader.resolve(new JsonObject(json), true, env), "conf/bad.json");
  }

  private static String error(String json) {
    return assertThrows(ConfigException.class, () -> check(json, Map.of())).getMessage();
  }

  @Test
  @DisplayName("http.maxPublishPerSecond: 1000 by default, a whole number of at least 1")
  void maxPublishPerSecond() {
    assertEquals(1000, check("{}", Map.of()).http().maxPublishPerSecond());
    assertEquals(5, check("{\"http\":{\"maxPublishPerSecond\":5}}", Map.of()).http().maxPublishPerSecond());
    String message = error("{\"http\":{\"maxPublishPerSecond\":0}}");
    assertTrue(message.contains("conf/bad.json: http.maxPublishPerSecond must be"), message);
  }

  @Test
  @DisplayName("the publisher role is accepted in auth.tokens and ONELOOP_AUTH_TOKENS; an unknown role names all three")
  void publisherRole() {
    AppConfig config = check("{\"auth\":{\"tokens\":[{\"name\":\"shop\",\"role\":\"publisher\",\"token\":\"0123456789abcdefgh\"}]}}", Map.of());
    assertEquals(AuthConfig.Role.PUBLISHER, config.auth().tokens().get(0).role());
    AppConfig fromEnv = check("{}", Map.of("ONELOOP_AUTH_TOKENS", "shop:publisher:0123456789abcdefgh"));
    assertEquals(AuthConfig.Role.PUBLISHER, fromEnv.auth().tokens().get(0).role());
    String message = error("{\"auth\":{\"tokens\":[{\"name\":\"x\",\"role\":\"root\",\"token\":\"0123456789abcdefgh\"}]}}");
    assertTrue(message.contains("role must be \"viewer\", \"admin\" or \"publisher\", got \"root\""), message);
  }

  @Test
  @DisplayName("bridge.authorizer is checked as a task class is, bridge.authorizerTimeoutMs defaults to 2000")
  void authorizer() {
    AppConfig none = check("{}", Map.of());
    assertNull(none.bridgeAuthorizer());
    assertEquals(2000, none.bridge().authorizerTimeoutMs());
    AppConfig set = check("{\"bridge\":{\"authorizer\":\"" + TestAuthorizer.class.getName() + "\",\"authorizerTimeoutMs\":300}}", Map.of());
    assertEquals(TestAuthorizer.class.getName(), set.bridgeAuthorizer());
    assertEquals(300, set.bridge().authorizerTimeoutMs());
    String missing = error("{\"bridge\":{\"authorizer\":\"no.such.Authorizer\"}}");
    assertTrue(missing.contains("bridge.authorizer: no class no.such.Authorizer on the class path"), missing);
    String wrong = error("{\"bridge\":{\"authorizer\":\"" + SelfEndingTask.class.getName() + "\"}}");
    assertTrue(wrong.contains("does not implement io.oneloop.bridge.Authorizer"), wrong);
    String timeout = error("{\"bridge\":{\"authorizerTimeoutMs\":0}}");
    assertTrue(timeout.contains("bridge.authorizerTimeoutMs must be"), timeout);
  }

  @Test
  @DisplayName("a {user} addressRegex is checked as it will compile for a socket; a broken one is an error naming the entry")
  void userEntries() {
    check("{\"bridge\":{\"outbound\":[{\"address\":\"user.{user}.orders\"},{\"addressRegex\":\"feed\\\\.{user}\\\\..*\"}]}}", Map.of());
    String message = error("{\"bridge\":{\"outbound\":[{\"addressRegex\":\"feed\\\\.({user}\"}]}}");
    assertTrue(message.contains("bridge.outbound[0].addressRegex must be a valid regular expression"), message);
  }
}
