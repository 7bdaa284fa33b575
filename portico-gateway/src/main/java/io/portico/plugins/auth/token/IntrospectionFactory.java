package io.portico.plugins.auth.token;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import io.portico.plugins.auth.AuthFailure;
import io.portico.plugins.auth.AuthResult;
import io.portico.plugins.auth.AuthSettings;
import io.portico.plugins.auth.Authenticator;
import io.portico.plugins.auth.AuthenticatorFactory;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.ConsumerSpec;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.PluginContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * {@code oauth2-introspection}: authenticates requests that carry an opaque bearer token by asking
 * the authorization server's RFC 7662 endpoint, in ACCESS.
 *
 * <p>Per request: the token's SHA-256 is looked up in the answer cache (active answers live until
 * the token's {@code exp}, at most {@code cache.max-ttl}; inactive ones {@code
 * cache.negative-ttl}). On a miss the exchange waits, without blocking the event loop, for an
 * introspection request built with the Nimbus OAuth 2.0 SDK and sent with the JDK HTTP client
 * (client authentication {@code client_secret_basic} or {@code client_secret_post}, a timeout); the
 * decision is applied back on the event loop by {@link io.portico.plugins.auth.Authentication}. An
 * inactive token is a 401 {@code invalid_token}; an endpoint that fails, times out or answers with
 * an error is an outage: 503 (or, when configured, the request passes as anonymous), never a 401.
 * As an {@link AuthenticatorFactory} it can be combined with other methods in {@code multi-auth}.
 */
public final class IntrospectionFactory implements AuthenticatorFactory<IntrospectionConfig> {

  static final String NAME = "oauth2-introspection";
  static final String SHARED_HTTP = "auth.token.http";

  /**
   * The {@code token_type} (or {@code typ}) values, lower-cased, of an access token: RFC 6750's
   * {@code Bearer}, RFC 8693's URI, RFC 9068's {@code at+jwt}, and {@code access_token} as some
   * servers write it. Anything else ({@code refresh_token}, {@code Refresh}, {@code ID}, {@code
   * DPoP}, which needs a proof the gateway does not check) is refused.
   */
  static final Set<String> ACCESS_TOKEN_TYPES =
      Set.of(
          "bearer",
          "access_token",
          "urn:ietf:params:oauth:token-type:access_token",
          "at+jwt",
          "application/at+jwt");

  private final LongSupplier nanoClock;

  public IntrospectionFactory() {
    this(System::nanoTime);
  }

  IntrospectionFactory(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 2090;
  }

  @Override
  public @Nullable IntrospectionConfig parse(ConfigReader r) {
    Problems problems = r.problems();
    TokenSource source = TokenSource.parse(r);
    URI endpoint = null;
    if (r.required("endpoint", "the introspection endpoint's http or https URL") != null) {
      endpoint = r.value("endpoint", null, "an http or https URL", JwtFactory::httpUri);
    }
    String clientId = r.requiredString("client-id", "the gateway's client id at the server");
    String secret = r.requiredString("client-secret", "the gateway's client secret");
    String method =
        r.oneOf(
            "client-auth",
            "client_secret_basic",
            List.of("client_secret_basic", "client_secret_post"));
    Duration timeout =
        r.duration("timeout", Duration.ofSeconds(2), Duration.ofMillis(1), Duration.ofMinutes(1));
    ConfigReader cache = r.object("cache");
    Duration maxTtl =
        cache.duration("max-ttl", Duration.ofMinutes(5), Duration.ZERO, Duration.ofDays(1));
    Duration negativeTtl =
        cache.duration("negative-ttl", Duration.ofSeconds(10), Duration.ZERO, Duration.ofDays(1));
    int maxEntries = cache.integer("max-entries", 10_000, 1, 10_000_000);
    cache.finish();
    RequiredWords scopes = JwtFactory.words(r, "scopes", List.of("scope"));
    Set<String> audiences = new LinkedHashSet<>(r.strings("audiences"));
    String consumerClaim = r.string("consumer-claim", null);
    var headers = JwtFactory.claimHeaders(r);
    boolean allow = r.oneOf("on-unavailable", "deny", List.of("deny", "allow")).equals("allow");
    String realm = r.string("realm", "portico");
    r.finish();
    if (!problems.isEmpty()) {
      return null; // some values above are stand-ins that cannot be built on
    }
    ClientAuthentication auth =
        method.equals("client_secret_post")
            ? new ClientSecretPost(
                new ClientID(Objects.requireNonNull(clientId)),
                new Secret(Objects.requireNonNull(secret)))
            : new ClientSecretBasic(
                new ClientID(Objects.requireNonNull(clientId)),
                new Secret(Objects.requireNonNull(secret)));
    return new IntrospectionConfig(
        source,
        Objects.requireNonNull(endpoint),
        auth,
        timeout,
        maxTtl,
        negativeTtl,
        maxEntries,
        scopes,
        audiences,
        consumerClaim,
        headers,
        allow,
        realm);
  }

  @Override
  public AuthSettings settings(IntrospectionConfig config) {
    return config.source().auth();
  }

  @Override
  public Set<String> credentialHeaders(IntrospectionConfig config) {
    return config.source().headerNames();
  }

  @Override
  public Set<String> credentialQueryParameters(IntrospectionConfig config) {
    return config.source().queryNames();
  }

  @Override
  public Authenticator authenticator(IntrospectionConfig config, PluginContext context) {
    TokenHttpClient http = context.shared(SHARED_HTTP, TokenHttpClient.class, TokenHttpClient::new);
    return new IntrospectionAuthenticator(
        config, http.client(), consumers(context.consumers()), nanoClock);
  }

  /** Consumers by their {@code credentials.oauth2-introspection.key}. */
  private static Map<String, ConsumerSpec> consumers(List<ConsumerSpec> consumers) {
    Map<String, ConsumerSpec> out = new HashMap<>();
    for (ConsumerSpec consumer : consumers) {
      ConfigNode node = consumer.credentials().get(NAME);
      if (node == null) {
        continue;
      }
      Problems problems = new Problems();
      for (ConfigNode entry : node.isList() ? node.items() : List.of(node)) {
        ConfigReader cr = ConfigReader.of(entry, problems);
        String key = cr.requiredString("key", "the value of the consumer claim for this consumer");
        cr.finish();
        if (key != null && out.putIfAbsent(key, consumer) != null) {
          cr.expected("key", "a key used by one consumer only");
        }
      }
      if (problems.size() > 0) {
        throw new IllegalArgumentException(problems.toString());
      }
    }
    return out;
  }

  /** The authenticator; its answer cache lives as long as the config snapshot. */
  private static final class IntrospectionAuthenticator extends BearerTokenAuthenticator {

    private final IntrospectionConfig config;
    private final HttpClient client;
    private final Map<String, ConsumerSpec> consumers;
    private final LongSupplier nanoClock;
    private final IntrospectionCache cache;

    IntrospectionAuthenticator(
        IntrospectionConfig config,
        HttpClient client,
        Map<String, ConsumerSpec> consumers,
        LongSupplier nanoClock) {
      super(config.realm(), config.source(), new ClaimHeaders(config.claimHeaders()));
      this.config = config;
      this.client = client;
      this.consumers = Map.copyOf(consumers);
      this.nanoClock = nanoClock;
      this.cache = new IntrospectionCache(config.maxEntries());
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
      String key = IntrospectionCache.keyOf(token.value());
      IntrospectionCache.Answer cached = cache.get(key, nanoClock.getAsLong());
      if (cached != null) {
        return decide(cached);
      }
      return new AuthResult.Pending(
          introspect(token.value())
              .handle(
                  (answer, error) -> {
                    if (answer == null) {
                      return unavailable();
                    }
                    cache.put(key, answer);
                    return decide(answer);
                  }));
    }

    /** Sends the request; completes with the answer, or null when the server gave none. */
    private CompletableFuture<IntrospectionCache.Answer> introspect(String token) {
      HTTPRequest request =
          new TokenIntrospectionRequest(
                  config.endpoint(),
                  config.clientAuth(),
                  new BearerAccessToken(token),
                  Map.of("token_type_hint", List.of("access_token")))
              .toHTTPRequest();
      return NimbusHttp.send(client, request, config.timeout()).thenApply(this::answer);
    }

    private IntrospectionCache.@Nullable Answer answer(HTTPResponse http) {
      if (http == null || http.getStatusCode() != 200) {
        return null;
      }
      try {
        TokenIntrospectionResponse parsed = TokenIntrospectionResponse.parse(http);
        if (!parsed.indicatesSuccess()) {
          return null;
        }
        TokenIntrospectionSuccessResponse success = parsed.toSuccessResponse();
        long now = nanoClock.getAsLong();
        if (!success.isActive() || !isAccessToken(success)) {
          return new IntrospectionCache.Answer(
              false, Map.of(), now + config.negativeTtl().toNanos());
        }
        long ttl = config.maxTtl().toNanos();
        if (success.getExpirationTime() != null) {
          long untilExp =
              Duration.ofMillis(success.getExpirationTime().getTime() - System.currentTimeMillis())
                  .toNanos();
          ttl = Math.min(ttl, untilExp);
        }
        Map<String, Object> claims = Map.copyOf(withoutNulls(success.toJSONObject()));
        if (ttl <= 0) {
          return new IntrospectionCache.Answer(false, Map.of(), now);
        }
        return new IntrospectionCache.Answer(true, claims, now + ttl);
      } catch (ParseException | RuntimeException e) {
        return null;
      }
    }

    /**
     * Whether an active answer is about an access token. RFC 7662 lets the server say what the
     * token is ({@code token_type}; Keycloak and others also say it in {@code typ}); a refresh
     * token, an ID token or anything else that is not an access token must not authorize a request,
     * however active. When the answer says nothing, the request's {@code
     * token_type_hint=access_token} is all there is, and the token is taken as one.
     */
    static boolean isAccessToken(TokenIntrospectionSuccessResponse success) {
      for (String field : List.of("token_type", "typ")) {
        String type = success.getStringParameter(field);
        if (type != null && !ACCESS_TOKEN_TYPES.contains(type.toLowerCase(Locale.ROOT))) {
          return false;
        }
      }
      return true;
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> json) {
      Map<String, Object> out = new HashMap<>();
      json.forEach(
          (k, v) -> {
            if (v != null) {
              out.put(k, v);
            }
          });
      return out;
    }

    /**
     * The server gave no answer: 503, or with {@code on-unavailable: allow} an anonymous identity
     * without a consumer (upstream sees only {@code X-Anonymous-Consumer: true}).
     */
    private AuthResult unavailable() {
      if (config.allowWhenUnavailable()) {
        return new AuthResult.Authenticated(
            new Identity(null, null, null, Set.of(), NAME, true, Map.of()));
      }
      return new AuthResult.Unavailable(AuthFailure.INTROSPECTION_UNREACHABLE);
    }

    private AuthResult decide(IntrospectionCache.Answer answer) {
      if (!answer.active()) {
        return AuthResult.invalid("invalid_token", AuthFailure.INTROSPECTION_INACTIVE);
      }
      if (!audienceMatches(answer.claims())) {
        return AuthResult.invalid("invalid_token", AuthFailure.INTROSPECTION_AUDIENCE_NOT_ALLOWED);
      }
      Map<String, Object> claims = answer.claims();
      if (!config.scopes().satisfiedBy(claims)) {
        return new AuthResult.Forbidden(
            Bearer.insufficientScope(config.realm(), config.scopes().challenge()),
            AuthFailure.SCOPE_INSUFFICIENT);
      }
      ConsumerSpec consumer = null;
      if (config.consumerClaim() != null
          && ClaimValues.lookup(claims, config.consumerClaim()) instanceof String s) {
        consumer = consumers.get(s);
      }
      Object sub = claims.get("sub");
      Object clientId = claims.get("client_id");
      return new AuthResult.Authenticated(
          new Identity(
              consumer == null ? null : consumer.name(),
              consumer == null ? null : consumer.customId(),
              String.valueOf(sub != null ? sub : clientId),
              consumer == null ? Set.of() : Set.copyOf(consumer.groups()),
              NAME,
              false,
              claims));
    }

    private boolean audienceMatches(Map<String, Object> claims) {
      if (config.audiences().isEmpty()) {
        return true;
      }
      for (String aud : ClaimValues.words(claims, "aud")) {
        if (config.audiences().contains(aud)) {
          return true;
        }
      }
      return false;
    }
  }
}
