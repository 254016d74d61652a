package io.oneloop.auth;

import io.oneloop.config.AuthConfig.Role;
import io.vertx.core.json.JsonObject;

/**
 * Who a token belongs to: its name (a static token's {@code name}, a JWT's {@code sub}), its role,
 * the {@code oneloop.addresses} claim that narrows its bridge permissions (null: not narrowed), and
 * when it expires (epoch milliseconds, 0: never).
 */
public record Principal(String name, Role role, JsonObject addresses, long expiresAtMs, boolean fromJwt) {

  public boolean isAdmin() {
    return role == Role.ADMIN;
  }

  /** A publisher's token serves {@code POST /api/publish} only. */
  public boolean isPublisher() {
    return role == Role.PUBLISHER;
  }
}
