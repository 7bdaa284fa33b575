package io.portico.plugins.auth.token;

import com.nimbusds.jose.jwk.JWKSet;
import io.portico.spi.plugin.ConsumerSpec;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.Outcome;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The request side of JWT authentication, shared by {@code jwt} and the bearer mode of {@code
 * openid-connect}: finds the token, verifies it (waiting for a JWKS refresh when the token's key is
 * not cached), checks scopes and roles, and sets the identity. Immutable; {@link #authenticate}
 * runs on the exchange's event loop and never blocks.
 */
final class JwtAuthenticator {

  private final JwtConfig config;
  private final JwtVerifier verifier;
  private final JwksCache cache;
  private final AuthReplies replies;
  private final IdentityHeaders identityHeaders;
  private final String method;

  JwtAuthenticator(JwtConfig config, JwtVerifier verifier, JwksCache cache, String method) {
    this.config = config;
    this.verifier = verifier;
    this.cache = cache;
    this.replies = new AuthReplies(config.realm());
    this.identityHeaders = new IdentityHeaders(config.claimHeaders());
    this.method = method;
  }

  /** Authenticates the exchange's bearer token: proceed, a refusal, or a wait for keys. */
  Outcome authenticate(Exchange exchange) {
    TokenSource.Found found = config.source().find(exchange);
    if (found instanceof TokenSource.Missing) {
      return replies.missing();
    }
    if (!(found instanceof TokenSource.Token token)) {
      return replies.invalidRequest();
    }
    JwtVerifier.Result result = verifier.verify(token.value(), this::cachedKeys);
    if (result instanceof JwtVerifier.NeedKeys need) {
      JwtConfig.Jwks jwks = config.jwks();
      return Outcome.await(
          cache
              .refresh(need.uri(), jwks.minRefreshInterval(), jwks.timeout())
              .thenApplyAsync(
                  snapshot -> afterRefresh(exchange, token, need.parsed(), snapshot),
                  exchange.eventLoop()));
    }
    return decide(exchange, token, result);
  }

  /** The cached keys of a JWKS; a set older than the refresh interval is refreshed meanwhile. */
  private JWKSet cachedKeys(URI uri) {
    JwtConfig.Jwks jwks = config.jwks();
    if (cache.stale(uri, jwks.refreshInterval())) {
      cache.refresh(uri, jwks.minRefreshInterval(), jwks.timeout());
    }
    return cache.keys(uri);
  }

  /**
   * After a refresh: verify with the new keys; with no key for the token, an unreachable key set is
   * an outage (503) and a reachable one means the key is unknown (401).
   */
  private Outcome afterRefresh(
      Exchange exchange,
      TokenSource.Token token,
      JwtVerifier.Parsed parsed,
      JwksCache.Snapshot snapshot) {
    JWKSet keys = snapshot.keys();
    if (keys != null && JwtVerifier.hasKeyFor(parsed, keys)) {
      return decide(exchange, token, verifier.verify(parsed, keys));
    }
    return snapshot.failed() ? replies.unavailable() : replies.invalidToken();
  }

  /** Runs on the event loop: turns a verification into a refusal or an identity. */
  private Outcome decide(Exchange exchange, TokenSource.Token token, JwtVerifier.Result result) {
    if (!(result instanceof JwtVerifier.Valid valid)) {
      return replies.invalidToken();
    }
    Map<String, Object> claims = valid.claims().getClaims();
    if (!config.scopes().satisfiedBy(claims)) {
      return replies.insufficientScope(config.scopes().challenge());
    }
    if (!config.roles().satisfiedBy(claims)) {
      return replies.insufficientScope("");
    }
    ConsumerSpec consumer = valid.consumer();
    Set<String> groups = new LinkedHashSet<>();
    if (consumer != null) {
      groups.addAll(consumer.groups());
    }
    Identity identity =
        new Identity(
            consumer == null ? null : consumer.name(),
            consumer == null ? null : consumer.customId(),
            credentialId(valid),
            Set.copyOf(groups),
            method,
            false,
            claims);
    exchange.set(Identity.KEY, identity);
    identityHeaders.forward(exchange.request().headers(), identity, claims);
    config.source().hide(exchange, token);
    return Outcome.proceed();
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
                    : JwtVerifier.Invalid.INSTANCE);
  }

  /** The issuer and subject (never the token): {@code iss|sub}. */
  private static String credentialId(JwtVerifier.Valid valid) {
    String sub = valid.claims().getSubject();
    return valid.claims().getIssuer() + (sub == null ? "" : "|" + sub);
  }
}
