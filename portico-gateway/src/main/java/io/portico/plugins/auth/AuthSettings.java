package io.portico.plugins.auth;

import io.portico.spi.config.ConfigReader;
import org.jspecify.annotations.Nullable;

/**
 * The settings every authentication plugin shares, read from its own config object.
 *
 * @param anonymous the consumer to use when the request carries no credential, or null to answer
 *     401
 * @param hideCredentials whether the credential is removed from the request before it is forwarded
 * @param uniformFailures whether every failed check (no credential, an empty one, a wrong one) gets
 *     the very same 401: status, problem body and challenge; when false, a credential that was
 *     presented and is not valid gets {@code invalid-credentials} and the scheme's error code
 */
public record AuthSettings(
    @Nullable String anonymous, boolean hideCredentials, boolean uniformFailures) {

  /** Reads {@code anonymous}, {@code hide-credentials} and {@code uniform-failures}. */
  public static AuthSettings parse(ConfigReader config) {
    String anonymous = config.string("anonymous", null);
    if (anonymous != null && anonymous.isEmpty()) {
      config.expected("anonymous", "the name of a consumer");
      anonymous = null;
    }
    return new AuthSettings(
        anonymous, config.bool("hide-credentials", false), config.bool("uniform-failures", true));
  }
}
