package io.portico.accounts;

import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Account API tokens: a new token is {@value Accounts#TOKEN_PREFIX} and 256 random bits, shown
 * once; its account keeps only the SHA-256 digest ({@link ApiToken}). The index from digest to
 * account, rebuilt whenever the accounts change, answers {@link #owner} for every request of the
 * admin listener without a lock.
 *
 * <p>Thread-safe: the index is an immutable map behind a volatile field.
 */
final class ApiTokens {

  /** The most tokens an account may have. */
  static final int MAX_PER_ACCOUNT = 50;

  private final Secrets secrets;
  private final Clock clock;
  private volatile Map<String, String> owners = Map.of();

  ApiTokens(Secrets secrets, Clock clock) {
    this.secrets = secrets;
    this.clock = clock;
  }

  /** What is wrong with a token's name, or null. */
  static @Nullable String nameProblem(String tokenName) {
    if (tokenName.isBlank() || tokenName.length() > 64 || Accounts.hasControl(tokenName)) {
      return "name: (expected: 1 to 64 characters, no control characters)";
    }
    return null;
  }

  /** A new token named {@code tokenName}: what its account keeps, and the token itself. */
  Accounts.NewToken mint(String tokenName) {
    String token = Accounts.TOKEN_PREFIX + secrets.text(32);
    return new Accounts.NewToken(
        new ApiToken(secrets.hex(8), tokenName, Secrets.sha256(token), clock.instant()), token);
  }

  /** Makes the index that of {@code accounts}' tokens. */
  void index(Collection<Account> accounts) {
    Map<String, String> next = new HashMap<>();
    for (Account a : accounts) {
      for (ApiToken t : a.tokens()) {
        next.put(t.digest(), a.name());
      }
    }
    owners = Map.copyOf(next);
  }

  /** The name of the account {@code token} belongs to, or null. */
  @Nullable String owner(String token) {
    if (!token.startsWith(Accounts.TOKEN_PREFIX)) {
      return null;
    }
    return owners.get(Secrets.sha256(token));
  }
}
