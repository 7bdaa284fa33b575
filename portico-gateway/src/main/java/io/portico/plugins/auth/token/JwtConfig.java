package io.portico.plugins.auth.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import io.netty.util.AsciiString;
import io.portico.spi.config.ConfigReader;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The config of {@code jwt}, compiled at load time.
 *
 * @param source where the token is read from
 * @param algorithms the only signature algorithms accepted; never taken from the token
 * @param issuers the trusted issuers, matched exactly against {@code iss}
 * @param audiences when not empty, {@code aud} must hold one of them
 * @param clockSkew leeway for {@code exp}, {@code nbf} and {@code iat}
 * @param requireExp whether a token without {@code exp} is refused
 * @param scopes required scopes
 * @param roles required roles
 * @param consumerClaim the claim whose value names a consumer's {@code credentials.jwt.key}, or
 *     null
 * @param requireConsumer whether a token that maps to no consumer is refused
 * @param claimHeaders claim to the upstream header that carries it
 * @param jwks how key sets are fetched and refreshed
 * @param realm the {@code realm} of the challenge
 */
record JwtConfig(
    TokenSource source,
    Set<JWSAlgorithm> algorithms,
    List<Issuer> issuers,
    Set<String> audiences,
    Duration clockSkew,
    boolean requireExp,
    RequiredWords scopes,
    RequiredWords roles,
    @Nullable String consumerClaim,
    boolean requireConsumer,
    Map<String, AsciiString> claimHeaders,
    Jwks jwks,
    String realm,
    Duration verifiedCacheTtl,
    int verifiedCacheSize) {

  JwtConfig {
    algorithms = Set.copyOf(algorithms);
    issuers = List.copyOf(issuers);
    audiences = Set.copyOf(audiences);
    claimHeaders = Map.copyOf(claimHeaders);
  }

  /**
   * A trusted issuer and where its keys come from: static keys, a JWKS URL, or neither (then only
   * consumers' own keys verify its tokens).
   */
  record Issuer(String issuer, @Nullable JWKSet keys, @Nullable URI jwksUrl) {}

  /**
   * Key set fetching.
   *
   * @param refreshInterval key sets older than this are refreshed in the background
   * @param minRefreshInterval at most one fetch per URL in this interval (unknown {@code kid}s)
   * @param timeout the whole fetch's time limit
   */
  record Jwks(Duration refreshInterval, Duration minRefreshInterval, Duration timeout) {

    /** Reads a {@code jwks} object: the same keys and ranges for jwt and openid-connect. */
    static Jwks parse(ConfigReader jwks) {
      Jwks fetch =
          new Jwks(
              jwks.duration(
                  "refresh-interval",
                  Duration.ofMinutes(5),
                  Duration.ofMillis(1),
                  Duration.ofDays(1)),
              jwks.duration(
                  "min-refresh-interval",
                  Duration.ofSeconds(10),
                  Duration.ZERO,
                  Duration.ofHours(1)),
              jwks.duration(
                  "timeout", Duration.ofSeconds(5), Duration.ofMillis(1), Duration.ofMinutes(1)));
      jwks.finish();
      return fetch;
    }
  }
}
