package io.oneloop.http;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostCheckTest {

  @Test
  @DisplayName("http.host, when a name, passes in any case and with any port; an IP http.host lets no name in")
  void httpHostName() {
    HostCheck named = new HostCheck(List.of(), "oneloop.internal");
    assertTrue(named.permits("oneloop.internal:8080"));
    assertTrue(named.permits("ONELOOP.Internal"));
    assertFalse(named.permits("evil.example:8080"));
    HostCheck literal = new HostCheck(List.of("ops.example.com"), "0.0.0.0");
    assertTrue(literal.permits("0.0.0.0:8080"));
    assertTrue(literal.permits("ops.example.com:443"));
    assertFalse(literal.permits("oneloop.internal"));
    assertFalse(literal.permits("[not-an-address]:80"));
    assertTrue(literal.permits("[fe80::1]"));
  }
}
