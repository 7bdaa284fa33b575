package io.portico.plugins.auth.basic;

import io.portico.spi.plugin.Identity;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Successful {@code basic-auth} checks, remembered for a while so steady traffic from a known
 * client costs one lookup instead of a bcrypt check.
 *
 * <p>Entries are keyed by {@link #keyOf}: an HMAC-SHA256 of the presented credentials and the
 * stored hash, under a random key that exists only in this instance's memory. So the map never
 * holds a password or anything a password could be tested against offline; a lookup compares MACs,
 * never secrets, and since an attacker cannot steer a MAC, the time it takes says nothing about how
 * much of a password is right; and a changed password (a new stored hash) is never answered from
 * the cache. At {@code maxEntries} the map is cleared. Thread-safe.
 */
final class CredentialCache {

  private record Remembered(Identity identity, long expiresAtNanos) {}

  private final long ttlNanos;
  private final int maxEntries;
  private final ConcurrentHashMap<String, Remembered> entries = new ConcurrentHashMap<>();
  private final SecretKeySpec macKey;

  CredentialCache(Duration ttl, int maxEntries) {
    this.ttlNanos = ttl.toNanos();
    this.maxEntries = maxEntries;
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    this.macKey = new SecretKeySpec(key, "HmacSHA256");
  }

  /** Whether anything is ever remembered. */
  boolean enabled() {
    return maxEntries > 0 && ttlNanos > 0;
  }

  /**
   * The entry key of {@code credentials} ({@code user:password} as presented) checked against
   * {@code storedHash}: the hex HMAC-SHA256 of both, 64 characters whatever their length.
   */
  String keyOf(String credentials, String storedHash) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(macKey);
      mac.update(credentials.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      mac.update(storedHash.getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by the Java platform", e);
    }
  }

  /** The identity remembered under {@code key}, or null. */
  @Nullable Identity get(String key) {
    if (!enabled()) {
      return null;
    }
    Remembered r = entries.get(key);
    return r != null && r.expiresAtNanos() - System.nanoTime() > 0 ? r.identity() : null;
  }

  /** Remembers a successful check. */
  void put(String key, Identity identity) {
    if (!enabled()) {
      return;
    }
    if (entries.size() >= maxEntries) {
      entries.clear();
    }
    entries.put(key, new Remembered(identity, System.nanoTime() + ttlNanos));
  }
}
