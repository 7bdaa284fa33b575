package io.portico.plugins.auth.token;

import io.portico.plugins.auth.AuthFailure;
import io.portico.plugins.auth.Authentication;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The {@code openid-connect} plugin: one of two modes over one {@link OidcDiscovery}. In bearer
 * mode ACCESS runs {@link Authentication} over {@link OidcBearerMode}; in relying-party mode ACCESS
 * and RESPONSE run {@link RelyingPartyLogin}, once the provider is known (requests that arrive
 * before it wait for it through {@link Outcome#await}, and get 503 when it cannot be had).
 */
final class OidcPlugin implements Plugin {

  private final OidcConfig config;
  private final OidcDiscovery discovery;
  private final ClaimHeaders claimHeaders;
  private final @Nullable UserInfoLookup userInfo;
  private final @Nullable Authentication bearer;
  private final @Nullable RelyingPartyLogin relyingParty;

  OidcPlugin(
      OidcConfig config, JwksCache cache, HttpClient client, Clock clock, PluginContext context) {
    this.config = config;
    this.discovery = new OidcDiscovery(config, cache, client, clock);
    this.claimHeaders = new ClaimHeaders(config.claimHeaders());
    OidcConfig.UserInfo u = config.userInfo();
    this.userInfo =
        u == null ? null : new UserInfoLookup(u, client, config.timeout(), System::nanoTime);
    OidcConfig.RelyingParty rp = config.rp();
    if (rp == null) {
      TokenSource source = Objects.requireNonNull(config.source(), "bearer mode's token source");
      this.bearer =
          new Authentication(
              OidcFactory.NAME,
              new OidcBearerMode(config, source, claimHeaders, discovery, userInfo, clock),
              source.auth(),
              context);
      this.relyingParty = null;
    } else {
      this.bearer = null;
      this.relyingParty = new RelyingPartyLogin(config, rp, client, clock, claimHeaders, userInfo);
    }
  }

  /** Starts the discovery; called once the plugin is made. */
  void discover() {
    discovery.provider();
  }

  @Override
  public Set<Phase> phases() {
    return config.relyingParty() ? Set.of(Phase.ACCESS, Phase.RESPONSE) : Set.of(Phase.ACCESS);
  }

  /** Claim headers, and the ID token and userinfo headers when configured. */
  @Override
  public Set<String> identityHeaders() {
    Set<String> names = claimHeaders.names();
    OidcConfig.RelyingParty rp = config.rp();
    if (rp != null && rp.idTokenHeader() != null) {
      names = union(names, rp.idTokenHeader());
    }
    OidcConfig.UserInfo u = config.userInfo();
    if (u != null) {
      names = union(names, u.header());
    }
    return names;
  }

  @Override
  public Outcome access(Exchange exchange) {
    if (bearer != null) {
      return bearer.access(exchange);
    }
    RelyingPartyLogin login = Objects.requireNonNull(relyingParty);
    OidcProvider p = discovery.known();
    if (p != null) {
      return login.handle(exchange, p);
    }
    return Outcome.await(
        discovery
            .provider()
            .thenComposeAsync(
                found ->
                    found == null
                        ? done(Authentication.unavailable(AuthFailure.PROVIDER_UNAVAILABLE))
                        : stage(login.handle(exchange, found)),
                exchange.eventLoop()));
  }

  @Override
  public void response(Exchange exchange) {
    if (relyingParty != null) {
      relyingParty.response(exchange);
    }
  }

  static CompletableFuture<Outcome> done(Outcome o) {
    return CompletableFuture.completedFuture(o);
  }

  static CompletableFuture<Outcome> stage(Outcome o) {
    if (o instanceof Outcome.Pending pending) {
      return pending.stage().toCompletableFuture().thenApply(x -> (Outcome) x);
    }
    return done(o);
  }

  static Set<String> union(Set<String> names, CharSequence more) {
    Set<String> out = new HashSet<>(names);
    out.add(more.toString());
    return Set.copyOf(out);
  }
}
