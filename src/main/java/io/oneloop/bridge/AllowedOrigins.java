package io.oneloop.bridge;

import java.util.List;
import java.util.Locale;

/**
 * {@code bridge.allowedOrigins}: which pages may open a bridge socket or change state through the
 * API. A request's own origin (its host[:port] equals the {@code Host} header, whatever the scheme,
 * so a TLS-terminating proxy keeps working) is always allowed; besides it, each entry is an exact
 * origin ({@code https://app.example.com}), one with any port ({@code http://localhost:*}),
 * {@code *} for any origin at all, or {@code null} for the opaque origin that sandboxed iframes,
 * {@code file:} pages and sockjs-client's jsonp sends carry: only an explicit {@code null} lets it in,
 * since any page can make itself that origin.
 */
public final class AllowedOrigins {

  /** The opaque origin, as browsers send it. */
  public static final String OPAQUE = "null";
  public static final List<String> DEFAULT_PATTERNS = List.of("http://localhost:*", "http://127.0.0.1:*");
  public static final AllowedOrigins DEFAULT = new AllowedOrigins(DEFAULT_PATTERNS);

  private final List<String> patterns;

  public AllowedOrigins(List<String> patterns) {
    this.patterns = patterns.stream().map(p -> p.trim().toLowerCase(Locale.ROOT)).toList();
  }

  public List<String> patterns() {
    return patterns;
  }

  /** A pattern as the config may give it, or the reason it is not one. */
  public static String problem(String pattern) {
    String p = pattern.trim();
    if (p.equals("*") || p.equalsIgnoreCase(OPAQUE)) {
      return null;
    }
    int scheme = p.indexOf("://");
    if (scheme <= 0 || p.length() == scheme + 3 || p.substring(scheme + 3).contains("/")) {
      return "must be an origin such as \"https://app.example.com\", \"http://localhost:*\", \"*\" or \"null\"";
    }
    return null;
  }

  /** Whether a request with this {@code Origin} (never null here) and this {@code Host} header may go on. */
  public boolean permits(String origin, String host) {
    String o = origin.trim().toLowerCase(Locale.ROOT);
    if (o.equals(OPAQUE)) {
      return patterns.contains(OPAQUE);
    }
    int scheme = o.indexOf("://");
    if (scheme <= 0) {
      return false;
    }
    String authority = o.substring(scheme + 3);
    if (host != null && authority.equals(host.trim().toLowerCase(Locale.ROOT))) {
      return true;
    }
    for (String pattern : patterns) {
      if (pattern.equals("*") || pattern.equals(o)) {
        return true;
      }
      if (pattern.endsWith(":*")) {
        String base = pattern.substring(0, pattern.length() - 2);
        if (o.equals(base) || (o.startsWith(base + ":") && isPort(o.substring(base.length() + 1)))) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean isPort(String s) {
    if (s.isEmpty() || s.length() > 5) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "AllowedOrigins" + patterns;
  }
}
