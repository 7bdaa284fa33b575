package io.portico.plugins.auth.token;

import io.portico.plugins.auth.AuthFailure;
import io.portico.plugins.auth.AuthResult;
import io.portico.spi.plugin.Exchange;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * {@code openid-connect} in bearer mode: access tokens verified with the discovered provider's
 * {@link JwtAuthenticator}, waiting for discovery when it is not done yet (503 when it cannot be),
 * and, with {@code userinfo} forwarding, the token's UserInfo joined to the result.
 *
 * <p>Runs under {@link io.portico.plugins.auth.Authentication} like every other authenticator: on
 * the event loop, or as a pending result that completes on an HTTP client thread and touches no
 * exchange.
 */
final class OidcBearerMode extends BearerTokenAuthenticator {

  private final String realm;
  private final TokenSource source;
  private final OidcDiscovery discovery;
  private final @Nullable UserInfoLookup userInfo;
  private final OidcConfig.@Nullable UserInfo userInfoConfig;
  private final Clock clock;

  OidcBearerMode(
      OidcConfig config,
      TokenSource source,
      ClaimHeaders claimHeaders,
      OidcDiscovery discovery,
      @Nullable UserInfoLookup userInfo,
      Clock clock) {
    super(config.realm(), source, claimHeaders);
    this.realm = config.realm();
    this.source = source;
    this.discovery = discovery;
    this.userInfo = userInfo;
    this.userInfoConfig = config.userInfo();
    this.clock = clock;
  }

  @Override
  public Set<String> ownHeaders() {
    return userInfoConfig == null
        ? super.ownHeaders()
        : OidcPlugin.union(super.ownHeaders(), userInfoConfig.header());
  }

  @Override
  public AuthResult authenticate(Exchange exchange) {
    String token =
        userInfo != null && source.find(exchange) instanceof TokenSource.Token t ? t.value() : null;
    OidcProvider p = discovery.known();
    if (p != null) {
      return withUserInfo(p, token, p.bearer().authenticate(exchange));
    }
    return new AuthResult.Pending(
        discovery
            .provider()
            .thenComposeAsync(
                found ->
                    found == null
                        ? CompletableFuture.completedFuture(
                            new AuthResult.Unavailable(AuthFailure.PROVIDER_UNAVAILABLE))
                        : settle(withUserInfo(found, token, found.bearer().authenticate(exchange))),
                exchange.eventLoop()));
  }

  /**
   * With {@code userinfo} forwarding, a valid token's UserInfo (cached, or asked for now) joins the
   * result; a token the endpoint refuses is refused here too. Touches no exchange: it may run on
   * the thread that completed a key set refresh.
   */
  private AuthResult withUserInfo(OidcProvider p, @Nullable String token, AuthResult result) {
    UserInfoLookup lookup = userInfo;
    if (token == null || lookup == null) {
      return result;
    }
    if (result instanceof AuthResult.Pending pending) {
      return new AuthResult.Pending(
          pending.stage().thenCompose(r -> settle(withUserInfo(p, token, r))));
    }
    if (!(result instanceof AuthResult.Authenticated ok)) {
      return result;
    }
    String key = UserInfoLookup.keyOf(token);
    UserInfoLookup.Answer cached = lookup.cached(key);
    if (cached != null) {
      return decide(ok, cached);
    }
    Object exp = ok.identity().claims().get("exp");
    Duration lifetime = exp instanceof Date d ? until(d.toInstant()) : null;
    return new AuthResult.Pending(
        lookup
            .fetch(p.metadata().getUserInfoEndpointURI(), token, key, lifetime)
            .thenApply(answer -> decide(ok, answer)));
  }

  private AuthResult decide(AuthResult.Authenticated ok, UserInfoLookup.Answer answer) {
    return switch (answer.kind()) {
      case FOUND ->
          new AuthResult.Authenticated(
              ok.identity(),
              Map.of(
                  Objects.requireNonNull(userInfoConfig).header(),
                  Objects.requireNonNull(answer.header())));
      case INVALID_TOKEN -> AuthResult.invalid("invalid_token", AuthFailure.USERINFO_REJECTED);
      case INSUFFICIENT_SCOPE ->
          new AuthResult.Forbidden(
              Bearer.insufficientScope(realm, "openid"), AuthFailure.SCOPE_INSUFFICIENT);
      case UNAVAILABLE -> new AuthResult.Unavailable(AuthFailure.USERINFO_UNAVAILABLE);
    };
  }

  private Duration until(Instant instant) {
    return Duration.between(clock.instant(), instant);
  }

  private static CompletionStage<AuthResult> settle(AuthResult result) {
    return result instanceof AuthResult.Pending pending
        ? pending.stage()
        : CompletableFuture.completedFuture(result);
  }
}
