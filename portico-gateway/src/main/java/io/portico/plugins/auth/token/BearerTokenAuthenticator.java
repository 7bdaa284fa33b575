package io.portico.plugins.auth.token;

import io.netty.handler.codec.http.HttpHeaders;
import io.portico.plugins.auth.AuthFailure;
import io.portico.plugins.auth.Authenticator;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Identity;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What every bearer-token authenticator ({@code jwt}, {@code oauth2-introspection}, the bearer mode
 * of {@code openid-connect}) shares: the RFC 6750 challenge, hiding the token before forwarding,
 * and the claim headers it owns (client copies stripped, verified claims forwarded). Subclasses
 * find and check the token.
 */
abstract class BearerTokenAuthenticator implements Authenticator {

  private final String realm;
  private final TokenSource source;
  private final ClaimHeaders claimHeaders;

  BearerTokenAuthenticator(String realm, TokenSource source, ClaimHeaders claimHeaders) {
    this.realm = realm;
    this.source = source;
    this.claimHeaders = claimHeaders;
  }

  @Override
  public final AuthFailure missing() {
    return AuthFailure.TOKEN_MISSING;
  }

  @Override
  public final String challenge(@Nullable String error) {
    return Bearer.challenge(realm, error);
  }

  @Override
  public final void hideCredentials(Exchange exchange) {
    source.hide(exchange);
  }

  /** The claim headers; a subclass that owns more headers adds them. */
  @Override
  public Set<String> ownHeaders() {
    return claimHeaders.names();
  }

  @Override
  public final void forwardOwnHeaders(Identity identity, HttpHeaders headers) {
    claimHeaders.forward(identity.claims(), headers);
  }
}
