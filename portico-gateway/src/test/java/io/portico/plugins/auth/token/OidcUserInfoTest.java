package io.portico.plugins.auth.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.SignedJWT;
import io.netty.handler.codec.http.HttpRequest;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OAuthServerPerClass;
import io.portico.testing.OriginPerClass;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code openid-connect} with {@code userinfo} forwarding, against a real OpenID provider
 * (mock-oauth2-server, in process) whose UserInfo endpoint is reached through a {@link
 * UserInfoProxy} that counts the calls and can play a provider that is down, slow or refuses the
 * token: bearer mode and the browser login both forward the UserInfo JSON, base64-encoded; one
 * token costs one call however many requests carry it; an outage is a 503, a refusal a 401 with the
 * RFC 6750 challenge; a client's copy of the header never reaches the upstream.
 */
class OidcUserInfoTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final OAuthServerPerClass oauth = new OAuthServerPerClass();
  private static UserInfoProxy proxy;
  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    proxy =
        new UserInfoProxy(
            oauth.server().wellKnownUrl("default").uri(),
            oauth.server().userInfoUrl("default").uri());
    int port = io.portico.testing.FreePort.pick();
    gw =
        env.start(
            """
            listeners:
              - address: 127.0.0.1:%3$d
            services:
              - name: backend
                targets: [ "%1$s" ]
            consumers:
              - name: guest
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
                    session: { secret: "0123456789abcdef0123456789abcdef", cookie: sid }
                    id-token-header: X-Id-Token
                    userinfo: { forward: true, header: X-Profile }
              - name: api
                paths: [ "/api" ]
                strip-prefix: true
                service: backend
                plugins:
                  openid-connect:
                    discovery: "%2$s"
                    audiences: [ api ]
                    userinfo: { forward: true }
              - name: impatient
                paths: [ "/impatient" ]
                strip-prefix: true
                service: backend
                plugins:
                  openid-connect:
                    discovery: "%2$s"
                    timeout: 1s
                    userinfo: { forward: true }
              - name: open
                paths: [ "/open" ]
                strip-prefix: true
                service: backend
                plugins:
                  openid-connect:
                    discovery: "%2$s"
                    anonymous: guest
                    userinfo: { forward: true }
            """
                .formatted(env.origin().authority(), proxy.discoveryUrl(), port));
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
  }

  @AfterEach
  void providerBackToNormal() {
    proxy.mode(UserInfoProxy.Mode.RELAY);
  }

  private static String token(String subject, Map<String, Object> claims) {
    return oauth.server().issueToken("default", subject, "api", claims, 3600L).serialize();
  }

  private static HttpResponse<String> api(String token, String... headers) throws Exception {
    java.net.http.HttpRequest.Builder b =
        java.net.http.HttpRequest.newBuilder(gw.uri("/api/hello"))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + token);
    if (headers.length > 0) {
      b.headers(headers);
    }
    return gw.send(b);
  }

  private static JsonNode userInfo(HttpRequest seen, String header) throws Exception {
    List<String> values = seen.headers().getAll(header);
    assertThat(values).hasSize(1);
    return JSON.readTree(Base64.getDecoder().decode(values.get(0)));
  }

  private static HttpClient browser() {
    return HttpClient.newBuilder()
        .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
        .followRedirects(HttpClient.Redirect.ALWAYS)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
  }

  private static HttpResponse<String> browse(HttpClient browser, String path, String... headers)
      throws Exception {
    java.net.http.HttpRequest.Builder b =
        java.net.http.HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return browser.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String cookieOf(HttpClient browser, String name) {
    return ((CookieManager) browser.cookieHandler().orElseThrow())
        .getCookieStore().getCookies().stream()
            .filter(c -> c.getName().equals(name))
            .map(c -> c.getName() + "=" + c.getValue())
            .findFirst()
            .orElseThrow();
  }

  @Test
  void bearerModeForwardsTheUserInfoAsBase64EncodedJson() throws Exception {
    String token = token("erin", Map.of("email", "erin@example.com"));
    int before = proxy.calls();

    HttpResponse<String> r = api(token, "X-Userinfo", "eyJzdWIiOiJhZG1pbiJ9");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode info = userInfo(env.origin().lastRequest(), "x-userinfo");
    assertThat(info.get("sub").asText()).isEqualTo("erin");
    assertThat(info.get("email").asText()).isEqualTo("erin@example.com");
    assertThat(proxy.calls()).isEqualTo(before + 1);
  }

  @Test
  void requestsWithOneTokenAskTheEndpointOnceEvenWhenConcurrent() throws Exception {
    String token = token("frank", Map.of());
    int before = proxy.calls();
    for (int i = 0; i < 5; i++) {
      assertThat(api(token).statusCode()).isEqualTo(200);
      assertThat(userInfo(env.origin().lastRequest(), "x-userinfo").get("sub").asText())
          .isEqualTo("frank");
    }
    assertThat(proxy.calls()).isEqualTo(before + 1);

    String fresh = token("grace", Map.of());
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      all.add(
          gw.client()
              .sendAsync(
                  java.net.http.HttpRequest.newBuilder(gw.uri("/api/hello"))
                      .timeout(Duration.ofSeconds(10))
                      .header("Authorization", "Bearer " + fresh)
                      .build(),
                  HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> f : all) {
      assertThat(f.get().statusCode()).isEqualTo(200);
    }
    assertThat(proxy.calls()).isEqualTo(before + 2);
  }

  @Test
  void anEndpointThatIsDownIs503AndTheNextRequestAsksAgain() throws Exception {
    String token = token("heidi", Map.of());
    int seenByOrigin = env.origin().requestCount();
    int before = proxy.calls();
    proxy.mode(UserInfoProxy.Mode.DOWN);

    HttpResponse<String> r = api(token);

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(proxy.calls()).isEqualTo(before + 1);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(r.body()).contains("authentication-unavailable");
    assertThat(r.headers().allValues("www-authenticate")).isEmpty();
    assertThat(env.origin().requestCount()).isEqualTo(seenByOrigin);

    proxy.mode(UserInfoProxy.Mode.RELAY);
    assertThat(api(token).statusCode()).isEqualTo(200);
    assertThat(proxy.calls()).isEqualTo(before + 2);
  }

  @Test
  void anEndpointSlowerThanTheTimeoutIs503() throws Exception {
    Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> impatient(token("ivan", Map.of())).statusCode() == 200);
    int before = proxy.calls();
    proxy.mode(UserInfoProxy.Mode.SLOW);
    long start = System.nanoTime();

    HttpResponse<String> r = impatient(token("ivan", Map.of("n", 2)));

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("authentication-unavailable");
    assertThat(proxy.calls()).isEqualTo(before + 1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2900));
  }

  private static HttpResponse<String> impatient(String token) throws Exception {
    return gw.send(
        java.net.http.HttpRequest.newBuilder(gw.uri("/impatient/hello"))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + token));
  }

  @Test
  void aTokenTheEndpointRefusesIs401WithTheBearerChallengeAndTheRefusalIsKept() throws Exception {
    String token = token("judy", Map.of());
    int before = proxy.calls();
    proxy.mode(UserInfoProxy.Mode.REFUSE);

    HttpResponse<String> r = api(token);

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"portico\"");
    assertThat(r.body()).contains("authentication-required");
    proxy.mode(UserInfoProxy.Mode.RELAY);
    assertThat(api(token).statusCode()).isEqualTo(401);
    assertThat(proxy.calls()).isEqualTo(before + 1);
  }

  @Test
  void aClientSentUserInfoHeaderNeverReachesTheUpstream() throws Exception {
    HttpResponse<String> anonymous =
        gw.send(
            java.net.http.HttpRequest.newBuilder(gw.uri("/open/hello"))
                .header("X-Userinfo", "eyJzdWIiOiJhZG1pbiJ9"));

    assertThat(anonymous.statusCode()).isEqualTo(200);
    assertThat(env.origin().lastRequest().headers().contains("x-userinfo")).isFalse();
    assertThat(env.origin().lastRequest().headers().get("x-anonymous-consumer")).isEqualTo("true");
  }

  @Test
  void browserLoginFetchesTheUserInfoOnceAndEveryPageForwardsIt() throws Exception {
    HttpClient browser = browser();
    int before = proxy.calls();

    assertThat(browse(browser, "/app/hello").statusCode()).isEqualTo(200);

    HttpRequest seen = env.origin().lastRequest();
    String subject =
        SignedJWT.parse(seen.headers().get("x-id-token")).getJWTClaimsSet().getSubject();
    assertThat(userInfo(seen, "x-profile").get("sub").asText()).isEqualTo(subject);
    assertThat(proxy.calls()).isEqualTo(before + 1);

    HttpResponse<String> again = browse(browser, "/app/headers", "X-Profile", "eyJzdWIiOiJ4In0=");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.previousResponse()).isEmpty();
    assertThat(userInfo(env.origin().lastRequest(), "x-profile").get("sub").asText())
        .isEqualTo(subject);
    assertThat(proxy.calls()).isEqualTo(before + 1);
  }

  @Test
  void aRefreshedAccessTokenHasItsUserInfoFetched() throws Exception {
    oauth
        .server()
        .enqueueCallback(
            new DefaultOAuth2TokenCallback(
                "default", "kate", "JWT", List.of("portico"), Map.of(), 2));
    HttpClient browser = browser();
    int before = proxy.calls();
    assertThat(browse(browser, "/app/hello").statusCode()).isEqualTo(200);
    // The login's token lives 2 seconds, within the refresh margin: the first page refreshed it
    // at once, and each of the two tokens had its UserInfo fetched.
    assertThat(proxy.calls()).isEqualTo(before + 2);

    HttpResponse<String> r =
        gw.send(
            java.net.http.HttpRequest.newBuilder(gw.uri("/app/hello"))
                .header("Cookie", cookieOf(browser, "sid")));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().allValues("set-cookie"))
        .anySatisfy(c -> assertThat(c).startsWith("sid="));
    assertThat(userInfo(env.origin().lastRequest(), "x-profile").get("sub").asText())
        .isEqualTo("kate");
    assertThat(proxy.calls()).isEqualTo(before + 3);
  }

  @Test
  void anEndpointThatIsDownAtLoginIs503() throws Exception {
    proxy.mode(UserInfoProxy.Mode.DOWN);

    HttpResponse<String> r = browse(browser(), "/app/hello");

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.uri().getPath()).isEqualTo("/app/callback");
    assertThat(r.body()).contains("authentication-unavailable");
    assertThat(r.headers().allValues("set-cookie")).noneMatch(c -> c.startsWith("sid=ey"));
  }

  @Test
  void aSessionWhoseTokenTheEndpointRefusesEndsWith401() throws Exception {
    oauth
        .server()
        .enqueueCallback(
            new DefaultOAuth2TokenCallback(
                "default", "liam", "JWT", List.of("portico"), Map.of(), 2));
    HttpClient browser = browser();
    assertThat(browse(browser, "/app/hello").statusCode()).isEqualTo(200);
    proxy.mode(UserInfoProxy.Mode.REFUSE);

    HttpResponse<String> r =
        gw.send(
            java.net.http.HttpRequest.newBuilder(gw.uri("/app/hello"))
                .header("Cookie", cookieOf(browser, "sid")));

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("www-authenticate"))
        .hasValue("Bearer realm=\"portico\", error=\"invalid_token\"");
    assertThat(r.headers().allValues("set-cookie"))
        .singleElement()
        .satisfies(c -> assertThat(c).startsWith("sid=;").contains("Max-Age=0"));
  }
}
