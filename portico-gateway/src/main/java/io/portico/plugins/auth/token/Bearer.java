package io.portico.plugins.auth.token;

import io.portico.plugins.auth.Authentication;
import org.jspecify.annotations.Nullable;

/** The RFC 6750 {@code Bearer} challenges of the token plugins. */
final class Bearer {

  private Bearer() {}

  /** {@code Bearer realm="..."}, with {@code error="..."} when {@code error} is not null. */
  static String challenge(String realm, @Nullable String error) {
    String challenge = "Bearer realm=" + Authentication.quote(realm);
    return error == null ? challenge : challenge + ", error=" + Authentication.quote(error);
  }

  /** The challenge of a valid token without a required scope; {@code scope} may be empty. */
  static String insufficientScope(String realm, String scope) {
    String challenge = challenge(realm, "insufficient_scope");
    return scope.isEmpty() ? challenge : challenge + ", scope=" + Authentication.quote(scope);
  }
}
