package io.portico.plugins.auth.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import io.netty.util.AsciiString;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The config of {@code openid-connect}, compiled at load time.
 *
 * @param discovery the provider's discovery document ({@code .well-known/openid-configuration})
 * @param relyingParty false for bearer-only (APIs), true for the browser login flow
 * @param algorithms accepted signature algorithms of access and ID tokens
 * @param audiences bearer mode: {@code aud} must hold one of them, when not empty
 * @param scopes bearer mode: required scopes
 * @param clockSkew leeway for time claims
 * @param claimHeaders claims (of the access token in bearer mode, of the ID token in relying-party
 *     mode) to upstream headers
 * @param source bearer mode: where the token is read from
 * @param jwks key set fetching
 * @param timeout time limit of discovery, token and UserInfo endpoint calls
 * @param rp the relying-party settings, or null in bearer mode
 * @param realm the challenge's realm
 * @param userInfo forwarding of the UserInfo response, or null when it is not forwarded
 */
record OidcConfig(
    URI discovery,
    boolean relyingParty,
    Set<JWSAlgorithm> algorithms,
    Set<String> audiences,
    RequiredWords scopes,
    Duration clockSkew,
    Map<String, AsciiString> claimHeaders,
    @Nullable TokenSource source,
    JwtConfig.Jwks jwks,
    Duration timeout,
    @Nullable RelyingParty rp,
    String realm,
    @Nullable UserInfo userInfo) {

  OidcConfig {
    algorithms = Set.copyOf(algorithms);
    audiences = Set.copyOf(audiences);
    claimHeaders = Map.copyOf(claimHeaders);
  }

  /**
   * Forwarding of the OpenID Connect UserInfo response ({@code userinfo}).
   *
   * @param header the upstream header carrying the response's JSON, base64-encoded
   * @param maxTtl how long a response is kept at most (never longer than the access token lives)
   * @param negativeTtl how long a refusal of the token is kept
   * @param maxEntries how many answers are kept
   */
  record UserInfo(AsciiString header, Duration maxTtl, Duration negativeTtl, int maxEntries) {}

  /**
   * Relying-party mode.
   *
   * @param clientId the gateway's client id
   * @param clientAuth how the gateway authenticates at the token endpoint
   * @param redirectPath the path the provider sends the browser back to
   * @param redirectUri the absolute redirect URI the provider sends the browser back to (never
   *     built from the request's Host, which the client chooses)
   * @param logoutPath the path that ends the session
   * @param postLogoutRedirectUri where the provider sends the browser after logout, or null
   * @param requestScopes the scopes asked for
   * @param sessions seals the session and login cookies
   * @param cookie the session cookie's name; the login cookie adds {@code _login}
   * @param sessionMaxAge the session's lifetime, refreshes included
   * @param secureCookie {@code always}, {@code never} or {@code auto} (when the client uses TLS)
   * @param forwardAccessToken whether the access token goes upstream as {@code Authorization:
   *     Bearer}
   * @param idTokenHeader the header carrying the ID token upstream, or null
   */
  record RelyingParty(
      String clientId,
      ClientAuthentication clientAuth,
      String redirectPath,
      URI redirectUri,
      @Nullable String logoutPath,
      @Nullable URI postLogoutRedirectUri,
      Scope requestScopes,
      SessionCodec sessions,
      String cookie,
      Duration sessionMaxAge,
      String secureCookie,
      boolean forwardAccessToken,
      @Nullable AsciiString idTokenHeader) {}
}
