package io.portico.plugins.auth.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.netty.handler.codec.http.HttpRequest;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OAuthServerPerClass;
import io.portico.testing.OriginPerClass;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code jwt} in a running gateway against a real OAuth 2.0 server (mock-oauth2-server, in process)
 * and a key server of our own for tokens with hand-picked claims: valid tokens pass with their
 * identity forwarded, and every attack or mistake is a 401 that says only {@code invalid_token}.
 */
class JwtPluginTest {

  private static final String OWN_ISSUER = "https://own.example";

  @RegisterExtension static final OAuthServerPerClass oauth = new OAuthServerPerClass();
  private static KeyServer keys;
  private static RSAKey signing;
  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    keys = new KeyServer();
    signing = KeyServer.newKey("k1");
    keys.publish(signing);
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%1$s" ]
            consumers:
              - name: alice
                custom-id: A-1
                groups: [ staff ]
                credentials:
                  jwt: { key: alice }
            routes:
              - name: mock
                paths: [ "/mock" ]
                strip-prefix: true
                service: backend
                plugins:
                  jwt:
                    algorithms: [ RS256 ]
                    issuers:
                      - issuer: "%2$s"
                        jwks-url: "%3$s"
                    audiences: [ api ]
                    consumer-claim: sub
                    claims-to-headers: { sub: X-User, scope: X-Scope }
                    cookie: at
                    query: access_token
                    hide-credentials: true
              - name: scoped
                paths: [ "/scoped" ]
                strip-prefix: true
                service: backend
                plugins:
                  jwt:
                    algorithms: [ RS256 ]
                    issuers: [ { issuer: "%2$s", jwks-url: "%3$s" } ]
                    scopes: { required: [ "orders:read", "orders:write" ], match: any }
              - name: open
                paths: [ "/open" ]
                strip-prefix: true
                service: backend
              - name: own
                paths: [ "/own" ]
                strip-prefix: true
                service: backend
                plugins:
                  jwt:
                    algorithms: [ RS256, HS256 ]
                    issuers: [ { issuer: "%4$s", jwks-url: "%5$s" } ]
                    audiences: [ api ]
                    clock-skew: 5s
            """
                .formatted(
                    env.origin().authority(),
                    oauth.server().issuerUrl("default"),
                    oauth.server().jwksUrl("default"),
                    OWN_ISSUER,
                    keys.jwksUrl()));
  }

  @AfterAll
  static void stop() throws Exception {
    keys.close();
  }

  private static String mockToken(String subject, String audience, Map<String, Object> claims) {
    return oauth.server().issueToken("default", subject, audience, claims, 3600L).serialize();
  }

  private static JWTClaimsSet.Builder ownClaims() {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(OWN_ISSUER)
        .subject("svc")
        .audience("api")
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)));
  }

  private static HttpResponse<String> get(String path, String authorization) throws Exception {
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(gw.uri(path));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return gw.send(b);
  }

  /** The refusal of a bad token: with uniform-failures (the default), that of no token at all. */
  private static void assertInvalidToken(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"portico\"");
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(r.body())
        .contains("authentication-required")
        .doesNotContain("invalid-credentials")
        .doesNotContainIgnoringCase("signature");
  }

  @Test
  void acceptsTokenOfTheMockServerAndForwardsTheIdentity() throws Exception {
    String token = mockToken("alice", "api", Map.of("scope", "orders:read"));
    int before = env.origin().requestCount();
    java.net.http.HttpRequest.Builder b =
        java.net.http.HttpRequest.newBuilder(gw.uri("/mock/headers"))
            .header("Authorization", "Bearer " + token)
            .header("X-Consumer-Name", "mallory")
            .header("X-User", "mallory");
    HttpResponse<String> r = gw.send(b);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(env.origin().requestCount()).isEqualTo(before + 1);
    HttpRequest seen = env.origin().lastRequest();
    assertThat(seen.headers().getAll("x-consumer-name")).containsExactly("alice");
    assertThat(seen.headers().get("x-consumer-custom-id")).isEqualTo("A-1");
    assertThat(seen.headers().get("x-consumer-groups")).isEqualTo("staff");
    assertThat(seen.headers().getAll("x-user")).containsExactly("alice");
    assertThat(seen.headers().get("x-scope")).isEqualTo("orders:read");
    assertThat(seen.headers().get("x-credential-id"))
        .isEqualTo(oauth.server().issuerUrl("default") + "|alice");
    assertThat(seen.headers().contains("authorization")).isFalse();
  }

  @Test
  void claimHeadersSentByAClientAreRemovedOnRoutesWithoutThePlugin() throws Exception {
    // X-User and X-Scope are claim headers of the jwt plugin on /mock: an upstream trusts them, so
    // a client must not be able to send them through any other route to the same upstream.
    HttpResponse<String> r =
        gw.send(
            java.net.http.HttpRequest.newBuilder(gw.uri("/open/headers"))
                .header("X-User", "admin")
                .header("x-scope", "orders:write")
                .header("X-Other", "kept"));
    assertThat(r.statusCode()).isEqualTo(200);
    HttpRequest seen = env.origin().lastRequest();
    assertThat(seen.headers().contains("x-user")).isFalse();
    assertThat(seen.headers().contains("x-scope")).isFalse();
    assertThat(seen.headers().get("x-other")).isEqualTo("kept");
  }

  @Test
  void tokenOfAnUnknownSubjectPassesWithoutAConsumer() throws Exception {
    HttpResponse<String> r = get("/mock/hello", "Bearer " + mockToken("bob", "api", Map.of()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(env.origin().lastRequest().headers().contains("x-consumer-name")).isFalse();
    assertThat(env.origin().lastRequest().headers().get("x-user")).isEqualTo("bob");
  }

  @Test
  void missingTokenGetsABareChallenge() throws Exception {
    HttpResponse<String> r = get("/mock/hello", null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"portico\"");
  }

  @Test
  void schemeIsCaseInsensitiveAndAnotherSchemeIsNoToken() throws Exception {
    String token = mockToken("alice", "api", Map.of());
    assertThat(get("/mock/hello", "bearer " + token).statusCode()).isEqualTo(200);
    assertThat(get("/mock/hello", "BEARER " + token).statusCode()).isEqualTo(200);
    HttpResponse<String> basic = get("/mock/hello", "Basic " + token);
    assertThat(basic.statusCode()).isEqualTo(401);
    assertThat(basic.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"portico\"");
    HttpResponse<String> empty = get("/mock/hello", "Bearer ");
    assertThat(empty.statusCode()).isEqualTo(401);
    assertThat(empty.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"portico\"");
  }

  @Test
  void lowerCaseHeaderNameIsTheSameHeader() throws Exception {
    String token = mockToken("alice", "api", Map.of());
    HttpResponse<String> r =
        gw.send(
            java.net.http.HttpRequest.newBuilder(gw.uri("/mock/hello"))
                .header("authorization", "Bearer " + token));
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void tokenInTwoPlacesIsMalformed() throws Exception {
    String token = mockToken("alice", "api", Map.of());
    HttpResponse<String> r =
        gw.send(
            java.net.http.HttpRequest.newBuilder(gw.uri("/mock/hello?access_token=" + token))
                .header("Authorization", "Bearer " + token));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"portico\"");
  }

  @Test
  void readsTokenFromCookieAndHidesIt() throws Exception {
    String token = mockToken("alice", "api", Map.of());
    HttpResponse<String> r =
        gw.send(
            java.net.http.HttpRequest.newBuilder(gw.uri("/mock/hello"))
                .header("Cookie", "theme=dark; at=" + token));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(env.origin().lastRequest().headers().get("cookie")).isEqualTo("theme=dark");
  }

  @Test
  void readsTokenFromQueryAndHidesIt() throws Exception {
    String token = mockToken("alice", "api", Map.of());
    HttpResponse<String> r = get("/mock/hello?x=1&access_token=" + token, null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(env.origin().lastRequest().uri()).isEqualTo("/hello?x=1");
  }

  @Test
  void rejectsAlgNone() throws Exception {
    String header =
        Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
            .toString();
    String claims = ownClaims().build().toPayload().toBase64URL().toString();
    assertInvalidToken(get("/own/hello", "Bearer " + header + "." + claims + "."));
    String mock = mockToken("alice", "api", Map.of());
    String mockClaims = mock.split("\\.")[1];
    assertInvalidToken(get("/mock/hello", "Bearer " + header + "." + mockClaims + "."));
  }

  @Test
  void rejectsHs256SignedWithTheRsaPublicKey() throws Exception {
    byte[] publicKey = signing.toRSAPublicKey().getEncoded();
    byte[] pem =
        ("-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(publicKey)
                + "\n-----END PUBLIC KEY-----\n")
            .getBytes(StandardCharsets.US_ASCII);
    for (byte[] secret : List.of(publicKey, pem, signing.toJSONString().getBytes())) {
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), ownClaims().build());
      jwt.sign(new MACSigner(secret));
      assertInvalidToken(get("/own/hello", "Bearer " + jwt.serialize()));
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "svc\r\nX-Admin: true",
        "svc\nx",
        "svc\rx",
        "svc\u0000x",
        "svc\u007fx",
        "svc\u001bx"
      })
  void aValidlySignedTokenWhoseSubjectCannotBeAHeaderValueIsRefusedNotA500(String subject)
      throws Exception {
    String token = KeyServer.sign(signing, ownClaims().subject(subject).build());
    int before = env.origin().requestCount();

    HttpResponse<String> r = get("/own/hello", "Bearer " + token);

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("authentication-required").doesNotContain("X-Admin");
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @Test
  void aClaimCopiedToAHeaderThatCannotBeAHeaderValueIsRefusedNotA500() throws Exception {
    int before = env.origin().requestCount();

    HttpResponse<String> r =
        get("/mock/hello", "Bearer " + mockToken("bob", "api", Map.of("scope", "read\r\nwrite")));

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @Test
  void aSubjectBeyondAsciiReachesTheUpstreamAsItsUtf8Bytes() throws Exception {
    String subject = "José Łukasz 日本";
    String token = KeyServer.sign(signing, ownClaims().subject(subject).build());

    HttpResponse<String> r = get("/own/hello", "Bearer " + token);

    assertThat(r.statusCode()).isEqualTo(200);
    // the origin reads header bytes as ISO-8859-1: the UTF-8 bytes, one char per byte
    String asBytes =
        new String(
            (OWN_ISSUER + "|" + subject).getBytes(java.nio.charset.StandardCharsets.UTF_8),
            java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(env.origin().lastRequest().headers().get("x-credential-id")).isEqualTo(asBytes);
    String other = KeyServer.sign(signing, ownClaims().subject("José Żukasz 日本").build());
    assertThat(get("/own/hello", "Bearer " + other).statusCode()).isEqualTo(200);
    assertThat(env.origin().lastRequest().headers().get("x-credential-id")).isNotEqualTo(asBytes);
  }

  @Test
  void acceptsOwnTokenAndRejectsTamperedSignatureOrPayload() throws Exception {
    String token = KeyServer.sign(signing, ownClaims().build());
    assertThat(get("/own/hello", "Bearer " + token).statusCode()).isEqualTo(200);
    String[] parts = token.split("\\.");
    char last = parts[2].charAt(10);
    String badSig =
        parts[0]
            + "."
            + parts[1]
            + "."
            + parts[2].substring(0, 10)
            + (last == 'A' ? 'B' : 'A')
            + parts[2].substring(11);
    assertInvalidToken(get("/own/hello", "Bearer " + badSig));
    String otherPayload = ownClaims().subject("admin").build().toPayload().toBase64URL().toString();
    assertInvalidToken(
        get("/own/hello", "Bearer " + parts[0] + "." + otherPayload + "." + parts[2]));
  }

  @Test
  void rejectsExpiredAndNotYetValidTokensBeyondTheLeeway() throws Exception {
    Instant now = Instant.now();
    String expired =
        KeyServer.sign(
            signing, ownClaims().expirationTime(Date.from(now.minusSeconds(30))).build());
    assertInvalidToken(get("/own/hello", "Bearer " + expired));
    String withinSkew =
        KeyServer.sign(signing, ownClaims().expirationTime(Date.from(now.minusSeconds(2))).build());
    assertThat(get("/own/hello", "Bearer " + withinSkew).statusCode()).isEqualTo(200);
    String notYet =
        KeyServer.sign(signing, ownClaims().notBeforeTime(Date.from(now.plusSeconds(60))).build());
    assertInvalidToken(get("/own/hello", "Bearer " + notYet));
    String issuedInFuture =
        KeyServer.sign(signing, ownClaims().issueTime(Date.from(now.plusSeconds(60))).build());
    assertInvalidToken(get("/own/hello", "Bearer " + issuedInFuture));
    String noExp = KeyServer.sign(signing, ownClaims().expirationTime(null).build());
    assertInvalidToken(get("/own/hello", "Bearer " + noExp));
  }

  @Test
  void rejectsWrongIssuerOrAudience() throws Exception {
    String otherIssuer =
        KeyServer.sign(signing, ownClaims().issuer("https://evil.example").build());
    assertInvalidToken(get("/own/hello", "Bearer " + otherIssuer));
    String otherAudience = KeyServer.sign(signing, ownClaims().audience("billing").build());
    assertInvalidToken(get("/own/hello", "Bearer " + otherAudience));
    String noAudience = KeyServer.sign(signing, ownClaims().audience((String) null).build());
    assertInvalidToken(get("/own/hello", "Bearer " + noAudience));
    assertInvalidToken(get("/mock/hello", "Bearer " + mockToken("alice", "billing", Map.of())));
    String mockTokenOnOwnRoute = mockToken("alice", "api", Map.of());
    assertInvalidToken(get("/own/hello", "Bearer " + mockTokenOnOwnRoute));
  }

  @Test
  void missingScopeIsForbiddenWithTheRequiredScopes() throws Exception {
    HttpResponse<String> r =
        get("/scoped/hello", "Bearer " + mockToken("alice", "x", Map.of("scope", "profile")));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("www-authenticate"))
        .hasValue(
            "Bearer realm=\"portico\", error=\"insufficient_scope\","
                + " scope=\"orders:read orders:write\"");
    HttpResponse<String> ok =
        get(
            "/scoped/hello",
            "Bearer " + mockToken("alice", "x", Map.of("scope", "profile orders:write")));
    assertThat(ok.statusCode()).isEqualTo(200);
    HttpResponse<String> scp =
        get(
            "/scoped/hello",
            "Bearer " + mockToken("alice", "x", Map.of("scp", List.of("orders:read"))));
    assertThat(scp.statusCode()).isEqualTo(200);
  }

  @Test
  void garbageIsAnInvalidToken() throws Exception {
    assertInvalidToken(get("/own/hello", "Bearer not.a.jwt"));
    assertInvalidToken(get("/own/hello", "Bearer abc"));
  }
}
