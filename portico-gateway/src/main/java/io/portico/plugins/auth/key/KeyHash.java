package io.portico.plugins.auth.key;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The stored form of an API key: {@code sha256:} followed by the lower-case hex SHA-256 of the
 * key's UTF-8 bytes. API keys are long random values, so a fast hash is enough to keep them
 * unusable when a config leaks; {@code portico hash-key} prints it.
 */
public final class KeyHash {

  static final String PREFIX = "sha256:";
  static final String RULE = "sha256: followed by 64 hex digits (portico hash-key prints it)";
  private static final Pattern FORMAT = Pattern.compile("sha256:[0-9a-fA-F]{64}");

  private KeyHash() {}

  /** The stored form of {@code key}. */
  public static String of(String key) {
    return PREFIX + HexFormat.of().formatHex(digest(key));
  }

  /** The SHA-256 of the key's UTF-8 bytes. */
  static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  /** The digest of a stored form, or null when it is not one. */
  static byte @Nullable [] parse(String stored) {
    if (!FORMAT.matcher(stored).matches()) {
      return null;
    }
    return HexFormat.of().parseHex(stored.substring(PREFIX.length()));
  }
}
