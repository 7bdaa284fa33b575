package io.portico.accounts;

import java.time.Instant;
import java.util.List;

/**
 * One account as stored.
 *
 * @param passwordHash the bcrypt hash of the password
 * @param tokens the account's admin API tokens, as digests
 */
public record Account(
    String name,
    Role role,
    String passwordHash,
    Instant created,
    Instant passwordChanged,
    List<ApiToken> tokens) {

  public Account {
    tokens = List.copyOf(tokens);
  }

  Account withRole(Role r) {
    return new Account(name, r, passwordHash, created, passwordChanged, tokens);
  }

  Account withPassword(String hash, Instant at) {
    return new Account(name, role, hash, created, at, tokens);
  }

  Account withTokens(List<ApiToken> t) {
    return new Account(name, role, passwordHash, created, passwordChanged, t);
  }
}
