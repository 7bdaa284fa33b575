package io.portico.plugins.auth;

import io.netty.util.AsciiString;
import io.portico.spi.plugin.Identity;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link Authenticator} found in a request. {@link Authentication} turns it into the
 * exchange's outcome; an authenticator never builds responses itself.
 */
public sealed interface AuthResult
    permits AuthResult.Authenticated,
        AuthResult.NoCredential,
        AuthResult.Invalid,
        AuthResult.Forbidden,
        AuthResult.Unavailable,
        AuthResult.Pending {

  /**
   * The request carried a valid credential of {@code identity}. {@code headers} are request headers
   * this one authentication adds upstream besides the identity headers and the scheme's own (the
   * OpenID Connect UserInfo, for instance); the scheme removes client copies of them in {@link
   * Authenticator#stripOwnHeaders}.
   */
  record Authenticated(Identity identity, Map<AsciiString, String> headers) implements AuthResult {

    public Authenticated {
      headers = Map.copyOf(headers);
    }

    public Authenticated(Identity identity) {
      this(identity, Map.of());
    }
  }

  /** The request carried no credential of this kind. */
  enum NoCredential implements AuthResult {
    INSTANCE
  }

  /**
   * The request carried a credential that is not valid. {@code error} is the RFC 6750 style code
   * sent in the challenge ({@code invalid_token}, {@code invalid_request}, ...), or null for
   * schemes without error codes. {@code failure} says why, for the access log; the client is told
   * only with {@code uniform-failures: false}.
   */
  record Invalid(@Nullable String error, AuthFailure failure) implements AuthResult {}

  /**
   * The credential is valid but lacks what the route requires (a scope, a role): 403. {@code
   * challenge} is the {@code WWW-Authenticate} value to send (RFC 6750 {@code insufficient_scope}),
   * or null for none; {@code failure} is what it lacks, for the access log.
   */
  record Forbidden(@Nullable String challenge, AuthFailure failure) implements AuthResult {}

  /**
   * A dependency needed to decide (a key server, a thread pool) is not available: 503. {@code
   * failure} names which, for the access log.
   */
  record Unavailable(AuthFailure failure) implements AuthResult {}

  /**
   * The decision needs asynchronous work; the stage may complete on any thread, {@link
   * Authentication} resumes on the exchange's event loop.
   */
  record Pending(CompletionStage<AuthResult> stage) implements AuthResult {}

  static AuthResult none() {
    return NoCredential.INSTANCE;
  }

  static AuthResult invalid(@Nullable String error, AuthFailure failure) {
    return new Invalid(error, failure);
  }
}
