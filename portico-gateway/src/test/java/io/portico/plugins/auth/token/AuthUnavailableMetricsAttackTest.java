package io.portico.plugins.auth.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A caller hammering a route whose authentication dependency is down (a JWKS URL nobody answers, an
 * introspection endpoint that refuses connections): each request gets a 503 problem, never a 401
 * and never the upstream, and each is counted in {@code portico_auth_total} with {@code
 * outcome="unavailable"} and the plugin's reason, so an outage of the key server shows on the
 * dashboards. A 503 of a plugin outside authentication (rate-limit with its Redis down) is not an
 * authentication outcome and is not counted there.
 */
class AuthUnavailableMetricsAttackTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static TestOrigin origin;
  private static GatewayFixture gw;
  private static RSAKey signing;

  @BeforeAll
  static void start() throws Exception {
    origin = TestOrigin.start();
    signing = KeyServer.newKey("k1");
    gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: jwks-down
                paths: [ "/jwks-down" ]
                service: backend
                plugins:
                  jwt:
                    algorithms: [ RS256 ]
                    issuers: [ { issuer: "https://own.example", jwks-url: "http://127.0.0.1:1/jwks" } ]
              - name: introspection-down
                paths: [ "/introspection-down" ]
                service: backend
                plugins:
                  oauth2-introspection:
                    endpoint: "http://127.0.0.1:1/introspect"
                    client-id: gateway
                    client-secret: s3cret
                    timeout: 500ms
              - name: redis-down
                paths: [ "/redis-down" ]
                service: backend
                plugins:
                  rate-limit:
                    limits: [ { requests: 100, window: 1m } ]
                    key: global
                    policy: redis
                    redis: { url: "redis://127.0.0.1:1", timeout: 500ms, on-failure: fail-closed }
            """
                .formatted(origin.authority()));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    origin.close();
  }

  private static String token() {
    Instant now = Instant.now();
    return KeyServer.sign(
        signing,
        new JWTClaimsSet.Builder()
            .issuer("https://own.example")
            .subject("mallory")
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(300)))
            .build());
  }

  private static HttpResponse<String> get(String path, String bearer) throws Exception {
    return gw.send(
        HttpRequest.newBuilder(gw.uri(path)).header("Authorization", "Bearer " + bearer));
  }

  @Test
  void anUnreachableJwksIsA503CountedAsUnavailableWithItsReason() throws Exception {
    double before = count("jwt", "unavailable", "jwks_unavailable");
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = get("/jwks-down/orders", token());
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(JSON.readTree(r.body()).path("status").asInt()).isEqualTo(503);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(count("jwt", "unavailable", "jwks_unavailable")).isEqualTo(before + 3));
    assertThat(origin.requestCount()).isZero();
  }

  @Test
  void anUnreachableIntrospectionEndpointIsA503CountedAsUnavailable() throws Exception {
    double before = count("oauth2-introspection", "unavailable", "introspection_unreachable");
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r = get("/introspection-down/orders", "opaque-" + i);
      assertThat(r.statusCode()).isEqualTo(503);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        count("oauth2-introspection", "unavailable", "introspection_unreachable"))
                    .isEqualTo(before + 2));
    assertThat(origin.requestCount()).isZero();
  }

  @Test
  void aRateLimitersRedisDownIsNotAnAuthenticationOutcome() throws Exception {
    HttpResponse<String> r = gw.get("/redis-down/orders");
    assertThat(r.statusCode()).isEqualTo(503);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(scrape())
                    .contains("portico_requests_total{")
                    .containsPattern("route=\"redis-down\""));
    assertThat(scrape()).doesNotContainPattern("portico_auth_total\\{[^}]*plugin=\"rate-limit\"");
  }

  private static String scrape() throws Exception {
    HttpResponse<String> r = gw.admin("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** The value of the {@code portico_auth_total} series of these labels, 0 when absent. */
  private static double count(String plugin, String outcome, String reason) throws Exception {
    Pattern line = Pattern.compile("(?m)^portico_auth_total\\{([^}]*)} (\\S+)$");
    Matcher m = line.matcher(scrape());
    double sum = 0;
    while (m.find()) {
      String labels = m.group(1);
      if (labels.contains("plugin=\"" + plugin + "\"")
          && labels.contains("outcome=\"" + outcome + "\"")
          && labels.contains("reason=\"" + reason + "\"")) {
        sum += Double.parseDouble(m.group(2));
      }
    }
    return sum;
  }
}
