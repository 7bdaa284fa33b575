package io.portico.plugins.auth.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import io.portico.testing.Cleanup;
import io.portico.testing.GatewayFixture;
import io.portico.testing.LogCapture;
import io.portico.testing.TestOrigin;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How {@code jwt} keeps a JWKS: refreshed when a token names an unknown {@code kid} (so a key
 * rotation is picked up), at most once per interval, served stale while the endpoint fails, and a
 * 503 (never a 401) when keys are needed and none could ever be fetched.
 */
class JwksRefreshTest {

  private static final String ISSUER = "https://keys.example";

  private KeyServer keys;
  private TestOrigin origin;
  private GatewayFixture gw;

  @BeforeEach
  void startKeys() throws Exception {
    keys = new KeyServer();
    origin = TestOrigin.start();
  }

  @AfterEach
  void stop() throws Exception {
    Cleanup.close(gw, origin, keys);
  }

  private void startGateway(String minRefresh, String refresh) throws Exception {
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: api
                paths: [ "/api" ]
                strip-prefix: true
                service: backend
                plugins:
                  jwt:
                    algorithms: [ RS256 ]
                    issuers: [ { issuer: "%s", jwks-url: "%s" } ]
                    jwks: { min-refresh-interval: %s, refresh-interval: %s, timeout: 2s }
                    # every request verifies, so the key set's refreshes are what is observed
                    verified-cache-ttl: 0s
            """
                .formatted(origin.authority(), ISSUER, keys.jwksUrl(), minRefresh, refresh));
  }

  private static String token(RSAKey key) {
    Instant now = Instant.now();
    return KeyServer.sign(
        key,
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .subject("svc")
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(300)))
            .build());
  }

  private HttpResponse<String> call(String token) throws Exception {
    return gw.send(
        java.net.http.HttpRequest.newBuilder(gw.uri("/api/hello"))
            .header("Authorization", "Bearer " + token));
  }

  @Test
  void picksUpARotatedKeyWhenATokenNamesAnUnknownKid() throws Exception {
    RSAKey first = KeyServer.newKey("first");
    RSAKey second = KeyServer.newKey("second");
    keys.publish(first);
    startGateway("100ms", "1h");
    assertThat(call(token(first)).statusCode()).isEqualTo(200);
    keys.publish(first, second);
    Thread.sleep(150);
    assertThat(call(token(second)).statusCode()).isEqualTo(200);
    assertThat(call(token(first)).statusCode()).isEqualTo(200);
  }

  @Test
  void unknownKidWithoutRotationIsInvalidAndRefetchesAtMostOncePerInterval() throws Exception {
    RSAKey known = KeyServer.newKey("known");
    keys.publish(known);
    startGateway("10s", "1h");
    assertThat(call(token(known)).statusCode()).isEqualTo(200);
    int fetches = keys.fetches();
    RSAKey stranger = KeyServer.newKey("stranger");
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = call(token(stranger));
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"portico\"");
    }
    assertThat(keys.fetches()).isEqualTo(fetches);
  }

  @Test
  void unknownKidIsFetchedOnceWhenTheIntervalAllows() throws Exception {
    RSAKey known = KeyServer.newKey("known");
    keys.publish(known);
    startGateway("100ms", "1h");
    assertThat(call(token(known)).statusCode()).isEqualTo(200);
    Thread.sleep(150);
    int fetches = keys.fetches();
    assertThat(call(token(KeyServer.newKey("stranger"))).statusCode()).isEqualTo(401);
    assertThat(keys.fetches()).isEqualTo(fetches + 1);
  }

  @Test
  void servesStaleKeysWhileTheEndpointFails() throws Exception {
    RSAKey key = KeyServer.newKey("k");
    keys.publish(key);
    startGateway("1ms", "1ms");
    assertThat(call(token(key)).statusCode()).isEqualTo(200);
    keys.failing(true);
    int fetches = keys.fetches();
    for (int i = 0; i < 3; i++) {
      assertThat(call(token(key)).statusCode()).isEqualTo(200);
      Thread.sleep(20);
    }
    // Refreshes are started by requests: keep asking (each answered from the stale keys) until one
    // has tried the failing endpoint.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              assertThat(call(token(key)).statusCode()).isEqualTo(200);
              return keys.fetches() > fetches;
            });
    assertThat(call(token(key)).statusCode()).isEqualTo(200);
  }

  @Test
  void unknownKidWhileTheEndpointFailsIsInvalidWhenTheLastFetchWasAndWhenItWasNot()
      throws Exception {
    RSAKey key = KeyServer.newKey("k");
    keys.publish(key);
    startGateway("2s", "1h");
    assertThat(call(token(key)).statusCode()).isEqualTo(200);
    keys.failing(true);
    int fetches = keys.fetches();

    // within min-refresh-interval of a successful fetch: no fetch is attempted
    HttpResponse<String> unfetched = call(token(KeyServer.newKey("rotated")));
    assertThat(keys.fetches()).isEqualTo(fetches);
    Thread.sleep(2100);
    // past it: a fetch is attempted, and fails
    HttpResponse<String> failedFetch = call(token(KeyServer.newKey("rotated")));
    // and right after the failed fetch
    HttpResponse<String> afterFailure = call(token(KeyServer.newKey("rotated")));

    assertThat(keys.fetches()).isEqualTo(fetches + 1);
    for (HttpResponse<String> r : java.util.List.of(unfetched, failedFetch, afterFailure)) {
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"portico\"");
    }
    assertThat(call(token(key)).statusCode()).isEqualTo(200);
  }

  @Test
  void noKeysEverFetchedIsUnavailableNotUnauthorized() throws Exception {
    keys.failing(true);
    startGateway("1ms", "1h");
    HttpResponse<String> r = call(token(KeyServer.newKey("k")));
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(r.body()).contains("authentication-unavailable");
    keys.failing(false);
    RSAKey key = KeyServer.newKey("k2");
    keys.publish(key);
    Thread.sleep(5);
    assertThat(call(token(key)).statusCode()).isEqualTo(200);
  }

  @Test
  void keySetSurvivesAConfigReload() throws Exception {
    RSAKey key = KeyServer.newKey("k");
    keys.publish(key);
    startGateway("10s", "1h");
    assertThat(call(token(key)).statusCode()).isEqualTo(200);
    keys.failing(true);
    gw.rewriteConfig(
        """
        services:
          - name: backend
            targets: [ "%s" ]
        routes:
          - name: api-v2
            paths: [ "/api" ]
            strip-prefix: true
            service: backend
            plugins:
              jwt:
                algorithms: [ RS256 ]
                issuers: [ { issuer: "%s", jwks-url: "%s" } ]
                clock-skew: 10s
        """
            .formatted(origin.authority(), ISSUER, keys.jwksUrl()));
    assertThat(gw.gateway().reload().applied()).isTrue();
    int fetches = keys.fetches();
    assertThat(call(token(key)).statusCode()).isEqualTo(200);
    assertThat(keys.fetches()).isEqualTo(fetches);
  }

  @Test
  void unreachableEndpointIsUnavailableAndWarnedOfOnceWithItsUrl() throws Exception {
    RSAKey key = KeyServer.newKey("k");
    keys.close();
    try (LogCapture log = LogCapture.capture()) {
      startGateway("1ms", "1h");
      assertThat(call(token(key)).statusCode()).isEqualTo(503);
      assertThat(call(token(key)).statusCode()).isEqualTo(503);

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> log.warnings().stream().anyMatch(w -> w.contains("JWKS at")));
      assertThat(log.warnings().stream().filter(w -> w.contains("JWKS at")))
          .singleElement()
          .asString()
          .startsWith("WARN " + JwksCache.class.getName() + ": JWKS at " + keys.jwksUrl() + " ")
          .contains("could not be fetched (")
          .endsWith(
              "check that it runs there and that the jwt plugin's issuers[].jwks-url names it");
    }
  }
}
