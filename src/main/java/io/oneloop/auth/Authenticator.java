package io.oneloop.auth;

import io.oneloop.config.AuthConfig;
import io.oneloop.config.AuthConfig.Role;
import io.oneloop.config.AuthConfig.StaticToken;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns a bearer token into a {@link Principal}: a static token of {@code auth.tokens} (compared in
 * constant time) or a JSON Web Token checked as {@code auth.jwt} says. Built once per app.
 */
public final class Authenticator {

  public static final String ROLE_CLAIM = "oneloop.role";
  public static final String ADDRESSES_CLAIM = "oneloop.addresses";
  /** The longest token looked at; anything longer is refused unread. */
  private static final int MAX_TOKEN_LENGTH = 8192;

  private final List<StaticToken> tokens;
  private final List<byte[]> digests;
  private final JWTAuth jwt;

  private Authenticator(List<StaticToken> tokens, JWTAuth jwt) {
    this.tokens = tokens;
    this.digests = tokens.stream().map(t -> digest(t.token())).toList();
    this.jwt = jwt;
  }

  /** With authentication off, {@link #enabled()} is false and nothing should be asked of it. */
  public static Authenticator create(Vertx vertx, AuthConfig config) {
    JWTAuth jwt = null;
    if (config.jwt() != null) {
      AuthConfig.JwtSettings settings = config.jwt();
      JWTOptions options = new JWTOptions().setLeeway(settings.leewaySeconds()).setAudience(settings.audience());
      if (settings.issuer() != null) {
        options.setIssuer(settings.issuer());
      }
      jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(settings.algorithm()).setBuffer(settings.key()))
        .setJWTOptions(options));
    }
    return new Authenticator(config.tokens(), jwt);
  }

  public boolean enabled() {
    return !tokens.isEmpty() || jwt != null;
  }

  /** Who holds the token; fails with {@link Refused} saying why not (never showing the token). */
  public Future<Principal> authenticate(String token) {
    if (token == null || token.isEmpty()) {
      return Future.failedFuture(new Refused("a token is required"));
    }
    if (token.length() > MAX_TOKEN_LENGTH) {
      return Future.failedFuture(new Refused("the token is not valid"));
    }
    StaticToken match = staticToken(token);
    if (match != null) {
      return Future.succeededFuture(new Principal(match.name(), match.role(), null, 0, false));
    }
    if (jwt == null || token.chars().filter(c -> c == '.').count() != 2) {
      return Future.failedFuture(new Refused("the token is not valid"));
    }
    return jwt.authenticate(new TokenCredentials(token))
      .recover(cause -> Future.failedFuture(new Refused("the token is not valid or has expired")))
      .compose(this::fromJwt);
  }

  /** Every configured token is compared, each in constant time, so timing tells nothing about which nearly matched. */
  private StaticToken staticToken(String token) {
    byte[] given = digest(token);
    StaticToken found = null;
    for (int i = 0; i < tokens.size(); i++) {
      if (MessageDigest.isEqual(given, digests.get(i))) {
        found = tokens.get(i);
      }
    }
    return found;
  }

  private Future<Principal> fromJwt(User user) {
    JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
    Object subject = claims.getValue("sub");
    String name = subject instanceof String s && !s.isBlank() ? s : "jwt";
    Object roleClaim = claims.getValue(ROLE_CLAIM);
    Role role = roleClaim == null ? Role.VIEWER : Role.named(roleClaim);
    if (role == null) {
      return Future.failedFuture(new Refused("the token's " + ROLE_CLAIM + " claim must be \"viewer\" or \"admin\""));
    }
    JsonObject addresses = null;
    Object addressesClaim = claims.getValue(ADDRESSES_CLAIM);
    if (addressesClaim != null) {
      addresses = addressesClaim instanceof JsonObject a ? a : null;
      if (addresses == null || !validAddresses(addresses)) {
        return Future.failedFuture(new Refused("the token's " + ADDRESSES_CLAIM
          + " claim must be {\"outbound\": [...], \"inbound\": [...]}, each entry {\"address\"} or {\"addressRegex\"}"));
      }
    }
    long expiresAt = claims.getValue("exp") instanceof Number exp ? exp.longValue() * 1000 : 0;
    return Future.succeededFuture(new Principal(name, role, addresses, expiresAt, true));
  }

  private static boolean validAddresses(JsonObject addresses) {
    for (String key : addresses.fieldNames()) {
      if (!key.equals("inbound") && !key.equals("outbound") || !(addresses.getValue(key) instanceof JsonArray list)) {
        return false;
      }
      for (Object entry : list) {
        if (!(entry instanceof JsonObject e) || e.size() != 1) {
          return false;
        }
        Object address = e.getValue("address");
        Object regex = e.getValue("addressRegex");
        if (!(address instanceof String) && !(regex instanceof String r && compiles(r))) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean compiles(String regex) {
    try {
      Pattern.compile(regex);
      return regex.length() <= 1000;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** A token refused, with a reason fit for the client and the log. */
  public static final class Refused extends RuntimeException {
    public Refused(String message) {
      super(message, null, false, false);
    }
  }
}
