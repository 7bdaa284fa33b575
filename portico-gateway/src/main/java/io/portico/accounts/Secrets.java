package io.portico.accounts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The random values of the accounts (session cookies and ids, CSRF tokens, API tokens, the setup
 * token) and of the portal (ids, API keys, invitation tokens), and the SHA-256 digests kept of the
 * secret ones. Thread-safe ({@link SecureRandom} is).
 */
public final class Secrets {

  private final SecureRandom random;

  public Secrets(SecureRandom random) {
    this.random = random;
  }

  /** {@code bytes} random bytes in URL-safe Base64 without padding. */
  public String text(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** {@code bytes} random bytes in lower-case hex. */
  public String hex(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** The SHA-256 digest of {@code text}'s UTF-8 bytes, in lower-case hex. */
  public static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
