package io.oneloop.config;

import java.util.List;

/**
 * The {@code auth} config: static tokens with a name and a role, and how JSON Web Tokens are checked.
 * With neither, authentication is off and everything is open as without it.
 */
public record AuthConfig(List<StaticToken> tokens, JwtSettings jwt) {

  public static final AuthConfig OFF = new AuthConfig(List.of(), null);

  public AuthConfig {
    tokens = List.copyOf(tokens);
  }

  public boolean enabled() {
    return !tokens.isEmpty() || jwt != null;
  }

  /**
   * What a token may do: a viewer reads, an admin also starts and cancels jobs; a publisher may
   * only publish through {@code POST /api/publish} (no other route, no bridge socket).
   */
  public enum Role {
    VIEWER("viewer"),
    ADMIN("admin"),
    PUBLISHER("publisher");

    /** The roles as a config or an error names them. */
    public static final String NAMES = "\"viewer\", \"admin\" or \"publisher\"";

    public final String configName;

    Role(String configName) {
      this.configName = configName;
    }

    /** The role named so in a config or a claim, or null. */
    public static Role named(Object name) {
      for (Role role : values()) {
        if (role.configName.equals(name)) {
          return role;
        }
      }
      return null;
    }
  }

  /** One entry of {@code auth.tokens}; {@code name} is what logs show instead of the token. */
  public record StaticToken(String name, Role role, String token) {

    @Override
    public String toString() {
      return "StaticToken[" + name + ", " + role.configName + "]";
    }
  }

  /**
   * {@code auth.jwt}: the algorithm with its key ({@code secret} for HS256, a PEM {@code publicKey}
   * for RS256 and ES256), the issuer required (null: any), the audiences of which a token must name
   * one (empty: any {@code aud}, or none, is accepted), the clock leeway, and whether a token must
   * carry {@code exp}.
   */
  public record JwtSettings(String algorithm, String key, String issuer, List<String> audience, int leewaySeconds,
                            boolean requireExp) {

    public JwtSettings {
      audience = List.copyOf(audience);
    }

    public boolean symmetric() {
      return algorithm.startsWith("HS");
    }

    @Override
    public String toString() {
      return "JwtSettings[" + algorithm + ", issuer " + issuer + ", audience " + audience + ", requireExp " + requireExp + "]";
    }
  }
}
