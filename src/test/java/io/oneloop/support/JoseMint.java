package io.oneloop.support;

import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * JSON Web Tokens made with the JDK alone (javax.crypto.Mac, java.security.Signature), so a test
 * checks the app's verifier against tokens it did not mint itself: compact form
 * {@code base64url(header).base64url(claims).base64url(signature)} as RFC 7515 says, with ES256's
 * DER signature turned into the fixed-size R||S that JWS requires.
 */
public final class JoseMint {

  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

  private JoseMint() {
  }

  /** A fresh RSA 2048 key pair for RS256, test-only. */
  public static KeyPair rsa() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  /** A fresh P-256 key pair for ES256, test-only. */
  public static KeyPair ec() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  /** The key as {@code auth.jwt.publicKey} takes it. */
  public static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
      .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
  }

  /** The claims signed with HMAC-SHA256 under {@code secret}. */
  public static String hs256(String secret, JsonObject claims) throws Exception {
    String input = signingInput("HS256", claims);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return input + "." + URL.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }

  /** The claims signed with RSASSA-PKCS1-v1_5 SHA-256. */
  public static String rs256(PrivateKey key, JsonObject claims) throws Exception {
    String input = signingInput("RS256", claims);
    Signature signature = Signature.getInstance("SHA256withRSA");
    signature.initSign(key);
    signature.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + URL.encodeToString(signature.sign());
  }

  /** The claims signed with ECDSA P-256 SHA-256, the signature as JWS's 64-byte R||S. */
  public static String es256(PrivateKey key, JsonObject claims) throws Exception {
    String input = signingInput("ES256", claims);
    Signature signature = Signature.getInstance("SHA256withECDSA");
    signature.initSign(key);
    signature.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + URL.encodeToString(derToJose(signature.sign(), 32));
  }

  /** Signs with whichever algorithm {@code algorithm} names, {@code key} being the secret or the key pair. */
  public static String sign(String algorithm, Object key, JsonObject claims) throws Exception {
    return switch (algorithm) {
      case "HS256" -> hs256((String) key, claims);
      case "RS256" -> rs256(((KeyPair) key).getPrivate(), claims);
      case "ES256" -> es256(((KeyPair) key).getPrivate(), claims);
      default -> throw new IllegalArgumentException(algorithm);
    };
  }

  private static String signingInput(String algorithm, JsonObject claims) {
    String header = new JsonObject().put("alg", algorithm).put("typ", "JWT").encode();
    return URL.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
      + URL.encodeToString(escapeSurrogates(claims.encode()).getBytes(StandardCharsets.UTF_8));
  }

  /** Surrogates as JSON escapes, so a lone one reaches the verifier as such rather than as UTF-8's "?". */
  private static String escapeSurrogates(String json) {
    StringBuilder out = new StringBuilder(json.length());
    for (char c : json.toCharArray()) {
      out.append(Character.isSurrogate(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return out.toString();
  }

  /** DER {@code SEQUENCE { INTEGER r, INTEGER s }} to r and s, each left-padded to {@code size} bytes. */
  static byte[] derToJose(byte[] der, int size) {
    int offset = 2;
    if ((der[1] & 0xFF) == 0x81) {
      offset = 3;
    }
    byte[] out = new byte[2 * size];
    for (int part = 0; part < 2; part++) {
      if (der[offset] != 0x02) {
        throw new IllegalArgumentException("not a DER ECDSA signature");
      }
      int length = der[offset + 1];
      int start = offset + 2;
      byte[] integer = Arrays.copyOfRange(der, start, start + length);
      int skip = 0;
      while (integer.length - skip > size && integer[skip] == 0) {
        skip++;
      }
      int copy = integer.length - skip;
      System.arraycopy(integer, skip, out, part * size + size - copy, copy);
      offset = start + length;
    }
    return out;
  }
}
