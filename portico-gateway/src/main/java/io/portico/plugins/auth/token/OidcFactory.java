package io.portico.plugins.auth.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.Tokens;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.LogoutRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.netty.util.AsciiString;
import io.portico.plugins.auth.AuthResult;
import io.portico.plugins.auth.AuthSettings;
import io.portico.plugins.auth.Authentication;
import io.portico.plugins.auth.HeaderValues;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.ConsumerReferences;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.ExchangeKey;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import io.portico.spi.plugin.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code openid-connect}: OpenID Connect in front of APIs (bearer mode) or browser apps
 * (relying-party mode), in ACCESS.
 *
 * <p>The provider's discovery document is fetched without blocking (at creation, and again, at most
 * every few seconds, while it fails); requests that arrive before it wait for it, and get 503 when
 * it cannot be had. It gives the issuer, the JWKS and the endpoints.
 *
 * <p><b>Bearer mode</b> verifies access tokens exactly as {@code jwt} does ({@link
 * JwtAuthenticator}), with the discovered issuer and JWKS, through {@link Authentication}: the same
 * identity headers, {@code anonymous}, {@code hide-credentials} and answers as every other
 * authentication plugin.
 *
 * <p><b>Relying-party mode</b> keeps a browser session in an encrypted, authenticated cookie
 * ({@link SessionCodec}):
 *
 * <pre>
 *   no session ─▶ 302 to the authorization endpoint (code flow, PKCE S256, state, nonce; those
 *                 three sealed in a short-lived login cookie)
 *   redirect-path ─▶ state checked, code exchanged at the token endpoint, ID token verified (issuer,
 *                    audience = client id, signature, nonce) ─▶ session cookie, 302 back
 *   session ─▶ access token (refreshed with the refresh token when it has expired) forwarded
 *              upstream; identity from the ID token
 *   logout-path ─▶ session cookie cleared, 302 to the provider's end-session endpoint
 * </pre>
 *
 * Token endpoint calls run on the JDK HTTP client; an unreachable provider is a 503.
 *
 * <p><b>{@code userinfo}</b> (both modes) forwards the UserInfo response of the access token,
 * base64-encoded JSON, in a header the plugin owns (client copies are removed on every request
 * through it). Answers come from {@link UserInfoLookup}: in bearer mode after the token is
 * verified, in relying-party mode fetched at login and after each refresh and looked up by the
 * session's access token afterwards. An endpoint that cannot answer is a 503; one that refuses the
 * token a 401 with the RFC 6750 challenge.
 */
public final class OidcFactory
    implements PluginFactory<OidcConfig>, ConsumerReferences<OidcConfig> {

  static final String NAME = "openid-connect";
  private static final ExchangeKey<String> SET_COOKIE = ExchangeKey.of("openid-connect.cookie");
  private static final Duration LOGIN_TTL = Duration.ofMinutes(10);
  private static final Duration REFRESH_MARGIN = Duration.ofSeconds(5);
  private static final Duration DISCOVERY_RETRY = Duration.ofSeconds(5);
  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");
  private static final Set<AsciiString> RESERVED_HEADERS =
      Set.of(HttpHeaderNames.AUTHORIZATION, HttpHeaderNames.COOKIE, HttpHeaderNames.HOST);

  private final Clock clock;

  public OidcFactory() {
    this(Clock.systemUTC());
  }

  OidcFactory(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 2080;
  }

  @Override
  public @Nullable OidcConfig parse(ConfigReader r) {
    Problems problems = r.problems();
    URI discovery = null;
    if (r.required("discovery", "the provider's discovery document URL") != null) {
      discovery = r.value("discovery", null, "an http or https URL", JwtFactory::httpUri);
    }
    boolean rpMode =
        r.oneOf("mode", "bearer", List.of("bearer", "relying-party")).equals("relying-party");
    Set<JWSAlgorithm> algorithms =
        r.has("algorithms") ? JwtFactory.algorithms(r) : Set.of(JWSAlgorithm.RS256);
    Set<String> audiences = new LinkedHashSet<>(r.strings("audiences"));
    RequiredWords scopes = JwtFactory.words(r, "scopes", List.of("scope", "scp"));
    Duration skew = JwtFactory.clockSkew(r);
    Map<String, AsciiString> headers = JwtFactory.claimHeaders(r);
    TokenSource source = rpMode ? null : TokenSource.parse(r);
    JwtConfig.Jwks fetch = JwtConfig.Jwks.parse(r.object("jwks"));
    Duration timeout =
        r.duration("timeout", Duration.ofSeconds(5), Duration.ofMillis(1), Duration.ofMinutes(1));
    OidcConfig.RelyingParty rp = rpMode ? relyingParty(r) : null;
    String realm = r.string("realm", "portico");
    OidcConfig.UserInfo userInfo = userInfo(r, headers, rp);
    r.finish();
    if (!problems.isEmpty()) {
      return null; // some values above are stand-ins that cannot be built on
    }
    return new OidcConfig(
        Objects.requireNonNull(discovery),
        rpMode,
        algorithms,
        audiences,
        scopes,
        skew,
        headers,
        source,
        fetch,
        timeout,
        rp,
        realm,
        userInfo);
  }

  /**
   * Reads {@code userinfo}; null when the UserInfo is not forwarded. The header must not be one
   * whose value the gateway sets otherwise.
   */
  private static OidcConfig.@Nullable UserInfo userInfo(
      ConfigReader r, Map<String, AsciiString> claimHeaders, OidcConfig.RelyingParty rp) {
    ConfigReader u = r.object("userinfo");
    boolean forward = u.bool("forward", false);
    String header = u.string("header", "X-Userinfo");
    ConfigReader cache = u.object("cache");
    Duration maxTtl =
        cache.duration("max-ttl", Duration.ofMinutes(5), Duration.ZERO, Duration.ofDays(1));
    Duration negativeTtl =
        cache.duration("negative-ttl", Duration.ofSeconds(10), Duration.ZERO, Duration.ofDays(1));
    int maxEntries = cache.integer("max-entries", 10_000, 1, 10_000_000);
    cache.finish();
    u.finish();
    AsciiString name = AsciiString.of(header).toLowerCase();
    boolean taken =
        RESERVED_HEADERS.contains(name)
            || Authentication.IDENTITY_HEADERS.contains(name)
            || claimHeaders.containsValue(name)
            || (rp != null && name.equals(rp.idTokenHeader()));
    if (!HEADER_NAME.matcher(header).matches() || taken) {
      ConfigNode at = u.child("header");
      r.problems()
          .expected(
              at != null ? at : u.node(),
              "a header name other than Authorization, Cookie, Host, the identity headers,"
                  + " id-token-header and those of claims-to-headers");
      return null;
    }
    return forward ? new OidcConfig.UserInfo(name, maxTtl, negativeTtl, maxEntries) : null;
  }

  private static OidcConfig.@Nullable RelyingParty relyingParty(ConfigReader r) {
    String clientId = r.requiredString("client-id", "the gateway's client id at the provider");
    String secret = r.requiredString("client-secret", "the gateway's client secret");
    String method =
        r.oneOf(
            "client-auth",
            "client_secret_basic",
            List.of("client_secret_basic", "client_secret_post"));
    String redirectPath = path(r, "redirect-path", null, true);
    URI redirectUri = r.value("redirect-uri", null, "an http or https URL", JwtFactory::httpUri);
    String logoutPath = path(r, "logout-path", null, false);
    URI postLogout =
        r.value("post-logout-redirect-uri", null, "an http or https URL", JwtFactory::httpUri);
    List<String> requested = r.has("request-scopes") ? r.strings("request-scopes") : List.of();
    Scope scope = new Scope("openid");
    for (String s : requested) {
      scope.add(s);
    }
    ConfigReader session = r.object("session");
    ConfigNode secretNode =
        session.required("secret", "a session secret of at least 32 characters");
    String sessionSecret = secretNode != null && secretNode.isScalar() ? secretNode.text() : null;
    if (secretNode != null && (sessionSecret == null || sessionSecret.length() < 32)) {
      r.problems().expected(secretNode, "a session secret of at least 32 characters");
      sessionSecret = null;
    }
    String cookie = session.string("cookie", "portico_session");
    if (!cookie.matches("[A-Za-z0-9_.-]+")) {
      session.expected("cookie", "a cookie name of letters, digits, _ . -");
    }
    Duration maxAge =
        session.duration(
            "max-age", Duration.ofHours(8), Duration.ofSeconds(1), ConfigReader.MAX_DURATION);
    String secure = session.oneOf("secure", "auto", List.of("auto", "always", "never"));
    session.finish();
    boolean forwardAccess = r.bool("forward-access-token", true);
    String idHeader = r.string("id-token-header", null);
    if (idHeader != null) {
      AsciiString name = AsciiString.of(idHeader).toLowerCase();
      if (!HEADER_NAME.matcher(idHeader).matches()
          || RESERVED_HEADERS.contains(name)
          || Authentication.IDENTITY_HEADERS.contains(name)) {
        r.problems()
            .expected(
                r.child("id-token-header"),
                "a header name other than Authorization, Cookie, Host and the identity headers");
        idHeader = null;
      }
    }
    if (clientId == null || secret == null || redirectPath == null || sessionSecret == null) {
      return null;
    }
    ClientAuthentication auth =
        method.equals("client_secret_post")
            ? new ClientSecretPost(new ClientID(clientId), new Secret(secret))
            : new ClientSecretBasic(new ClientID(clientId), new Secret(secret));
    return new OidcConfig.RelyingParty(
        clientId,
        auth,
        redirectPath,
        redirectUri,
        logoutPath,
        postLogout,
        scope,
        new SessionCodec(sessionSecret),
        cookie,
        maxAge,
        secure,
        forwardAccess,
        idHeader == null ? null : AsciiString.of(idHeader).toLowerCase());
  }

  private static @Nullable String path(ConfigReader r, String key, String def, boolean required) {
    String value =
        required ? r.requiredString(key, "an absolute path such as /callback") : r.string(key, def);
    if (value != null && (!value.startsWith("/") || value.startsWith("//"))) {
      r.expected(key, "an absolute path such as /callback");
      return null;
    }
    return value;
  }

  /** Reports a bearer-mode {@code anonymous} that names no consumer. */
  @Override
  public void checkConsumerReferences(
      OidcConfig config, ConfigNode node, Set<String> consumers, Problems problems) {
    TokenSource source = config.source();
    String anonymous = source == null ? null : source.auth().anonymous();
    if (anonymous != null && !consumers.contains(anonymous)) {
      ConfigNode at = node.isObject() ? node.fields().get("anonymous") : null;
      problems.expected(at != null ? at : node, "the name of a consumer");
    }
  }

  @Override
  public Plugin create(OidcConfig config, PluginContext context) {
    JwksCache cache = context.shared(JwtFactory.SHARED_JWKS, JwksCache.class, JwksCache::new);
    TokenHttpClient http =
        context.shared(
            IntrospectionFactory.SHARED_HTTP, TokenHttpClient.class, TokenHttpClient::new);
    OidcPlugin plugin = new OidcPlugin(config, cache, http.client(), clock, context);
    plugin.provider();
    return plugin;
  }

  /** What discovery gave: the metadata and the verifiers built from it. */
  private record Provider(
      OIDCProviderMetadata metadata, JwtAuthenticator bearer, JwtAuthenticator idTokens) {}

  /** The result of a token endpoint call. */
  private record TokenResult(
      boolean reachable,
      @Nullable String accessToken,
      long lifetime,
      @Nullable String refreshToken,
      @Nullable String idToken) {
    static final TokenResult UNREACHABLE = new TokenResult(false, null, 0, null, null);
    static final TokenResult REFUSED = new TokenResult(true, null, 0, null, null);
  }

  /** The plugin; its discovered provider is set once and then read without locking. */
  private static final class OidcPlugin implements Plugin {

    private final OidcConfig config;
    private final OidcConfig.RelyingParty rp;
    private final JwksCache cache;
    private final HttpClient client;
    private final Clock clock;
    private final ClaimHeaders claimHeaders;
    private final Authentication bearer;
    private final UserInfoLookup userInfo;
    private final AtomicReference<Provider> provider = new AtomicReference<>();
    private CompletableFuture<Provider> discovering;
    private long lastAttemptNanos;

    OidcPlugin(
        OidcConfig config, JwksCache cache, HttpClient client, Clock clock, PluginContext context) {
      this.config = config;
      this.rp = config.rp();
      this.cache = cache;
      this.client = client;
      this.clock = clock;
      this.claimHeaders = new ClaimHeaders(config.claimHeaders());
      this.userInfo =
          config.userInfo() == null
              ? null
              : new UserInfoLookup(config.userInfo(), client, config.timeout(), System::nanoTime);
      this.bearer =
          rp == null
              ? new Authentication(NAME, new BearerMode(), config.source().auth(), context)
              : null;
    }

    @Override
    public Set<Phase> phases() {
      return config.relyingParty() ? Set.of(Phase.ACCESS, Phase.RESPONSE) : Set.of(Phase.ACCESS);
    }

    /** Claim headers, and the ID token and userinfo headers when configured. */
    @Override
    public Set<String> identityHeaders() {
      Set<String> names = claimHeaders.names();
      if (rp != null && rp.idTokenHeader() != null) {
        names = union(names, rp.idTokenHeader());
      }
      if (userInfo != null) {
        names = union(names, config.userInfo().header());
      }
      return names;
    }

    /** The provider, discovering it when not known (at most once per retry interval). */
    synchronized CompletableFuture<Provider> provider() {
      Provider known = provider.get();
      if (known != null) {
        return CompletableFuture.completedFuture(known);
      }
      if (discovering != null) {
        return discovering;
      }
      long now = System.nanoTime();
      if (lastAttemptNanos != 0 && now - lastAttemptNanos < DISCOVERY_RETRY.toNanos()) {
        return CompletableFuture.completedFuture(null);
      }
      lastAttemptNanos = now;
      HTTPRequest request = new HTTPRequest(HTTPRequest.Method.GET, config.discovery());
      CompletableFuture<Provider> f =
          NimbusHttp.send(client, request, config.timeout()).thenApply(this::discovered);
      discovering = f;
      f.whenComplete((p, e) -> done());
      return f;
    }

    private synchronized void done() {
      discovering = null;
    }

    private @Nullable Provider discovered(HTTPResponse response) {
      if (response == null || response.getStatusCode() != 200) {
        return null;
      }
      OIDCProviderMetadata metadata;
      try {
        metadata = OIDCProviderMetadata.parse(response.getBody());
      } catch (com.nimbusds.oauth2.sdk.ParseException e) {
        return null;
      }
      URI jwks = metadata.getJWKSetURI();
      if (jwks == null || (userInfo != null && metadata.getUserInfoEndpointURI() == null)) {
        return null;
      }
      String issuer = metadata.getIssuer().getValue();
      List<JwtConfig.Issuer> issuers = List.of(new JwtConfig.Issuer(issuer, null, jwks));
      RequiredWords none = new RequiredWords(List.of("roles"), Set.of(), true);
      JwtConfig bearer =
          new JwtConfig(
              config.source() == null
                  ? new TokenSource(
                      HttpHeaderNames.AUTHORIZATION,
                      true,
                      null,
                      null,
                      new AuthSettings(null, false, true))
                  : config.source(),
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
        idTokens = new JwtAuthenticator(id, new JwtVerifier(id, Map.of(), clock), cache, NAME);
      }
      Provider p =
          new Provider(
              metadata,
              new JwtAuthenticator(bearer, new JwtVerifier(bearer, Map.of(), clock), cache, NAME),
              idTokens);
      provider.set(p);
      cache.refresh(jwks, config.jwks().minRefreshInterval(), config.jwks().timeout());
      return p;
    }

    @Override
    public Outcome access(Exchange exchange) {
      if (bearer != null) {
        return bearer.access(exchange);
      }
      Provider p = provider.get();
      if (p != null) {
        return handle(exchange, p);
      }
      return Outcome.await(
          provider()
              .thenComposeAsync(
                  found ->
                      found == null
                          ? done(Authentication.unavailable())
                          : stage(handle(exchange, found)),
                  exchange.eventLoop()));
    }

    /**
     * Bearer mode: verifies access tokens with the discovered provider's {@link JwtAuthenticator},
     * waiting for discovery when it is not done yet (503 when it cannot be).
     */
    private final class BearerMode extends BearerTokenAuthenticator {

      BearerMode() {
        super(config.realm(), config.source(), claimHeaders);
      }

      @Override
      public Set<String> ownHeaders() {
        return userInfo == null
            ? super.ownHeaders()
            : union(super.ownHeaders(), config.userInfo().header());
      }

      @Override
      public AuthResult authenticate(Exchange exchange) {
        String token =
            userInfo != null && config.source().find(exchange) instanceof TokenSource.Token t
                ? t.value()
                : null;
        Provider p = provider.get();
        if (p != null) {
          return withUserInfo(p, token, p.bearer().authenticate(exchange));
        }
        return new AuthResult.Pending(
            provider()
                .thenComposeAsync(
                    found ->
                        found == null
                            ? CompletableFuture.completedFuture(new AuthResult.Unavailable())
                            : settle(
                                withUserInfo(found, token, found.bearer().authenticate(exchange))),
                    exchange.eventLoop()));
      }

      /**
       * With {@code userinfo} forwarding, a valid token's UserInfo (cached, or asked for now) joins
       * the result; a token the endpoint refuses is refused here too. Touches no exchange: it may
       * run on the thread that completed a key set refresh.
       */
      private AuthResult withUserInfo(Provider p, String token, AuthResult result) {
        if (token == null) {
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
        UserInfoLookup.Answer cached = userInfo.cached(key);
        if (cached != null) {
          return decide(ok, cached);
        }
        Object exp = ok.identity().claims().get("exp");
        Duration lifetime = exp instanceof Date d ? until(d.toInstant()) : null;
        return new AuthResult.Pending(
            userInfo
                .fetch(p.metadata().getUserInfoEndpointURI(), token, key, lifetime)
                .thenApply(answer -> decide(ok, answer)));
      }

      private AuthResult decide(AuthResult.Authenticated ok, UserInfoLookup.Answer answer) {
        return switch (answer.kind()) {
          case FOUND ->
              new AuthResult.Authenticated(
                  ok.identity(), Map.of(config.userInfo().header(), answer.header()));
          case INVALID_TOKEN -> AuthResult.invalid("invalid_token");
          case INSUFFICIENT_SCOPE ->
              new AuthResult.Forbidden(Bearer.insufficientScope(config.realm(), "openid"));
          case UNAVAILABLE -> new AuthResult.Unavailable();
        };
      }
    }

    private Duration until(Instant instant) {
      return Duration.between(clock.instant(), instant);
    }

    private static CompletionStage<AuthResult> settle(AuthResult result) {
      return result instanceof AuthResult.Pending pending
          ? pending.stage()
          : CompletableFuture.completedFuture(result);
    }

    private static CompletableFuture<Outcome> done(Outcome o) {
      return CompletableFuture.completedFuture(o);
    }

    private static CompletableFuture<Outcome> stage(Outcome o) {
      if (o instanceof Outcome.Pending pending) {
        return pending.stage().toCompletableFuture().thenApply(x -> (Outcome) x);
      }
      return done(o);
    }

    @Override
    public void response(Exchange exchange) {
      String cookie = exchange.get(SET_COOKIE);
      if (cookie != null && exchange.response() != null) {
        exchange.response().headers().add(HttpHeaderNames.SET_COOKIE, cookie);
      }
    }

    /** On the event loop, with the provider known. */
    private Outcome handle(Exchange exchange, Provider p) {
      String path = exchange.path();
      if (path.equals(rp.redirectPath())) {
        return callback(exchange, p);
      }
      if (rp.logoutPath() != null && path.equals(rp.logoutPath())) {
        return logout(exchange, p);
      }
      HttpHeaders headers = exchange.request().headers();
      String sealed = TokenSource.cookie(headers, rp.cookie());
      JWTClaimsSet session = sealed == null ? null : rp.sessions().open(sealed, clock.instant());
      if (session == null) {
        return login(exchange, p);
      }
      Long accessExpiry = longClaim(session, "ate");
      Instant now = clock.instant();
      if (accessExpiry == null
          || now.plus(REFRESH_MARGIN).isBefore(Instant.ofEpochSecond(accessExpiry))) {
        return proceed(exchange, p, session, null);
      }
      String refreshToken = stringClaim(session, "rt");
      if (refreshToken == null) {
        return login(exchange, p);
      }
      boolean secure = secureCookie(exchange);
      return Outcome.await(
          tokenCall(p, new RefreshTokenGrant(new RefreshToken(refreshToken)))
              .thenApplyAsync(
                  result -> {
                    if (!result.reachable()) {
                      return Authentication.unavailable();
                    }
                    if (result.accessToken() == null) {
                      return login(exchange, p);
                    }
                    JWTClaimsSet renewed = session(result, session, clock.instant());
                    String cookie =
                        cookie(
                            rp.cookie(), rp.sessions().seal(renewed), remaining(renewed), secure);
                    return proceed(exchange, p, renewed, cookie);
                  },
                  exchange.eventLoop()));
    }

    /** Sends the browser to the provider; API-style requests get a 401 instead. */
    private Outcome login(Exchange exchange, Provider p) {
      HttpMethod method = exchange.request().method();
      if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
        return Authentication.unauthorized(List.of(Bearer.challenge(config.realm(), null)), false);
      }
      URI redirect = redirectUri(exchange);
      if (redirect == null) {
        return Authentication.unauthorized(
            List.of(Bearer.challenge(config.realm(), "invalid_request")), true);
      }
      State state = new State();
      Nonce nonce = new Nonce();
      CodeVerifier verifier = new CodeVerifier();
      String returnTo = exchange.request().uri();
      if (!returnTo.startsWith("/") || returnTo.startsWith("//")) {
        returnTo = "/";
      }
      Instant now = clock.instant();
      JWTClaimsSet login =
          new JWTClaimsSet.Builder()
              .claim("st", state.getValue())
              .claim("nn", nonce.getValue())
              .claim("cv", verifier.getValue())
              .claim("ru", returnTo)
              .expirationTime(Date.from(now.plus(LOGIN_TTL)))
              .build();
      URI authorize =
          new AuthenticationRequest.Builder(
                  new ResponseType(ResponseType.Value.CODE),
                  rp.requestScopes(),
                  new ClientID(rp.clientId()),
                  redirect)
              .endpointURI(p.metadata().getAuthorizationEndpointURI())
              .state(state)
              .nonce(nonce)
              .codeChallenge(verifier, CodeChallengeMethod.S256)
              .build()
              .toURI();
      return redirect(authorize.toString())
          .withHeader(
              HttpHeaderNames.SET_COOKIE,
              cookie(loginCookie(), rp.sessions().seal(login), LOGIN_TTL, secureCookie(exchange)));
    }

    /** The provider sent the browser back with a code: exchange it and open the session. */
    private Outcome callback(Exchange exchange, Provider p) {
      String sealed = TokenSource.cookie(exchange.request().headers(), loginCookie());
      JWTClaimsSet login = sealed == null ? null : rp.sessions().open(sealed, clock.instant());
      String code = first(exchange, "code");
      String state = first(exchange, "state");
      URI redirect = redirectUri(exchange);
      if (login == null
          || code == null
          || state == null
          || redirect == null
          || !constantTimeEquals(state, stringClaim(login, "st"))) {
        return loginFailed();
      }
      boolean secure = secureCookie(exchange);
      String nonce = stringClaim(login, "nn");
      String returnTo = stringClaim(login, "ru");
      AuthorizationGrant grant =
          new AuthorizationCodeGrant(
              new AuthorizationCode(code), redirect, new CodeVerifier(stringClaim(login, "cv")));
      CompletableFuture<Outcome> outcome =
          tokenCall(p, grant)
              .thenCompose(
                  result -> {
                    if (!result.reachable()) {
                      return done(Authentication.unavailable());
                    }
                    if (result.accessToken() == null || result.idToken() == null) {
                      return done(loginFailed());
                    }
                    return p.idTokens()
                        .verify(result.idToken())
                        .thenCompose(
                            verified -> {
                              if (!(verified instanceof JwtVerifier.Valid valid)
                                  || !nonce.equals(valid.claims().getClaim("nonce"))) {
                                return done(loginFailed());
                              }
                              JWTClaimsSet session = session(result, null, clock.instant());
                              Reply signedIn =
                                  redirect(returnTo == null ? "/" : returnTo)
                                      .withHeader(
                                          HttpHeaderNames.SET_COOKIE,
                                          cookie(
                                              rp.cookie(),
                                              rp.sessions().seal(session),
                                              rp.sessionMaxAge(),
                                              secure))
                                      .withHeader(
                                          HttpHeaderNames.SET_COOKIE,
                                          cookie(loginCookie(), "", Duration.ZERO, secure));
                              if (userInfo == null) {
                                return done(signedIn);
                              }
                              String subject = valid.claims().getSubject();
                              return fetchUserInfo(p, result.accessToken(), lifetime(result))
                                  .thenApply(
                                      answer ->
                                          switch (answer.kind()) {
                                            case UNAVAILABLE -> Authentication.unavailable();
                                            case FOUND ->
                                                answer.subject().equals(subject)
                                                    ? signedIn
                                                    : loginFailed();
                                            default -> loginFailed();
                                          });
                            });
                  });
      return Outcome.await(outcome);
    }

    private Outcome logout(Exchange exchange, Provider p) {
      String sealed = TokenSource.cookie(exchange.request().headers(), rp.cookie());
      JWTClaimsSet session = sealed == null ? null : rp.sessions().open(sealed, clock.instant());
      URI endSession = p.metadata().getEndSessionEndpointURI();
      String location;
      if (endSession != null) {
        JWT hint = null;
        String idToken = session == null ? null : stringClaim(session, "it");
        if (idToken != null) {
          try {
            hint = JWTParser.parse(idToken);
          } catch (java.text.ParseException e) {
            hint = null;
          }
        }
        location =
            new LogoutRequest(endSession, hint, rp.postLogoutRedirectUri(), null)
                .toURI()
                .toString();
      } else {
        location = rp.postLogoutRedirectUri() == null ? "/" : rp.postLogoutRedirectUri().toString();
      }
      return redirect(location)
          .withHeader(
              HttpHeaderNames.SET_COOKIE,
              cookie(rp.cookie(), "", Duration.ZERO, secureCookie(exchange)));
    }

    /**
     * A valid session goes upstream; with {@code userinfo} forwarding, with the UserInfo of its
     * access token (cached, or asked for now). {@code renewedCookie} is the session cookie to set
     * after a refresh, or null.
     */
    private Outcome proceed(
        Exchange exchange, Provider p, JWTClaimsSet session, String renewedCookie) {
      Map<String, Object> claims = idTokenClaims(session);
      if (userInfo == null) {
        return forward(exchange, session, claims, null, renewedCookie);
      }
      String token = stringClaim(session, "at");
      if (token == null) {
        return login(exchange, p);
      }
      UserInfoLookup.Answer cached = userInfo.cached(UserInfoLookup.keyOf(token));
      if (cached != null) {
        return withUserInfo(exchange, session, claims, cached, renewedCookie);
      }
      Long expiry = longClaim(session, "ate");
      return Outcome.await(
          fetchUserInfo(p, token, expiry == null ? null : until(Instant.ofEpochSecond(expiry)))
              .thenApplyAsync(
                  answer -> withUserInfo(exchange, session, claims, answer, renewedCookie),
                  exchange.eventLoop()));
    }

    /**
     * Forwards the session with its UserInfo. The response's {@code sub} must be the ID token's
     * (OpenID Connect Core 5.3.2). A refused token ends the session: 401 with the cookie cleared,
     * so the next page starts a new login. An outage is a 503 that keeps a renewed session.
     */
    private Outcome withUserInfo(
        Exchange exchange,
        JWTClaimsSet session,
        Map<String, Object> claims,
        UserInfoLookup.Answer answer,
        String renewedCookie) {
      if (answer.kind() == UserInfoLookup.Kind.UNAVAILABLE) {
        if (renewedCookie != null) {
          exchange.set(SET_COOKIE, renewedCookie);
        }
        return Authentication.unavailable();
      }
      if (answer.kind() == UserInfoLookup.Kind.FOUND
          && answer.subject().equals(claims.get("sub"))) {
        return forward(exchange, session, claims, answer.header(), renewedCookie);
      }
      return Authentication.unauthorized(
              List.of(Bearer.challenge(config.realm(), "invalid_token")), true)
          .withHeader(
              HttpHeaderNames.SET_COOKIE,
              cookie(rp.cookie(), "", Duration.ZERO, secureCookie(exchange)));
    }

    private CompletableFuture<UserInfoLookup.Answer> fetchUserInfo(
        Provider p, String accessToken, Duration lifetime) {
      return userInfo.fetch(
          p.metadata().getUserInfoEndpointURI(),
          accessToken,
          UserInfoLookup.keyOf(accessToken),
          lifetime);
    }

    private static @Nullable Duration lifetime(TokenResult result) {
      return result.lifetime() > 0 ? Duration.ofSeconds(result.lifetime()) : null;
    }

    /** The claims of the session's ID token; empty when there is none. */
    private static Map<String, Object> idTokenClaims(JWTClaimsSet session) {
      String idToken = stringClaim(session, "it");
      if (idToken != null) {
        try {
          return JWTParser.parse(idToken).getJWTClaimsSet().getClaims();
        } catch (java.text.ParseException e) {
          return Map.of();
        }
      }
      return Map.of();
    }

    /**
     * A valid session: forward the tokens, the identity and {@code userInfoHeader} (when not null)
     * upstream, and set {@code renewedCookie} (when not null) on the response.
     */
    private Outcome forward(
        Exchange exchange,
        JWTClaimsSet session,
        Map<String, Object> claims,
        String userInfoHeader,
        String renewedCookie) {
      if (renewedCookie != null) {
        exchange.set(SET_COOKIE, renewedCookie);
      }
      HttpHeaders headers = exchange.request().headers();
      TokenSource.removeCookies(headers, Set.of(rp.cookie(), loginCookie()));
      String idToken = stringClaim(session, "it");
      Object iss = claims.get("iss");
      Object sub = claims.get("sub");
      Identity identity = new Identity(null, null, iss + "|" + sub, Set.of(), NAME, false, claims);
      if (rp.idTokenHeader() != null) {
        headers.remove(rp.idTokenHeader());
      }
      if (userInfo != null) {
        headers.remove(config.userInfo().header());
      }
      claimHeaders.strip(headers);
      HttpHeaders staged = HeaderValues.staging();
      Authentication.forward(identity, staged);
      claimHeaders.forward(claims, staged);
      if (rp.forwardAccessToken()) {
        staged.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + stringClaim(session, "at"));
      }
      if (rp.idTokenHeader() != null && idToken != null) {
        staged.set(rp.idTokenHeader(), idToken);
      }
      if (userInfo != null && userInfoHeader != null) {
        staged.set(config.userInfo().header(), userInfoHeader);
      }
      if (!HeaderValues.applyTo(staged, headers)) {
        return Authentication.unauthorized(List.of(Bearer.challenge(config.realm(), null)), false);
      }
      exchange.set(Identity.KEY, identity);
      return Outcome.proceed();
    }

    /** A session from a token response, keeping what a refresh response leaves out. */
    private JWTClaimsSet session(TokenResult result, JWTClaimsSet previous, Instant now) {
      Date expiry =
          previous == null ? Date.from(now.plus(rp.sessionMaxAge())) : previous.getExpirationTime();
      String refresh =
          result.refreshToken() != null
              ? result.refreshToken()
              : previous == null ? null : stringClaim(previous, "rt");
      String id =
          result.idToken() != null
              ? result.idToken()
              : previous == null ? null : stringClaim(previous, "it");
      JWTClaimsSet.Builder b =
          new JWTClaimsSet.Builder()
              .claim("at", result.accessToken())
              .claim("rt", refresh)
              .claim("it", id)
              .expirationTime(expiry);
      if (result.lifetime() > 0) {
        b.claim("ate", now.getEpochSecond() + result.lifetime());
      }
      return b.build();
    }

    private CompletableFuture<TokenResult> tokenCall(Provider p, AuthorizationGrant grant) {
      URI endpoint = p.metadata().getTokenEndpointURI();
      HTTPRequest request =
          new TokenRequest(endpoint, rp.clientAuth(), grant, null).toHTTPRequest();
      return NimbusHttp.send(client, request, config.timeout()).thenApply(OidcPlugin::tokens);
    }

    private static TokenResult tokens(HTTPResponse response) {
      if (response == null || response.getStatusCode() >= 500) {
        return TokenResult.UNREACHABLE;
      }
      try {
        TokenResponse parsed = TokenResponse.parse(response);
        if (!parsed.indicatesSuccess()) {
          return TokenResult.REFUSED;
        }
        AccessTokenResponse success = parsed.toSuccessResponse();
        Tokens tokens = success.getTokens();
        Object id = success.getCustomParameters().get("id_token");
        return new TokenResult(
            true,
            tokens.getAccessToken().getValue(),
            tokens.getAccessToken().getLifetime(),
            tokens.getRefreshToken() == null ? null : tokens.getRefreshToken().getValue(),
            id instanceof String s ? s : null);
      } catch (com.nimbusds.oauth2.sdk.ParseException | RuntimeException e) {
        return TokenResult.REFUSED;
      }
    }

    private @Nullable URI redirectUri(Exchange exchange) {
      if (rp.redirectUri() != null) {
        return rp.redirectUri();
      }
      String host = exchange.request().headers().get(HttpHeaderNames.HOST);
      if (host == null || host.isEmpty() || !host.matches("[A-Za-z0-9.:\\[\\]-]+")) {
        return null;
      }
      return URI.create((exchange.secure() ? "https" : "http") + "://" + host + rp.redirectPath());
    }

    private boolean secureCookie(Exchange exchange) {
      return switch (rp.secureCookie()) {
        case "always" -> true;
        case "never" -> false;
        default -> exchange.secure();
      };
    }

    private String loginCookie() {
      return rp.cookie() + "_login";
    }

    private Duration remaining(JWTClaimsSet session) {
      Duration d = Duration.between(clock.instant(), session.getExpirationTime().toInstant());
      return d.isNegative() ? Duration.ZERO : d;
    }

    private static String cookie(String name, String value, Duration maxAge, boolean secure) {
      DefaultCookie c = new DefaultCookie(name, value);
      c.setPath("/");
      c.setHttpOnly(true);
      c.setSecure(secure);
      c.setSameSite(CookieHeaderNames.SameSite.Lax);
      c.setMaxAge(maxAge.toSeconds());
      return ServerCookieEncoder.STRICT.encode(c);
    }

    private static Reply redirect(String location) {
      return Reply.of(HttpResponseStatus.FOUND)
          .withHeader(HttpHeaderNames.LOCATION, location)
          .withHeader(HttpHeaderNames.CACHE_CONTROL, "no-store");
    }

    private static Reply loginFailed() {
      return Reply.problem(
          HttpResponseStatus.UNAUTHORIZED,
          "login-failed",
          "Unauthorized",
          "The sign-in could not be completed; start again.");
    }

    private static @Nullable String first(Exchange exchange, String name) {
      List<String> values = exchange.queryParameters().get(name);
      return values == null || values.size() != 1 ? null : values.get(0);
    }

    private static @Nullable String stringClaim(JWTClaimsSet claims, String name) {
      return claims.getClaim(name) instanceof String s ? s : null;
    }

    private static @Nullable Long longClaim(JWTClaimsSet claims, String name) {
      return claims.getClaim(name) instanceof Number n ? n.longValue() : null;
    }

    private static boolean constantTimeEquals(String a, String b) {
      return b != null
          && MessageDigest.isEqual(
              a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static Set<String> union(Set<String> names, CharSequence more) {
    Set<String> out = new java.util.HashSet<>(names);
    out.add(more.toString());
    return Set.copyOf(out);
  }
}
