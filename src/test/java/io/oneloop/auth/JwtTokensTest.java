package io.oneloop.auth;

import io.oneloop.auth.Authenticator;
import io.oneloop.auth.Principal;
import io.oneloop.config.AppConfig;
import io.oneloop.config.ConfigLoader;
import io.oneloop.support.JoseMint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.KeyPair;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * auth.jwt as configured, for each algorithm, against tokens the JDK minted ({@link JoseMint}), not
 * the library that checks them: audience optional, exp required unless requireExp is false, and a
 * token whose claims have the wrong shape refused as a bad token, never thrown.
 */
@ExtendWith(VertxExtension.class)
class JwtTokensTest {

  private static final String SECRET = "a-test-only-secret-of-at-least-32-characters";
  private static final String ISSUER = "https://login.example";
  private static KeyPair rsa;
  private static KeyPair ec;

  @BeforeAll
  static void keys() throws Exception {
    rsa = JoseMint.rsa();
    ec = JoseMint.ec();
  }

  private static Object signingKey(String algorithm) {
    return switch (algorithm) {
      case "HS256" -> SECRET;
      case "RS256" -> rsa;
      default -> ec;
    };
  }

  /** An authenticator built from {@code auth.jwt} as the config file gives it, through the config's own checks. */
  private static Authenticator authenticator(Vertx vertx, String algorithm, JsonObject extra) {
    JsonObject jwt = new JsonObject().put("algorithm", algorithm).put("issuer", ISSUER);
    if (algorithm.equals("HS256")) {
      jwt.put("secret", SECRET);
    } else {
      jwt.put("publicKey", JoseMint.pem(((KeyPair) signingKey(algorithm)).getPublic()));
    }
    jwt.mergeIn(extra);
    AppConfig config = AppConfig.validate(ConfigLoader.resolve(new JsonObject().put("auth", new JsonObject().put("jwt", jwt)),
      true, Map.of()), "conf/test.json");
    return Authenticator.create(vertx, config.auth());
  }

  private static JsonObject claims(String sub) {
    return new JsonObject().put("sub", sub).put("iss", ISSUER).put("exp", System.currentTimeMillis() / 1000 + 600);
  }

  /** The principal, or null when refused; failing if the authenticator throws or fails otherwise than with a refusal. */
  private static Principal check(Authenticator auth, String token) throws Exception {
    Future<Principal> result;
    try {
      result = auth.authenticate(token);
    } catch (RuntimeException e) {
      fail("a token must be refused, not thrown at the caller (a 500): " + e);
      return null;
    }
    try {
      return result.await(10, TimeUnit.SECONDS);
    } catch (Authenticator.Refused refused) {
      return null;
    } catch (Exception e) {
      fail("refused with something other than a refusal: " + e);
      return null;
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"HS256", "RS256", "ES256"})
  @DisplayName("without audience configured, a valid token is accepted whatever its aud, or with none")
  void noAudienceConfigured(String algorithm, Vertx vertx) throws Exception {
    Authenticator auth = authenticator(vertx, algorithm, new JsonObject());
    Object key = signingKey(algorithm);
    Principal none = check(auth, JoseMint.sign(algorithm, key, claims("alice")));
    assertNotNull(none, "no aud");
    assertEquals("alice", none.name());
    assertNotNull(check(auth, JoseMint.sign(algorithm, key, claims("alice").put("aud", "anything"))), "aud a string");
    assertNotNull(check(auth, JoseMint.sign(algorithm, key, claims("alice").put("aud", new JsonArray().add("a").add("b")))),
      "aud a list");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"HS256", "RS256", "ES256"})
  @DisplayName("with audience configured, a token naming it is accepted and one naming another, or none, is refused")
  void audienceConfigured(String algorithm, Vertx vertx) throws Exception {
    Authenticator auth = authenticator(vertx, algorithm, new JsonObject().put("audience", "oneloop"));
    Object key = signingKey(algorithm);
    assertNotNull(check(auth, JoseMint.sign(algorithm, key, claims("alice").put("aud", "oneloop"))));
    assertNotNull(check(auth, JoseMint.sign(algorithm, key, claims("alice").put("aud", new JsonArray().add("x").add("oneloop")))));
    assertEquals(null, check(auth, JoseMint.sign(algorithm, key, claims("alice").put("aud", "other"))), "another audience");
    assertEquals(null, check(auth, JoseMint.sign(algorithm, key, claims("alice"))), "no aud");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"HS256", "RS256", "ES256"})
  @DisplayName("a token without exp is refused unless requireExp is false; an expired one, a foreign issuer and another key are refused")
  void expiry(String algorithm, Vertx vertx) throws Exception {
    Object key = signingKey(algorithm);
    JsonObject noExp = claims("alice");
    noExp.remove("exp");
    String endless = JoseMint.sign(algorithm, key, noExp);
    assertEquals(null, check(authenticator(vertx, algorithm, new JsonObject()), endless), "exp is required by default");
    Principal allowed = check(authenticator(vertx, algorithm, new JsonObject().put("requireExp", false)), endless);
    assertNotNull(allowed, "requireExp false");
    assertEquals(0, allowed.expiresAtMs());
    Authenticator auth = authenticator(vertx, algorithm, new JsonObject());
    assertEquals(null, check(auth, JoseMint.sign(algorithm, key, claims("alice").put("exp", System.currentTimeMillis() / 1000 - 60))),
      "expired");
    assertEquals(null, check(auth, JoseMint.sign(algorithm, key, claims("alice").put("iss", "https://evil.example"))), "issuer");
    Object otherKey = switch (algorithm) {
      case "HS256" -> "another-test-only-secret-of-32-characters-or-more";
      case "RS256" -> JoseMint.rsa();
      default -> JoseMint.ec();
    };
    assertEquals(null, check(auth, JoseMint.sign(algorithm, otherKey, claims("alice"))), "signed with another key");
    Principal valid = check(auth, JoseMint.sign(algorithm, key, claims("alice")));
    assertNotNull(valid);
    assertTrue(valid.expiresAtMs() > System.currentTimeMillis(), "the socket is closed at exp");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"HS256", "RS256", "ES256"})
  @DisplayName("a validly signed token with claims of the wrong shape, or a sub that only looks like a name, is refused")
  void malformedClaims(String algorithm, Vertx vertx) throws Exception {
    Object key = signingKey(algorithm);
    Authenticator withChecks = authenticator(vertx, algorithm, new JsonObject().put("audience", "oneloop"));
    Authenticator plain = authenticator(vertx, algorithm, new JsonObject().put("requireExp", false));
    JsonObject[] shapes = {
      claims("alice").put("exp", "soon"),
      claims("alice").put("exp", true),
      claims("alice").put("nbf", "x"),
      claims("alice").put("iat", "x"),
      claims("alice").put("aud", 5),
      claims("alice").put("aud", new JsonArray().add(5)),
      claims("alice").put("iss", 5),
      claims("alice").put("sub", 5),
      claims("alice").put("oneloop.addresses", "x"),
      claims("alice").put("oneloop.role", 5),
      claims("admin\u200B"),
      claims("\u3164"),
      claims("\u3000 "),
      claims(""),
      claims(" admin"),
      claims("ad\u200Emin"),
      claims("a\u2028b"),
      claims("\uFEFFadmin"),
      claims("admin\uDB40\uDC41"),
      claims("admin\uD800"),
      claims("adm\uE000in"),
    };
    for (JsonObject shape : shapes) {
      for (Authenticator auth : new Authenticator[] {withChecks, plain}) {
        String token = JoseMint.sign(algorithm, key, shape.copy().put("aud", shape.getValue("aud", "oneloop")));
        assertEquals(null, check(auth, token), shape.encode());
      }
    }
    assertNotNull(check(withChecks, JoseMint.sign(algorithm, key, claims("Zoë 山田").put("aud", "oneloop"))),
      "names in any script pass");
  }
}
