package io.portico.plugins.auth.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import io.netty.handler.codec.http.HttpRequest;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OAuthServerPerClass;
import io.portico.testing.OriginPerClass;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code openid-connect} against a real OpenID provider (mock-oauth2-server, in process): a
 * browser-style login through the gateway with an HTTP client that follows redirects and keeps
 * cookies, refresh of an expired access token, logout, tampered and forged callbacks; and bearer
 * mode for APIs.
 */
class OidcPluginTest {

  @RegisterExtension static final OAuthServerPerClass oauth = new OAuthServerPerClass();
  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    int port = io.portico.testing.FreePort.pick();
    gw =
        env.start(
            """
            listeners:
              - address: 127.0.0.1:%3$d
            services:
              - name: backend
                targets: [ "%1$s" ]
            routes:
              - name: app
                paths: [ "/app" ]
                strip-prefix: true
                service: backend
                plugins:
                  openid-connect:
                    mode: relying-party
                    discovery: "%2$s"
                    client-id: portico
                    client-secret: not-so-secret
                    redirect-path: /app/callback
                    redirect-uri: "http://127.0.0.1:%3$d/app/callback"
                    logout-path: /app/logout
                    post-logout-redirect-uri: https://app.example.com/bye
                    request-scopes: [ profile ]
                    session: { secret: "0123456789abcdef0123456789abcdef", cookie: sid }
                    id-token-header: X-Id-Token
                    claims-to-headers: { sub: X-User }
              - name: api
                paths: [ "/api" ]
                strip-prefix: true
                service: backend
                plugins:
                  openid-connect:
                    discovery: "%2$s"
                    audiences: [ api ]
              - name: nowhere
                paths: [ "/nowhere" ]
                strip-prefix: true
                service: backend
                plugins:
                  openid-connect:
                    discovery: "http://127.0.0.1:1/.well-known/openid-configuration"
                    timeout: 500ms
            """
                .formatted(env.origin().authority(), oauth.server().wellKnownUrl("default"), port));
  }

  private static HttpClient browser() {
    return HttpClient.newBuilder()
        .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
        .followRedirects(HttpClient.Redirect.ALWAYS)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  private static HttpResponse<String> get(HttpClient client, String path) throws Exception {
    return client.send(
        java.net.http.HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> getWithCookie(String path, String cookie) throws Exception {
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(gw.uri(path));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return gw.send(b);
  }

  private static String cookieOf(HttpClient browser, String name) {
    return ((CookieManager) browser.cookieHandler().orElseThrow())
        .getCookieStore().getCookies().stream()
            .filter(c -> c.getName().equals(name))
            .map(c -> c.getName() + "=" + c.getValue())
            .findFirst()
            .orElse(null);
  }

  @Test
  void theRedirectUriIsTheConfiguredOneWhateverHostTheClientSends() throws Exception {
    try (io.portico.testing.RawClient raw = gw.raw()) {
      String head =
          raw.send("GET /app/headers HTTP/1.1\r\nHost: attacker.example\r\n\r\n")
              .readUntil("\r\n\r\n", 10_000);
      assertThat(head).startsWith("HTTP/1.1 302");
      String location =
          head.lines()
              .filter(l -> l.regionMatches(true, 0, "location:", 0, 9))
              .findFirst()
              .orElseThrow();
      String redirect =
          java.net.URLDecoder.decode(
              location.replaceFirst(".*[?&]redirect_uri=([^&]*).*", "$1"),
              java.nio.charset.StandardCharsets.UTF_8);
      assertThat(redirect).isEqualTo("http://127.0.0.1:" + gw.port() + "/app/callback");
      assertThat(location).doesNotContain("attacker.example");
    }
  }

  @Test
  void browserLogsInThroughTheProviderAndReachesTheApp() throws Exception {
    HttpClient browser = browser();
    HttpResponse<String> r = get(browser, "/app/headers?x=1");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.uri().getPath()).isEqualTo("/app/headers");
    assertThat(r.uri().getQuery()).isEqualTo("x=1");
    HttpResponse<String> hop = r.previousResponse().orElseThrow();
    assertThat(hop.uri().getPath()).isEqualTo("/app/callback");
    URI authorize = hop.previousResponse().orElseThrow().uri();
    assertThat(authorize.toString())
        .startsWith(oauth.server().authorizationEndpointUrl("default").toString());
    assertThat(authorize.getQuery())
        .contains("code_challenge_method=S256")
        .contains("code_challenge=")
        .contains("nonce=")
        .contains("state=")
        .contains("scope=openid+profile");

    HttpRequest seen = env.origin().lastRequest();
    String authorization = seen.headers().get("authorization");
    assertThat(authorization).startsWith("Bearer ");
    SignedJWT access = SignedJWT.parse(authorization.substring(7));
    assertThat(access.getJWTClaimsSet().getIssuer())
        .isEqualTo(oauth.server().issuerUrl("default").toString());
    SignedJWT id = SignedJWT.parse(seen.headers().get("x-id-token"));
    assertThat(id.getJWTClaimsSet().getAudience()).containsExactly("portico");
    assertThat(seen.headers().get("x-user")).isEqualTo(id.getJWTClaimsSet().getSubject());
    assertThat(String.valueOf(seen.headers().get("cookie"))).doesNotContain("sid=");

    HttpResponse<String> again = get(browser, "/app/hello");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.previousResponse()).isEmpty();
  }

  @Test
  void expiredAccessTokenIsRefreshedAndTheSessionCookieRenewed() throws Exception {
    oauth
        .server()
        .enqueueCallback(
            new DefaultOAuth2TokenCallback(
                "default", "carol", "JWT", List.of("portico"), Map.of(), 2));
    HttpClient browser = browser();
    assertThat(get(browser, "/app/hello").statusCode()).isEqualTo(200);
    String first = env.origin().lastRequest().headers().get("authorization");
    String cookie = cookieOf(browser, "sid");
    assertThat(cookie).isNotNull();

    HttpResponse<String> r = getWithCookie("/app/hello", cookie);
    assertThat(r.statusCode()).isEqualTo(200);
    String second = env.origin().lastRequest().headers().get("authorization");
    assertThat(second).startsWith("Bearer ").isNotEqualTo(first);
    assertThat(r.headers().allValues("set-cookie"))
        .anySatisfy(c -> assertThat(c).startsWith("sid="));
  }

  @Test
  void withoutASessionABrowserIsSentToTheProviderWithAnOpaqueLoginCookie() throws Exception {
    HttpResponse<String> r = getWithCookie("/app/hello", null);
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.headers().firstValue("location").orElseThrow())
        .startsWith(oauth.server().authorizationEndpointUrl("default").toString());
    String login = r.headers().firstValue("set-cookie").orElseThrow();
    assertThat(login)
        .startsWith("sid_login=")
        .containsIgnoringCase("HttpOnly")
        .contains("SameSite=Lax");
    assertThat(login).doesNotContain("code_verifier");
  }

  @Test
  void tamperedSessionCookieStartsANewLogin() throws Exception {
    HttpClient browser = browser();
    assertThat(get(browser, "/app/hello").statusCode()).isEqualTo(200);
    String cookie = cookieOf(browser, "sid");
    int cut = cookie.length() - 5;
    String tampered =
        cookie.substring(0, cut)
            + (cookie.charAt(cut) == 'A' ? 'B' : 'A')
            + cookie.substring(cut + 1);
    HttpResponse<String> r = getWithCookie("/app/hello", tampered);
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(getWithCookie("/app/hello", "sid=not-a-session").statusCode()).isEqualTo(302);
  }

  @Test
  void callbackWithAForgedStateIsRefused() throws Exception {
    HttpResponse<String> start = getWithCookie("/app/hello", null);
    String login = start.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
    HttpResponse<String> r = getWithCookie("/app/callback?code=abc&state=forged", login);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("login-failed");
    HttpResponse<String> noCookie = getWithCookie("/app/callback?code=abc&state=forged", null);
    assertThat(noCookie.statusCode()).isEqualTo(401);
  }

  @Test
  void nonBrowserRequestWithoutSessionIsUnauthorized() throws Exception {
    HttpResponse<String> r =
        gw.send(
            java.net.http.HttpRequest.newBuilder(gw.uri("/app/hello"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("x")));
    assertThat(r.statusCode()).isEqualTo(401);
  }

  @Test
  void logoutClearsTheSessionAndGoesToTheProvider() throws Exception {
    HttpClient browser = browser();
    assertThat(get(browser, "/app/hello").statusCode()).isEqualTo(200);
    HttpResponse<String> r = getWithCookie("/app/logout", cookieOf(browser, "sid"));
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.headers().firstValue("location").orElseThrow())
        .startsWith(oauth.server().endSessionEndpointUrl("default").toString())
        .contains("id_token_hint=")
        .contains("post_logout_redirect_uri=https%3A%2F%2Fapp.example.com%2Fbye");
    assertThat(r.headers().firstValue("set-cookie").orElseThrow())
        .startsWith("sid=;")
        .contains("Max-Age=0");
  }

  @Test
  void bearerModeVerifiesAccessTokensWithTheDiscoveredKeys() throws Exception {
    String token = oauth.server().issueToken("default", "dave", "api", Map.of(), 3600L).serialize();
    HttpResponse<String> ok =
        gw.send(
            java.net.http.HttpRequest.newBuilder(gw.uri("/api/hello"))
                .header("Authorization", "Bearer " + token));
    assertThat(ok.statusCode()).isEqualTo(200);
    String other =
        oauth.server().issueToken("default", "dave", "other", Map.of(), 3600L).serialize();
    HttpResponse<String> wrongAudience =
        gw.send(
            java.net.http.HttpRequest.newBuilder(gw.uri("/api/hello"))
                .header("Authorization", "Bearer " + other));
    assertThat(wrongAudience.statusCode()).isEqualTo(401);
    assertThat(getWithCookie("/api/hello", null).statusCode()).isEqualTo(401);
  }

  @Test
  void unreachableDiscoveryIsUnavailable() throws Exception {
    String token = oauth.server().issueToken("default", "dave", "api", Map.of(), 3600L).serialize();
    HttpResponse<String> r =
        gw.send(
            java.net.http.HttpRequest.newBuilder(gw.uri("/nowhere/hello"))
                .header("Authorization", "Bearer " + token));
    assertThat(r.statusCode()).isEqualTo(503);
  }
}
