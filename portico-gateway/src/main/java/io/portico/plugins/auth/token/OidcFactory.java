package io.portico.plugins.auth.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import io.portico.plugins.auth.Authentication;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.ConsumerReferences;
import io.portico.spi.plugin.CredentialPlaces;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * <p><b>Relying-party mode</b> keeps a browser session in an encrypted, authenticated cookie and
 * runs the authorization code flow ({@link RelyingPartyLogin}).
 *
 * <p>This class reads the config; {@link OidcPlugin} is the running plugin, {@link OidcDiscovery}
 * finds the provider, {@link OidcBearerMode} and {@link RelyingPartyLogin} are the two modes.
 *
 * <p><b>{@code userinfo}</b> (both modes) forwards the UserInfo response of the access token,
 * base64-encoded JSON, in a header the plugin owns (client copies are removed on every request
 * through it). Answers come from {@link UserInfoLookup}: in bearer mode after the token is
 * verified, in relying-party mode fetched at login and after each refresh and looked up by the
 * session's access token afterwards. An endpoint that cannot answer is a 503; one that refuses the
 * token a 401 with the RFC 6750 challenge.
 */
public final class OidcFactory
    implements PluginFactory<OidcConfig>,
        ConsumerReferences<OidcConfig>,
        CredentialPlaces<OidcConfig> {

  static final String NAME = "openid-connect";

  /** The admin listener's session cookie, which the gateway never forwards upstream. */
  private static final String CONSOLE_COOKIE = "portico_session";

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
      ConfigReader r, Map<String, AsciiString> claimHeaders, OidcConfig.@Nullable RelyingParty rp) {
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
    // Required: built from the request, the client's Host header would pick where the provider
    // sends the code (Envoy's oauth2 filter likewise requires redirect_uri).
    ConfigNode redirectNode =
        r.required(
            "redirect-uri",
            "the absolute http or https URL the provider sends the browser back to, such as"
                + " https://app.example.com/callback");
    URI redirectUri =
        redirectNode == null
            ? null
            : r.value("redirect-uri", null, "an http or https URL", JwtFactory::httpUri);
    if (redirectUri != null
        && redirectPath != null
        && !redirectPath.equals(redirectUri.getRawPath())) {
      r.problems()
          .expected(
              java.util.Objects.requireNonNull(redirectNode),
              "a URL whose path is redirect-path (" + redirectPath + ")");
      redirectUri = null;
    }
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
    String cookie = session.string("cookie", "portico_oidc");
    if (!cookie.matches("[A-Za-z0-9_.-]+")) {
      session.expected("cookie", "a cookie name of letters, digits, _ . -");
    } else if (cookie.equals(CONSOLE_COOKIE) || cookie.equals(CONSOLE_COOKIE + "_login")) {
      session.expected(
          "cookie",
          "a cookie name other than "
              + CONSOLE_COOKIE
              + ", the console's session cookie (a browser sends both to every port of a host)");
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
        r.expected(
            "id-token-header",
            "a header name other than Authorization, Cookie, Host and the identity headers");
        idHeader = null;
      }
    }
    if (clientId == null
        || secret == null
        || redirectPath == null
        || redirectUri == null
        || sessionSecret == null) {
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

  private static @Nullable String path(
      ConfigReader r, String key, @Nullable String def, boolean required) {
    String value =
        required ? r.requiredString(key, "an absolute path such as /callback") : r.string(key, def);
    if (value != null && (!value.startsWith("/") || value.startsWith("//"))) {
      r.expected(key, "an absolute path such as /callback");
      return null;
    }
    return value;
  }

  /** Bearer mode's token header, if it reads one. */
  @Override
  public Set<String> credentialHeaders(OidcConfig config) {
    TokenSource source = config.source();
    return source == null ? Set.of() : source.headerNames();
  }

  /** Bearer mode's token query parameter, if it reads one. */
  @Override
  public Set<String> credentialQueryParameters(OidcConfig config) {
    TokenSource source = config.source();
    return source == null ? Set.of() : source.queryNames();
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
    plugin.discover();
    return plugin;
  }
}
