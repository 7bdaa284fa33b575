package io.portico.accounts;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * Password hashes and the password rules. Hashes are bcrypt at cost 10 (tens of milliseconds, so
 * callers hash outside their locks). A check for an account that does not exist does the same work
 * against a dummy hash, so that the time of a refusal does not tell whether the account exists.
 * Thread-safe.
 */
final class Passwords {

  private static final int BCRYPT_COST = 10;

  private final SecureRandom random;
  private final String dummyHash;
  private final AtomicInteger hashes = new AtomicInteger();

  Passwords(SecureRandom random, Secrets secrets) {
    this.random = random;
    this.dummyHash = hash(secrets.text(16));
  }

  String hash(String password) {
    hashes.incrementAndGet();
    return BCrypt.hashpw(password, BCrypt.gensalt(BCRYPT_COST, random));
  }

  /** How many hashes {@link #hash} has made. */
  int hashes() {
    return hashes.get();
  }

  /** Whether {@code password} matches {@code hash}; false, after the same work, for no hash. */
  boolean matches(String password, @Nullable String hash) {
    boolean ok = check(password, hash == null ? dummyHash : hash);
    return ok && hash != null;
  }

  private static boolean check(String password, String hash) {
    try {
      return BCrypt.checkpw(password, hash);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** What is wrong with a password for the account {@code name}, or null. */
  static @Nullable String problem(String password, String name) {
    if (password.length() < Accounts.MIN_PASSWORD) {
      return "password: (expected: at least " + Accounts.MIN_PASSWORD + " characters)";
    }
    if (password.getBytes(StandardCharsets.UTF_8).length > Accounts.MAX_PASSWORD_BYTES) {
      return "password: (expected: at most " + Accounts.MAX_PASSWORD_BYTES + " bytes in UTF-8)";
    }
    if (password.equalsIgnoreCase(name)) {
      return "password: (expected: other than the account name)";
    }
    return null;
  }
}
