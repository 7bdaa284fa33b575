package io.portico.plugins.auth.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.portico.testing.AccessLogFile;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OAuthServerPerClass;
import io.portico.testing.OriginPerClass;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Why jwt, oauth2-introspection and openid-connect (bearer mode) refused a token, as a running
 * gateway writes it to the access log's {@code failure} field: real tokens minted with Nimbus
 * (expired, of another issuer, signed by an unknown key, with a forged signature, for another
 * audience) and a real OAuth 2.0 server (mock-oauth2-server, in process). The client gets the same
 * uniform 401 whatever the reason, or with {@code uniform-failures: false} the class of failure in
 * words, never the token.
 */
class TokenFailureReasonsTest {

  private static final String OWN_ISSUER = "https://own.example";
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final OAuthServerPerClass oauth = new OAuthServerPerClass();
  private static KeyServer keys;
  private static RSAKey signing;
  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;
  private static AccessLogFile log;

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
            routes:
              - name: jwt
                paths: [ "/jwt" ]
                strip-prefix: true
                service: backend
                plugins:
                  jwt:
                    algorithms: [ RS256 ]
                    issuers: [ { issuer: "%2$s", jwks-url: "%3$s" } ]
                    audiences: [ api ]
                    clock-skew: 5s
              - name: jwt-detailed
                paths: [ "/detailed" ]
                strip-prefix: true
                service: backend
                plugins:
                  jwt:
                    algorithms: [ RS256 ]
                    issuers: [ { issuer: "%2$s", jwks-url: "%3$s" } ]
                    clock-skew: 5s
                    uniform-failures: false
              - name: scoped
                paths: [ "/scoped" ]
                strip-prefix: true
                service: backend
                plugins:
                  jwt:
                    algorithms: [ RS256 ]
                    issuers: [ { issuer: "%2$s", jwks-url: "%3$s" } ]
                    scopes: { required: [ "orders:write" ] }
              - name: introspected
                paths: [ "/introspected" ]
                strip-prefix: true
                service: backend
                plugins:
                  oauth2-introspection:
                    endpoint: "%4$s"
                    client-id: gateway
                    client-secret: s3cret
              - name: introspection-down
                paths: [ "/introspection-down" ]
                strip-prefix: true
                service: backend
                plugins:
                  oauth2-introspection:
                    endpoint: "http://127.0.0.1:1/introspect"
                    client-id: gateway
                    client-secret: s3cret
                    timeout: 500ms
              - name: oidc
                paths: [ "/oidc" ]
                strip-prefix: true
                service: backend
                plugins:
                  openid-connect:
                    discovery: "%5$s"
                    audiences: [ api ]
            %6$s
            """
                .formatted(
                    env.origin().authority(),
                    OWN_ISSUER,
                    keys.jwksUrl(),
                    oauth.server().url("default/introspect"),
                    oauth.server().wellKnownUrl("default"),
                    AccessLogFile.RUNTIME));
    log = new AccessLogFile(gw);
  }

  @AfterAll
  static void stop() throws Exception {
    keys.close();
  }

  private static JWTClaimsSet.Builder claims() {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(OWN_ISSUER)
        .subject("svc")
        .audience("api")
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(300)));
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return gw.send(b);
  }

  /** Sends {@code token} to {@code path}; asserts the 401 and returns the logged failure. */
  private static String refused(String path, String token) throws Exception {
    HttpResponse<String> response = get(path, token);
    assertThat(response.statusCode()).isEqualTo(401);
    if (token != null) {
      assertThat(response.body()).doesNotContain(token);
    }
    return log.failureOf(path);
  }

  @Test
  void aValidTokenPassesWithoutAFailure() throws Exception {
    assertThat(get("/jwt/hello", KeyServer.sign(signing, claims().build())).statusCode())
        .isEqualTo(200);
    assertThat(log.failureOf("/jwt/hello")).isNull();
  }

  @Test
  void eachJwtFailureHasItsOwnReasonInTheAccessLog() throws Exception {
    String expired = expiredToken();
    String otherIssuer = KeyServer.sign(signing, claims().issuer("https://evil.example").build());
    String unknownKey = KeyServer.sign(KeyServer.newKey("k-unknown"), claims().build());
    String otherKeySameKid = KeyServer.sign(KeyServer.newKey("k1"), claims().build());
    String otherAudience = KeyServer.sign(signing, claims().audience("billing").build());
    String notYet =
        KeyServer.sign(
            signing, claims().notBeforeTime(Date.from(Instant.now().plusSeconds(600))).build());
    String hs256 = hs256(claims().build());

    assertThat(refused("/jwt/missing", null)).isEqualTo("token_missing");
    assertThat(refused("/jwt/garbage", "not.a.jwt")).isEqualTo("jwt_malformed");
    assertThat(refused("/jwt/expired", expired)).isEqualTo("jwt_expired");
    assertThat(refused("/jwt/issuer", otherIssuer)).isEqualTo("jwt_issuer_not_allowed");
    assertThat(refused("/jwt/kid", unknownKey)).isEqualTo("jwt_kid_unknown");
    assertThat(refused("/jwt/signature", otherKeySameKid)).isEqualTo("jwt_signature_invalid");
    assertThat(refused("/jwt/audience", otherAudience)).isEqualTo("jwt_audience_not_allowed");
    assertThat(refused("/jwt/nbf", notYet)).isEqualTo("jwt_not_yet_valid");
    assertThat(refused("/jwt/alg", hs256)).isEqualTo("jwt_algorithm_not_allowed");
  }

  @Test
  void theClientGetsTheSameAnswerWhateverTheReason() throws Exception {
    String expired = expiredToken();
    HttpResponse<String> a = get("/jwt/same-1", expired);
    HttpResponse<String> b = get("/jwt/same-2", null);

    assertThat(a.statusCode()).isEqualTo(b.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(a.body()).get("detail"))
        .isEqualTo(JSON.readTree(b.body()).get("detail"));
    assertThat(a.headers().allValues("WWW-Authenticate"))
        .isEqualTo(b.headers().allValues("WWW-Authenticate"));
    assertThat(a.body()).doesNotContain("expired").doesNotContain("jwt_");
  }

  @Test
  void withoutUniformFailuresTheClientIsToldTheTokenExpired() throws Exception {
    String expired = expiredToken();

    HttpResponse<String> response = get("/detailed/expired", expired);

    assertThat(response.statusCode()).isEqualTo(401);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("detail").asText()).isEqualTo("The token has expired.");
    assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("error=\"invalid_token\"");
    assertThat(response.body()).doesNotContain(expired);
    assertThat(log.failureOf("/detailed/expired")).isEqualTo("jwt_expired");
  }

  @Test
  void aMissingScopeIsA403WithItsReason() throws Exception {
    HttpResponse<String> response =
        get("/scoped/read-only", KeyServer.sign(signing, claims().claim("scope", "x").build()));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(log.failureOf("/scoped/read-only")).isEqualTo("scope_insufficient");
  }

  @Test
  void introspectionLogsAnInactiveTokenAndAnUnreachableServer() throws Exception {
    assertThat(refused("/introspected/inactive", "never-issued"))
        .isEqualTo("introspection_inactive");

    HttpResponse<String> down = get("/introspection-down/x", "some-token");
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(log.failureOf("/introspection-down/x")).isEqualTo("introspection_unreachable");
  }

  @Test
  void openIdConnectBearerModeLogsTheJwtReason() throws Exception {
    String good = oauth.server().issueToken("default", "alice", "api", Map.of(), 3600L).serialize();
    String otherAudience =
        oauth.server().issueToken("default", "alice", "billing", Map.of(), 3600L).serialize();
    String forged = KeyServer.sign(KeyServer.newKey("forged"), claims().build());

    assertThat(get("/oidc/hello", good).statusCode()).isEqualTo(200);
    assertThat(log.failureOf("/oidc/hello")).isNull();
    assertThat(refused("/oidc/audience", otherAudience)).isEqualTo("jwt_audience_not_allowed");
    assertThat(refused("/oidc/forged", forged)).isEqualTo("jwt_issuer_not_allowed");
  }

  /** A token signed with the published key that expired an hour ago. */
  private static String expiredToken() {
    Instant past = Instant.now().minusSeconds(3600);
    return KeyServer.sign(
        signing,
        claims()
            .issueTime(Date.from(past))
            .expirationTime(Date.from(past.plusSeconds(60)))
            .build());
  }

  private static String hs256(JWTClaimsSet claims) throws JOSEException {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims);
    jwt.sign(new MACSigner(new byte[32]));
    return jwt.serialize();
  }
}
