package io.portico.plugins.auth.token;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.portico.plugins.auth.AuthSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The discovery of {@code openid-connect}'s provider: its discovery document fetched without
 * blocking, at creation and again, at most every {@link #RETRY}, while it fails.
 *
 * <p>Thread-safety: the provider, once found, is set once and then read without locking ({@link
 * #known()}, from any event loop); starting a fetch holds this object's lock for the bookkeeping
 * only. Futures complete on the JDK HTTP client's threads.
 */
final class OidcDiscovery {

  private static final Logger log = LoggerFactory.getLogger(OidcDiscovery.class);

  static final Duration RETRY = Duration.ofSeconds(5);

  private final OidcConfig config;
  private final JwksCache cache;
  private final HttpClient client;
  private final Clock clock;
  private final AtomicReference<@Nullable OidcProvider> provider = new AtomicReference<>();
  private @Nullable CompletableFuture<@Nullable OidcProvider> discovering;
  private long lastAttemptNanos;

  OidcDiscovery(OidcConfig config, JwksCache cache, HttpClient client, Clock clock) {
    this.config = config;
    this.cache = cache;
    this.client = client;
    this.clock = clock;
  }

  /** The provider when discovery has succeeded, else null. */
  @Nullable OidcProvider known() {
    return provider.get();
  }

  /**
   * The provider, discovering it when not known (at most once per retry interval); completes with
   * null when it cannot be had now.
   */
  synchronized CompletableFuture<@Nullable OidcProvider> provider() {
    OidcProvider known = provider.get();
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    if (discovering != null) {
      return discovering;
    }
    long now = System.nanoTime();
    if (lastAttemptNanos != 0 && now - lastAttemptNanos < RETRY.toNanos()) {
      return CompletableFuture.completedFuture(null);
    }
    lastAttemptNanos = now;
    HTTPRequest request = new HTTPRequest(HTTPRequest.Method.GET, config.discovery());
    CompletableFuture<@Nullable OidcProvider> f =
        NimbusHttp.send(client, request, config.timeout(), this::failed)
            .thenApply(this::discovered);
    discovering = f;
    f.whenComplete((p, e) -> done());
    return f;
  }

  private synchronized void done() {
    discovering = null;
  }

  /**
   * Logs why discovery failed, once per attempt (so at most once per {@link #RETRY}): the clients
   * of the routes that need the provider get 503 until an attempt succeeds, and this line is where
   * an operator learns what to fix.
   */
  private void failed(String reason) {
    log.warn(
        "openid-connect: the discovery document at {} cannot be used: {}; requests that need"
            + " the provider are answered 503 until a later attempt (at most every {} s) succeeds",
        config.discovery(),
        reason,
        RETRY.toSeconds());
  }

  private @Nullable OidcProvider discovered(@Nullable HTTPResponse response) {
    if (response == null) {
      return null;
    }
    if (response.getStatusCode() != 200) {
      failed("it answered " + response.getStatusCode() + ", not 200");
      return null;
    }
    OIDCProviderMetadata metadata;
    try {
      metadata = OIDCProviderMetadata.parse(response.getBody());
    } catch (com.nimbusds.oauth2.sdk.ParseException e) {
      failed("it is not an OpenID provider metadata document (" + e.getMessage() + ")");
      return null;
    }
    URI jwks = metadata.getJWKSetURI();
    if (jwks == null) {
      failed("it has no jwks_uri, which verifying tokens needs");
      return null;
    }
    if (config.userInfo() != null && metadata.getUserInfoEndpointURI() == null) {
      failed("it has no userinfo_endpoint, which the `userinfo` setting needs");
      return null;
    }
    String issuer = metadata.getIssuer().getValue();
    List<JwtConfig.Issuer> issuers = List.of(new JwtConfig.Issuer(issuer, null, jwks));
    RequiredWords none = new RequiredWords(List.of("roles"), Set.of(), true);
    TokenSource source = config.source();
    JwtConfig bearer =
        new JwtConfig(
            source == null
                ? new TokenSource(
                    HttpHeaderNames.AUTHORIZATION,
                    true,
                    null,
                    null,
                    new AuthSettings(null, false, true))
                : source,
            config.algorithms(),
            issuers,
            config.audiences(),
            config.clockSkew(),
            true,
            config.scopes(),
            none,
            null,
            false,
            config.claimHeaders(),
            config.jwks(),
            config.realm(),
            Duration.ofMinutes(1),
            10_000);
    JwtAuthenticator idTokens = null;
    OidcConfig.RelyingParty rp = config.rp();
    if (rp != null) {
      JwtConfig id =
          new JwtConfig(
              bearer.source(),
              config.algorithms(),
              issuers,
              Set.of(rp.clientId()),
              config.clockSkew(),
              true,
              none,
              none,
              null,
              false,
              config.claimHeaders(),
              config.jwks(),
              config.realm(),
              Duration.ZERO,
              0);
      idTokens =
          new JwtAuthenticator(id, new JwtVerifier(id, Map.of(), clock), cache, OidcFactory.NAME);
    }
    OidcProvider p =
        new OidcProvider(
            metadata,
            new JwtAuthenticator(
                bearer, new JwtVerifier(bearer, Map.of(), clock), cache, OidcFactory.NAME),
            idTokens);
    provider.set(p);
    cache.refresh(jwks, config.jwks().minRefreshInterval(), config.jwks().timeout());
    return p;
  }
}
