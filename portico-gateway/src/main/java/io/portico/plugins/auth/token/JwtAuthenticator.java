package io.portico.plugins.auth.token;

import com.nimbusds.jose.jwk.JWKSet;
import io.portico.plugins.auth.AuthFailure;
import io.portico.plugins.auth.AuthResult;
import io.portico.spi.plugin.ConsumerSpec;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Identity;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The request side of JWT authentication, shared by {@code jwt} and the bearer mode of {@code
 * openid-connect}: finds the token, verifies it (waiting for a JWKS refresh when the token's key is
 * not cached), checks scopes and roles, and gives the identity to {@link
 * io.portico.plugins.auth.Authentication}, which forwards it. Claims named in {@code
 * claims-to-headers} are copied to upstream headers. Immutable; {@link #authenticate} runs on the
 * exchange's event loop and never blocks.
 */
final class JwtAuthenticator extends BearerTokenAuthenticator {

  private final JwtConfig config;
  private final JwtVerifier verifier;
  private final JwksCache cache;
  private final String method;
  private final VerifiedTokens verified;

  JwtAuthenticator(JwtConfig config, JwtVerifier verifier, JwksCache cache, String method) {
    super(config.realm(), config.source(), new ClaimHeaders(config.claimHeaders()));
    this.config = config;
    this.verifier = verifier;
    this.cache = cache;
    this.method = method;
    this.verified = new VerifiedTokens(config.verifiedCacheTtl(), config.verifiedCacheSize());
  }

  @Override
  public AuthResult authenticate(Exchange exchange) {
    TokenSource.Found found = config.source().find(exchange);
    if (found instanceof TokenSource.Missing) {
      return AuthResult.none();
    }
    if (!(found instanceof TokenSource.Token token)) {
      return AuthResult.invalid("invalid_request", AuthFailure.TOKEN_MALFORMED);
    }
    String value = token.value();
    if (verified.enabled()) {
      AuthResult.Authenticated hit = verified.get(value);
      if (hit != null) {
        return hit;
      }
    }
    JwtVerifier.Result result = verifier.verify(value, this::cachedKeys);
    if (result instanceof JwtVerifier.NeedKeys need) {
      JwtConfig.Jwks jwks = config.jwks();
      return new AuthResult.Pending(
          cache
              .refresh(need.uri(), jwks.minRefreshInterval(), jwks.timeout())
              .thenApply(snapshot -> remember(value, afterRefresh(need.parsed(), snapshot))));
    }
    return remember(value, decide(result));
  }

  /** Keeps a success in the verified-token cache, until the token's {@code exp} at the latest. */
  private AuthResult remember(String token, AuthResult result) {
    if (verified.enabled() && result instanceof AuthResult.Authenticated ok) {
      Object exp = ok.identity().claims().get("exp");
      long expMillis = exp instanceof java.util.Date d ? d.getTime() : 0;
      verified.put(token, ok, expMillis);
    }
    return result;
  }

  /** The cached keys of a JWKS; a set older than the refresh interval is refreshed meanwhile. */
  private @Nullable JWKSet cachedKeys(URI uri) {
    JwtConfig.Jwks jwks = config.jwks();
    if (cache.stale(uri, jwks.refreshInterval())) {
      cache.refresh(uri, jwks.minRefreshInterval(), jwks.timeout());
    }
    return cache.keys(uri);
  }

  /**
   * After a refresh (or a refresh skipped because the last attempt is recent): verify with the keys
   * now known. A token whose key is not among them is 401 whenever the gateway holds a key set for
   * the URL, whether this refresh succeeded, failed or was skipped, so the answer depends on the
   * keys held, never on when the last fetch happened; 503 only when the gateway holds no key set at
   * all and could not fetch one (it cannot verify any token of that issuer).
   */
  private AuthResult afterRefresh(JwtVerifier.Parsed parsed, JwksCache.Snapshot snapshot) {
    JWKSet keys = snapshot.keys();
    if (keys == null) {
      return new AuthResult.Unavailable(AuthFailure.JWKS_UNAVAILABLE);
    }
    if (JwtVerifier.hasKeyFor(parsed, keys)) {
      return decide(verifier.verify(parsed, keys));
    }
    return AuthResult.invalid("invalid_token", AuthFailure.JWT_KID_UNKNOWN);
  }

  /** Turns a verification into a refusal or an identity. */
  private AuthResult decide(JwtVerifier.Result result) {
    if (!(result instanceof JwtVerifier.Valid valid)) {
      return AuthResult.invalid(
          "invalid_token",
          result instanceof JwtVerifier.Invalid invalid
              ? invalid.failure()
              : AuthFailure.JWT_KID_UNKNOWN);
    }
    Map<String, Object> claims = valid.claims().getClaims();
    if (!config.scopes().satisfiedBy(claims)) {
      return new AuthResult.Forbidden(
          Bearer.insufficientScope(config.realm(), config.scopes().challenge()),
          AuthFailure.SCOPE_INSUFFICIENT);
    }
    if (!config.roles().satisfiedBy(claims)) {
      return new AuthResult.Forbidden(
          Bearer.insufficientScope(config.realm(), ""), AuthFailure.ROLE_INSUFFICIENT);
    }
    ConsumerSpec consumer = valid.consumer();
    Set<String> groups = new LinkedHashSet<>();
    if (consumer != null) {
      groups.addAll(consumer.groups());
    }
    return new AuthResult.Authenticated(
        new Identity(
            consumer == null ? null : consumer.name(),
            consumer == null ? null : consumer.customId(),
            credentialId(valid),
            Collections.unmodifiableSet(groups),
            method,
            false,
            claims));
  }

  /**
   * Verifies a token outside a request (an ID token): completes with the result, after a JWKS
   * refresh when the token's key is not cached; {@link JwtVerifier.Invalid} when the keys cannot be
   * had.
   */
  CompletableFuture<JwtVerifier.Result> verify(String token) {
    JwtVerifier.Result result = verifier.verify(token, this::cachedKeys);
    if (!(result instanceof JwtVerifier.NeedKeys need)) {
      return CompletableFuture.completedFuture(result);
    }
    JwtConfig.Jwks jwks = config.jwks();
    return cache
        .refresh(need.uri(), jwks.minRefreshInterval(), jwks.timeout())
        .thenApply(
            snapshot ->
                snapshot.keys() != null && JwtVerifier.hasKeyFor(need.parsed(), snapshot.keys())
                    ? verifier.verify(need.parsed(), snapshot.keys())
                    : JwtVerifier.Invalid.KID_UNKNOWN);
  }

  /** The issuer and subject (never the token): {@code iss|sub}. */
  private static String credentialId(JwtVerifier.Valid valid) {
    String sub = valid.claims().getSubject();
    return valid.claims().getIssuer() + (sub == null ? "" : "|" + sub);
  }
}
