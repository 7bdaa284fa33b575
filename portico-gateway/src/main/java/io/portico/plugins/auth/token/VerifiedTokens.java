package io.portico.plugins.auth.token;

import io.portico.plugins.auth.AuthResult;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Tokens that already passed every check, so that a client sending the same token again costs a map
 * lookup instead of a signature verification.
 *
 * <p>An entry lives until the earlier of the token's {@code exp} and {@code ttl} after it was
 * verified; only successes are kept, and the key is the whole token, so a changed byte misses.
 * Bounded: past {@code maxEntries} the expired entries are dropped, then everything. A key removed
 * from its JWKS stops being trusted for new tokens at once and for cached ones within {@code ttl}.
 * Thread-safe.
 */
final class VerifiedTokens {

  private record Entry(AuthResult.Authenticated result, long expiresAtMillis) {}

  private final long ttlMillis;
  private final int maxEntries;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

  VerifiedTokens(Duration ttl, int maxEntries) {
    this.ttlMillis = ttl.toMillis();
    this.maxEntries = maxEntries;
  }

  boolean enabled() {
    return ttlMillis > 0 && maxEntries > 0;
  }

  /** The cached result for {@code token}, or null. */
  AuthResult.@Nullable Authenticated get(String token) {
    Entry e = entries.get(token);
    if (e == null) {
      return null;
    }
    if (System.currentTimeMillis() >= e.expiresAtMillis) {
      entries.remove(token, e);
      return null;
    }
    return e.result;
  }

  /** Remembers a success until {@code expMillis} (the token's {@code exp}; 0 when it has none). */
  void put(String token, AuthResult.Authenticated result, long expMillis) {
    long now = System.currentTimeMillis();
    long until = now + ttlMillis;
    if (expMillis > 0) {
      until = Math.min(until, expMillis);
    }
    if (until <= now) {
      return;
    }
    if (entries.size() >= maxEntries) {
      entries.values().removeIf(e -> e.expiresAtMillis <= now);
      if (entries.size() >= maxEntries) {
        entries.clear();
      }
    }
    entries.put(token, new Entry(result, until));
  }

  int size() {
    return entries.size();
  }
}
