package io.portico.plugins.auth.token;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scopes or roles a token must carry: read from the first of {@code claims} present, and compared
 * with {@code required} as all-of or any-of. Empty {@code required} is always satisfied.
 */
record RequiredWords(List<String> claims, Set<String> required, boolean all) {

  RequiredWords {
    claims = List.copyOf(claims);
    required = Set.copyOf(required);
  }

  boolean satisfiedBy(Map<String, Object> tokenClaims) {
    if (required.isEmpty()) {
      return true;
    }
    Set<String> held = Set.of();
    for (String claim : claims) {
      if (ClaimValues.lookup(tokenClaims, claim) != null) {
        held = ClaimValues.words(tokenClaims, claim);
        break;
      }
    }
    if (all) {
      return held.containsAll(required);
    }
    for (String r : required) {
      if (held.contains(r)) {
        return true;
      }
    }
    return false;
  }

  /** The required words for a challenge's {@code scope} attribute. */
  String challenge() {
    return String.join(" ", new java.util.TreeSet<>(required));
  }
}
