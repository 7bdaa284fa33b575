package io.portico.plugins.auth;

import io.netty.handler.codec.http.HttpHeaders;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Identity;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One authentication scheme: finds a credential in a request and checks it. Implementations are
 * immutable, shared by every exchange, and called on the exchange's event loop: they must not block
 * (CPU-heavy or remote checks return {@link AuthResult.Pending}).
 */
public interface Authenticator {

  /**
   * Checks the request's credential. Must not change the exchange; it may ask for the request body
   * ({@link Exchange#requestBody}) and answer {@link AuthResult.Pending} until it arrives.
   */
  AuthResult authenticate(Exchange exchange);

  /**
   * The {@code WWW-Authenticate} challenge of this scheme, e.g. {@code Basic realm="portico"}.
   *
   * @param error the RFC 6750 style error code of an {@link AuthResult.Invalid}, or null
   */
  String challenge(@Nullable String error);

  /**
   * Why a request without a credential of this scheme is refused ({@link AuthResult.NoCredential}
   * and no {@code anonymous}): the access log's {@code failure}, such as {@code key_missing}.
   */
  AuthFailure missing();

  /**
   * The detail of the 401 every failed check of this scheme gets with {@code uniform-failures} (and
   * a request without a credential gets in any case): what the client must send. It may say where
   * the scheme reads its credential, which is the route's config, never a value from the request,
   * and is the same whatever failed.
   */
  default String requiredDetail() {
    return REQUIRED;
  }

  /** The default {@link #requiredDetail()}. */
  String REQUIRED = "A valid credential is required.";

  /** Removes the credential from the request ({@code hide-credentials}); called after success. */
  void hideCredentials(Exchange exchange);

  /**
   * The headers this scheme adds upstream beyond the shared identity headers (JWT claim headers,
   * for instance). The gateway removes client-sent copies of them on every route ({@link
   * io.portico.spi.plugin.Plugin#identityHeaders()}).
   */
  default Set<String> ownHeaders() {
    return Set.of();
  }

  /**
   * Removes {@link #ownHeaders()} from the request, such as those an earlier authentication plugin
   * set for an anonymous caller. Called on every request, before {@link #authenticate}.
   */
  default void stripOwnHeaders(HttpHeaders headers) {
    Set<String> own = ownHeaders();
    if (!own.isEmpty()) {
      for (String name : own) {
        headers.remove(name);
      }
    }
  }

  /**
   * Adds this scheme's own upstream headers for {@code identity}, after the shared identity headers
   * are set. Called after success.
   */
  default void forwardOwnHeaders(Identity identity, HttpHeaders headers) {}
}
