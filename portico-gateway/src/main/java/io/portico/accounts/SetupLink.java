package io.portico.accounts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The first-run setup link's token: 256 random bits, of which only the SHA-256 digest is kept, in
 * memory. It is valid until it expires or is used once; issuing a new one replaces the old.
 *
 * <p>Not thread-safe: {@link Accounts} calls it under its lock.
 */
final class SetupLink {

  private final Secrets secrets;
  private final Clock clock;
  private @Nullable String digest;
  private Instant expires = Instant.EPOCH;

  SetupLink(Secrets secrets, Clock clock) {
    this.secrets = secrets;
    this.clock = clock;
  }

  /** A new token, valid for {@code ttl}. */
  String issue(Duration ttl) {
    String token = secrets.text(32);
    digest = Secrets.sha256(token);
    expires = clock.instant().plus(ttl);
    return token;
  }

  /** Whether a token is waiting to be used. */
  boolean pending() {
    return digest != null && clock.instant().isBefore(expires);
  }

  /** Whether {@code token} is the one waiting (compared in constant time). */
  boolean accepts(String token) {
    String d = digest;
    return d != null
        && clock.instant().isBefore(expires)
        && MessageDigest.isEqual(
            d.getBytes(StandardCharsets.US_ASCII),
            Secrets.sha256(token).getBytes(StandardCharsets.US_ASCII));
  }

  /** The token was used: it no longer works. */
  void used() {
    digest = null;
  }
}
