package io.portico.accounts;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** What an account may do; the admin listener maps each role to the operations it allows. */
public enum Role {
  /** Everything, accounts included. */
  ADMIN,
  /** Config objects, reloads, consumers and silences; not accounts. */
  OPERATOR,
  /** Reads only; secrets in objects are redacted. */
  VIEWER,
  /** The developer portal only: no admin API beyond the account's own sign-in, password, tokens. */
  DEVELOPER;

  /** The role's name in the API and in files: {@code admin}, {@code operator}, ... */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role named {@code text}, or null. */
  public static @Nullable Role of(@Nullable String text) {
    if (text == null) {
      return null;
    }
    for (Role r : values()) {
      if (r.text().equals(text)) {
        return r;
      }
    }
    return null;
  }

  /** Whether the role may change config objects (and so sees them unredacted). */
  public boolean writesConfig() {
    return this == ADMIN || this == OPERATOR;
  }
}
