package io.portico.plugins.auth.token;

import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import io.netty.util.AsciiString;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The config of {@code oauth2-introspection}, compiled at load time.
 *
 * @param source where the token is read from
 * @param endpoint the RFC 7662 introspection endpoint
 * @param clientAuth how the gateway authenticates to the endpoint (basic or post)
 * @param timeout the whole introspection call's time limit
 * @param maxTtl an active token's answer is cached until its {@code exp}, at most this long
 * @param negativeTtl how long an inactive token's answer is cached
 * @param maxEntries the cache's bound
 * @param scopes required scopes (from the response's {@code scope})
 * @param audiences when not empty, the response's {@code aud} must hold one of them
 * @param consumerClaim the response member whose value names a consumer's {@code key}, or null
 * @param claimHeaders response member to the upstream header that carries it
 * @param allowWhenUnavailable whether requests pass unauthenticated when the endpoint cannot be
 *     reached (default: refused with 503)
 * @param realm the {@code realm} of the challenge
 */
record IntrospectionConfig(
    TokenSource source,
    URI endpoint,
    ClientAuthentication clientAuth,
    Duration timeout,
    Duration maxTtl,
    Duration negativeTtl,
    int maxEntries,
    RequiredWords scopes,
    Set<String> audiences,
    @Nullable String consumerClaim,
    Map<String, AsciiString> claimHeaders,
    boolean allowWhenUnavailable,
    String realm) {

  IntrospectionConfig {
    audiences = Set.copyOf(audiences);
    claimHeaders = Map.copyOf(claimHeaders);
  }
}
