package io.portico.plugins.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.netty.handler.codec.http.HttpRequest;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * {@code jwt} combined with other authentication methods in a running gateway: {@code multi-auth}
 * with {@code key-auth}, {@code basic-auth} and {@code jwt} on one route (each method alone
 * authenticates and forwards the same identity headers, an {@code Authorization: Basic} header is
 * not a malformed bearer token, a request with no credential gets every method's challenge), and
 * the {@code anonymous} convention with {@code basic-auth} and {@code jwt} as separate plugins.
 */
class MultiAuthTokenEndToEndTest {

  private static final String SECRET = "an-hmac-secret-of-at-least-32-bytes!";
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            consumers:
              - name: alice
                custom-id: c-1
                groups: [ staff ]
                credentials:
                  key-auth: { key: "%s", id: alice-key }
                  basic-auth: { username: alice, password: "%s" }
                  jwt: { key: alice }
              - name: guest
                groups: [ anonymous ]
            routes:
              - name: any
                paths: [ /any ]
                service: backend
                strip-prefix: true
                plugins:
                  multi-auth:
                    methods:
                      key-auth: { header-names: [ X-API-Key ] }
                      basic-auth: { realm: api }
                      jwt:
                        algorithms: [ HS256 ]
                        issuers: [ { issuer: "https://issuer.test", secret: "%s" } ]
                        consumer-claim: sub
                        claims-to-headers: { sub: X-User }
                    hide-credentials: true
                  acl: { allow-groups: [ staff ] }
              - name: chain
                paths: [ /chain ]
                service: backend
                strip-prefix: true
                plugins:
                  basic-auth: { anonymous: guest }
                  jwt:
                    algorithms: [ HS256 ]
                    issuers: [ { issuer: "https://issuer.test", secret: "%4$s" } ]
                    consumer-claim: sub
                    anonymous: guest
                  acl: { deny-groups: [ anonymous ] }
              - name: optional
                paths: [ /optional ]
                service: backend
                strip-prefix: true
                plugins:
                  jwt:
                    algorithms: [ HS256 ]
                    issuers: [ { issuer: "https://issuer.test", secret: "%4$s" } ]
                    consumer-claim: sub
                    anonymous: guest
            """
                .formatted(
                    env.origin().authority(),
                    KeyHash.of("alice-key"),
                    BCrypt.hashpw("alice-password", BCrypt.gensalt(4)),
                    SECRET));
  }

  private static HttpResponse<String> get(String... headers) throws Exception {
    return at("/any/hello", headers);
  }

  private static HttpResponse<String> at(String path, String... headers) throws Exception {
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(gw.uri(path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return gw.send(b);
  }

  private static String token(String subject, String secret) throws Exception {
    Instant now = Instant.now();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256),
            new JWTClaimsSet.Builder()
                .issuer("https://issuer.test")
                .subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300)))
                .build());
    jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static void assertAlice(String method) {
    HttpRequest seen = env.origin().lastRequest();
    assertThat(seen.headers().getAll("x-consumer-name")).as(method).containsExactly("alice");
    assertThat(seen.headers().get("x-consumer-custom-id")).as(method).isEqualTo("c-1");
    assertThat(seen.headers().get("x-consumer-groups")).as(method).isEqualTo("staff");
    assertThat(seen.headers().contains("x-anonymous-consumer")).as(method).isFalse();
  }

  @Test
  void eachMethodAloneAuthenticatesTheSameConsumer() throws Exception {
    assertThat(get("X-API-Key", "alice-key").statusCode()).isEqualTo(200);
    assertAlice("key-auth");
    assertThat(env.origin().lastRequest().headers().get("x-credential-id")).isEqualTo("alice-key");
    assertThat(env.origin().lastRequest().headers().contains("x-api-key")).isFalse();

    assertThat(get("Authorization", basic("alice", "alice-password")).statusCode()).isEqualTo(200);
    assertAlice("basic-auth");
    assertThat(env.origin().lastRequest().headers().contains("authorization")).isFalse();

    assertThat(get("Authorization", "Bearer " + token("alice", SECRET)).statusCode())
        .isEqualTo(200);
    assertAlice("jwt");
    HttpRequest seen = env.origin().lastRequest();
    assertThat(seen.headers().get("x-user")).isEqualTo("alice");
    assertThat(seen.headers().get("x-credential-id")).isEqualTo("https://issuer.test|alice");
    assertThat(seen.headers().contains("authorization")).isFalse();
  }

  @Test
  void spoofedIdentityAndClaimHeadersAreReplaced() throws Exception {
    HttpResponse<String> r =
        get(
            "Authorization",
            basic("alice", "alice-password"),
            "X-Consumer-Name",
            "mallory",
            "X-User",
            "mallory",
            "X-Anonymous-Consumer",
            "true");
    assertThat(r.statusCode()).isEqualTo(200);
    assertAlice("basic-auth");
    assertThat(env.origin().lastRequest().headers().contains("x-user")).isFalse();
  }

  @Test
  void noCredentialGetsEveryChallenge() throws Exception {
    HttpResponse<String> r = get();
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(r.body()).get("type").asText())
        .isEqualTo("https://portico.dev/problems/authentication-required");
    String challenge = String.join(", ", r.headers().allValues("www-authenticate"));
    assertThat(challenge)
        .contains("Key realm=\"portico\"")
        .contains("Basic realm=\"api\"")
        .contains("Bearer realm=\"portico\"");
  }

  @Test
  void wrongCredentialsOfEveryKindAreRefusedWith401() throws Exception {
    assertThat(get("Authorization", basic("alice", "wrong")).statusCode()).isEqualTo(401);
    HttpResponse<String> forged =
        get("Authorization", "Bearer " + token("alice", SECRET.replace('a', 'b')));
    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(forged.body()).get("type").asText())
        .isEqualTo("https://portico.dev/problems/authentication-required");
    assertThat(get("X-API-Key", "wrong").statusCode()).isEqualTo(401);
  }

  @Test
  void separatePluginsWithAnonymousCombineAsAnyOf() throws Exception {
    assertThat(at("/chain/hello", "Authorization", basic("alice", "alice-password")).statusCode())
        .isEqualTo(200);
    assertAlice("basic-auth");
    assertThat(at("/chain/hello", "Authorization", "Bearer " + token("alice", SECRET)).statusCode())
        .isEqualTo(200);
    assertAlice("jwt");
    HttpResponse<String> none = at("/chain/hello");
    assertThat(none.statusCode()).isEqualTo(403);
    HttpResponse<String> forged =
        at("/chain/hello", "Authorization", "Bearer " + token("alice", SECRET.replace('a', 'b')));
    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(forged.headers().firstValue("www-authenticate"))
        .hasValue("Bearer realm=\"portico\"");
  }

  @Test
  void jwtWithAnonymousLetsARequestWithoutATokenPassAsTheGuest() throws Exception {
    HttpResponse<String> r =
        at("/optional/hello", "Authorization", basic("alice", "alice-password"));
    assertThat(r.statusCode()).isEqualTo(200);
    HttpRequest seen = env.origin().lastRequest();
    assertThat(seen.headers().get("x-consumer-name")).isEqualTo("guest");
    assertThat(seen.headers().get("x-anonymous-consumer")).isEqualTo("true");
    assertThat(seen.headers().get("x-consumer-groups")).isEqualTo("anonymous");
    assertThat(at("/optional/hello", "Authorization", "Bearer not-a-token").statusCode())
        .isEqualTo(401);
  }
}
