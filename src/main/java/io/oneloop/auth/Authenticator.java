package io.oneloop.auth;

import io.oneloop.config.AuthConfig;
import io.oneloop.config.AuthConfig.Role;
import io.oneloop.config.AuthConfig.StaticToken;
import io.oneloop.text.DisplayText;
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
  private final boolean requireExp;

  private Authenticator(List<StaticToken> tokens, JWTAuth jwt, boolean requireExp) {
    this.tokens = tokens;
    this.digests = tokens.stream().map(t -> digest(t.token())).toList();
    this.jwt = jwt;
    this.requireExp = requireExp;
  }

  /** With authentication off, {@link #enabled()} is false and nothing should be asked of it. */
  public static Authenticator create(Vertx vertx, AuthConfig config) {
    JWTAuth jwt = null;
    if (config.jwt() != null) {
      AuthConfig.JwtSettings settings = config.jwt();
      JWTOptions options = new JWTOptions().setLeeway(settings.leewaySeconds());
      // vertx-auth-jwt checks aud only when given a list, and then refuses a token naming none of
      // it: an empty list would refuse every token, so no audience configured means none given.
      if (!settings.audience().isEmpty()) {
        options.setAudience(settings.audience());
      }
      if (settings.issuer() != null) {
        options.setIssuer(settings.issuer());
      }
      jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(settings.algorithm()).setBuffer(settings.key()))
        .setJWTOptions(options));
    }
    return new Authenticator(config.tokens(), jwt, config.jwt() == null || config.jwt().requireExp());
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
    Future<User> checked;
    try {
      checked = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // vertx-auth-jwt reads exp, nbf, iat, aud and iss of a validly signed token with casts that
      // throw on a claim of the wrong type ("exp": "soon"): that is a bad token, not a server error.
      checked = Future.failedFuture(e);
    }
    return checked
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
    String malformed = malformedClaim(claims);
    if (malformed != null) {
      return Future.failedFuture(new Refused(malformed));
    }
    Object subject = claims.getValue("sub");
    String name = subject == null ? "jwt" : (String) subject;
    Object roleClaim = claims.getValue(ROLE_CLAIM);
    Role role = roleClaim == null ? Role.VIEWER : Role.named(roleClaim);
    if (role == null) {
      return Future.failedFuture(new Refused("the token's " + ROLE_CLAIM + " claim must be " + Role.NAMES));
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
    long expiresAt = claims.getValue("exp") instanceof Number exp ? Math.min(exp.longValue(), Long.MAX_VALUE / 1000) * 1000 : 0;
    return Future.succeededFuture(new Principal(name, role, addresses, expiresAt, true));
  }

  /**
   * Why the registered claims of a validly signed token are not what RFC 7519 says, or null: the
   * times must be numbers, {@code exp} present unless {@code auth.jwt.requireExp} is false,
   * {@code iss} a string, {@code aud} a string or a list of strings, and {@code sub} a name fit to
   * show: it names the holder in chat, so one that only looks like another ({@code admin\u200b})
   * is refused, never cleaned up into it.
   */
  private String malformedClaim(JsonObject claims) {
    for (String time : new String[] {"exp", "nbf", "iat"}) {
      Object value = claims.getValue(time);
      if (value != null && !(value instanceof Number)) {
        return "the token's " + time + " claim must be a number of seconds";
      }
    }
    if (requireExp && claims.getValue("exp") == null) {
      return "the token must have an exp claim";
    }
    if (claims.containsKey("iss") && !(claims.getValue("iss") instanceof String)) {
      return "the token's iss claim must be a string";
    }
    Object audience = claims.getValue("aud");
    if (audience != null && !(audience instanceof String)
      && !(audience instanceof JsonArray list && list.stream().allMatch(String.class::isInstance))) {
      return "the token's aud claim must be a string or a list of strings";
    }
    Object subject = claims.getValue("sub");
    if (subject != null) {
      if (!(subject instanceof String sub)) {
        return "the token's sub claim must be a string";
      }
      String problem = DisplayText.nameProblem(sub, "the token's sub claim");
      if (problem != null) {
        return problem;
      }
      if (!sub.strip().equals(sub)) {
        return "the token's sub claim must not start or end with white space";
      }
    }
    return null;
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
