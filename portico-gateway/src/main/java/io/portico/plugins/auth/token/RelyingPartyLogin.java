package io.portico.plugins.auth.token;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
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
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.portico.plugins.auth.AuthFailure;
import io.portico.plugins.auth.Authentication;
import io.portico.plugins.auth.HeaderValues;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.ExchangeKey;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * {@code openid-connect} in relying-party mode: a browser session kept in an encrypted,
 * authenticated cookie ({@link SessionCodec}).
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
 * <p>Threading: {@link #handle} runs on the exchange's event loop with the provider known; token
 * endpoint and UserInfo calls run on the JDK HTTP client and resume on that loop through {@link
 * Outcome#await}. An unreachable provider is a 503.
 */
final class RelyingPartyLogin {

  private static final ExchangeKey<String> SET_COOKIE = ExchangeKey.of("openid-connect.cookie");
  private static final Duration LOGIN_TTL = Duration.ofMinutes(10);
  private static final Duration REFRESH_MARGIN = Duration.ofSeconds(5);

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

  private final OidcConfig config;
  private final OidcConfig.RelyingParty rp;
  private final HttpClient client;
  private final Clock clock;
  private final ClaimHeaders claimHeaders;
  private final @Nullable UserInfoLookup userInfo;

  RelyingPartyLogin(
      OidcConfig config,
      OidcConfig.RelyingParty rp,
      HttpClient client,
      Clock clock,
      ClaimHeaders claimHeaders,
      @Nullable UserInfoLookup userInfo) {
    this.config = config;
    this.rp = rp;
    this.client = client;
    this.clock = clock;
    this.claimHeaders = claimHeaders;
    this.userInfo = userInfo;
  }

  /** RESPONSE: sets the session cookie renewed while the request was let through. */
  void response(Exchange exchange) {
    String cookie = exchange.get(SET_COOKIE);
    if (cookie != null && exchange.response() != null) {
      exchange.response().headers().add(HttpHeaderNames.SET_COOKIE, cookie);
    }
  }

  private Duration until(Instant instant) {
    return Duration.between(clock.instant(), instant);
  }

  /** ACCESS, on the event loop, with the provider known. */
  Outcome handle(Exchange exchange, OidcProvider p) {
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
                    return Authentication.unavailable(AuthFailure.PROVIDER_UNAVAILABLE);
                  }
                  if (result.accessToken() == null) {
                    return login(exchange, p);
                  }
                  JWTClaimsSet renewed = session(result, session, clock.instant());
                  String cookie =
                      cookie(rp.cookie(), rp.sessions().seal(renewed), remaining(renewed), secure);
                  return proceed(exchange, p, renewed, cookie);
                },
                exchange.eventLoop()));
  }

  /** Sends the browser to the provider; API-style requests get a 401 instead. */
  private Outcome login(Exchange exchange, OidcProvider p) {
    HttpMethod method = exchange.request().method();
    if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
      return Authentication.unauthorized(List.of(Bearer.challenge(config.realm(), null)), false)
          .withReason(AuthFailure.SESSION_MISSING.code());
    }
    URI redirect = redirectUri();
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
  private Outcome callback(Exchange exchange, OidcProvider p) {
    String sealed = TokenSource.cookie(exchange.request().headers(), loginCookie());
    JWTClaimsSet login = sealed == null ? null : rp.sessions().open(sealed, clock.instant());
    String code = first(exchange, "code");
    String state = first(exchange, "state");
    URI redirect = redirectUri();
    String nonce = login == null ? null : stringClaim(login, "nn");
    String verifierValue = login == null ? null : stringClaim(login, "cv");
    JwtAuthenticator idTokens = p.idTokens();
    if (login == null
        || idTokens == null
        || code == null
        || state == null
        || !constantTimeEquals(state, stringClaim(login, "st"))
        || nonce == null
        || verifierValue == null) {
      return loginFailed();
    }
    boolean secure = secureCookie(exchange);
    String returnTo = stringClaim(login, "ru");
    AuthorizationGrant grant =
        new AuthorizationCodeGrant(
            new AuthorizationCode(code), redirect, new CodeVerifier(verifierValue));
    CompletableFuture<Outcome> outcome =
        tokenCall(p, grant)
            .thenCompose(
                result -> {
                  if (!result.reachable()) {
                    return OidcPlugin.done(
                        Authentication.unavailable(AuthFailure.PROVIDER_UNAVAILABLE));
                  }
                  String accessToken = result.accessToken();
                  String idToken = result.idToken();
                  if (accessToken == null || idToken == null) {
                    return OidcPlugin.done(loginFailed());
                  }
                  return idTokens
                      .verify(idToken)
                      .thenCompose(
                          verified -> {
                            if (!(verified instanceof JwtVerifier.Valid valid)
                                || !nonce.equals(valid.claims().getClaim("nonce"))) {
                              return OidcPlugin.done(loginFailed());
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
                            UserInfoLookup lookup = userInfo;
                            if (lookup == null) {
                              return OidcPlugin.done(signedIn);
                            }
                            String subject = valid.claims().getSubject();
                            return fetchUserInfo(lookup, p, accessToken, lifetime(result))
                                .thenApply(
                                    answer ->
                                        switch (answer.kind()) {
                                          case UNAVAILABLE ->
                                              Authentication.unavailable(
                                                  AuthFailure.USERINFO_UNAVAILABLE);
                                          case FOUND ->
                                              Objects.equals(answer.subject(), subject)
                                                  ? signedIn
                                                  : loginFailed();
                                          default -> loginFailed();
                                        });
                          });
                });
    return Outcome.await(outcome);
  }

  private Outcome logout(Exchange exchange, OidcProvider p) {
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
          new LogoutRequest(endSession, hint, rp.postLogoutRedirectUri(), null).toURI().toString();
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
      Exchange exchange, OidcProvider p, JWTClaimsSet session, @Nullable String renewedCookie) {
    Map<String, Object> claims = idTokenClaims(session);
    UserInfoLookup lookup = userInfo;
    if (lookup == null) {
      return forward(exchange, session, claims, null, renewedCookie);
    }
    String token = stringClaim(session, "at");
    if (token == null) {
      return login(exchange, p);
    }
    UserInfoLookup.Answer cached = lookup.cached(UserInfoLookup.keyOf(token));
    if (cached != null) {
      return withUserInfo(exchange, session, claims, cached, renewedCookie);
    }
    Long expiry = longClaim(session, "ate");
    return Outcome.await(
        fetchUserInfo(
                lookup, p, token, expiry == null ? null : until(Instant.ofEpochSecond(expiry)))
            .thenApplyAsync(
                answer -> withUserInfo(exchange, session, claims, answer, renewedCookie),
                exchange.eventLoop()));
  }

  /**
   * Forwards the session with its UserInfo. The response's {@code sub} must be the ID token's
   * (OpenID Connect Core 5.3.2). A refused token ends the session: 401 with the cookie cleared, so
   * the next page starts a new login. An outage is a 503 that keeps a renewed session.
   */
  private Outcome withUserInfo(
      Exchange exchange,
      JWTClaimsSet session,
      Map<String, Object> claims,
      UserInfoLookup.Answer answer,
      @Nullable String renewedCookie) {
    if (answer.kind() == UserInfoLookup.Kind.UNAVAILABLE) {
      if (renewedCookie != null) {
        exchange.set(SET_COOKIE, renewedCookie);
      }
      return Authentication.unavailable(AuthFailure.USERINFO_UNAVAILABLE);
    }
    String subject = answer.subject();
    if (answer.kind() == UserInfoLookup.Kind.FOUND
        && subject != null
        && subject.equals(claims.get("sub"))) {
      return forward(exchange, session, claims, answer.header(), renewedCookie);
    }
    return Authentication.unauthorized(
            List.of(Bearer.challenge(config.realm(), "invalid_token")), true)
        .withReason(AuthFailure.USERINFO_REJECTED.code())
        .withHeader(
            HttpHeaderNames.SET_COOKIE,
            cookie(rp.cookie(), "", Duration.ZERO, secureCookie(exchange)));
  }

  private static CompletableFuture<UserInfoLookup.Answer> fetchUserInfo(
      UserInfoLookup lookup, OidcProvider p, String accessToken, @Nullable Duration lifetime) {
    return lookup.fetch(
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
      @Nullable String userInfoHeader,
      @Nullable String renewedCookie) {
    if (renewedCookie != null) {
      exchange.set(SET_COOKIE, renewedCookie);
    }
    HttpHeaders headers = exchange.request().headers();
    TokenSource.removeCookies(headers, Set.of(rp.cookie(), loginCookie()));
    String idToken = stringClaim(session, "it");
    Object iss = claims.get("iss");
    Object sub = claims.get("sub");
    Identity identity =
        new Identity(null, null, iss + "|" + sub, Set.of(), OidcFactory.NAME, false, claims);
    if (rp.idTokenHeader() != null) {
      headers.remove(rp.idTokenHeader());
    }
    OidcConfig.UserInfo forwarded = config.userInfo();
    if (forwarded != null) {
      headers.remove(forwarded.header());
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
    if (forwarded != null && userInfoHeader != null) {
      staged.set(forwarded.header(), userInfoHeader);
    }
    if (!HeaderValues.applyTo(staged, headers)) {
      return Authentication.unauthorized(List.of(Bearer.challenge(config.realm(), null)), false)
          .withReason(AuthFailure.CREDENTIAL_UNFORWARDABLE.code());
    }
    exchange.set(Identity.KEY, identity);
    return Outcome.proceed();
  }

  /** A session from a token response, keeping what a refresh response leaves out. */
  private JWTClaimsSet session(TokenResult result, @Nullable JWTClaimsSet previous, Instant now) {
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

  private CompletableFuture<TokenResult> tokenCall(OidcProvider p, AuthorizationGrant grant) {
    URI endpoint = p.metadata().getTokenEndpointURI();
    HTTPRequest request = new TokenRequest(endpoint, rp.clientAuth(), grant, null).toHTTPRequest();
    return NimbusHttp.send(client, request, config.timeout()).thenApply(RelyingPartyLogin::tokens);
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

  /**
   * The configured {@code redirect-uri}. Never built from the request: a client chooses its Host
   * header, and a redirect URI of its choosing would send the provider's code to its host.
   */
  private URI redirectUri() {
    return rp.redirectUri();
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
            "The sign-in could not be completed; start again.")
        .withReason(AuthFailure.LOGIN_FAILED.code());
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

  private static boolean constantTimeEquals(String a, @Nullable String b) {
    return b != null
        && MessageDigest.isEqual(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
