package io.portico.observe.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import io.portico.testing.TestCertificates;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each kind of rule over real traffic and real components: a slow upstream, authentication
 * refusals, a rate limit, a Redis that does not answer, a listener certificate close to its end.
 * Each firing rule has a twin with a threshold its measurement does not reach, which stays
 * inactive.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertKindsEndToEndTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Path dir;
  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private GatewayFixture gw;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("portico-alert-certs");
    TestCertificates.Issued cert = TestCertificates.create(dir).issue("localhost", "localhost");
    gw =
        env.start(
            """
            listeners:
              - name: main
                address: 127.0.0.1:0
              - name: secure
                address: 127.0.0.1:0
                tls:
                  certificates: [ { cert: "%s", key: "%s" } ]
            admin:
              address: 127.0.0.1:0
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: slow
                paths: [ "/delay" ]
                service: backend
              - name: keyed
                paths: [ "/hello" ]
                service: backend
                plugins:
                  key-auth: {}
              - name: limited
                paths: [ "/headers" ]
                service: backend
                plugins:
                  rate-limit:
                    limits: [ { requests: 1, window: 1h } ]
                    key: global
              - name: shared
                paths: [ "/status" ]
                service: backend
                plugins:
                  rate-limit:
                    limits: [ { requests: 100, window: 1m } ]
                    key: global
                    policy: redis
                    redis: { url: "redis://127.0.0.1:1", timeout: 50ms, on-failure: fail-open }
            alerts:
              evaluation-interval: 100ms
              notifiers:
                - { name: log, type: log }
              rules:
                - { name: slow-p95, kind: latency, route: slow, percentile: p95, threshold: 100ms, window: 1m }
                - { name: slow-p95-high, kind: latency, route: slow, percentile: p95, threshold: 5s, window: 1m }
                - { name: auth, kind: auth-failures, route: keyed, threshold: 2, window: 1m }
                - { name: auth-share, kind: auth-failures, measure: ratio, threshold: 0.6, window: 1m }
                - { name: auth-many, kind: auth-failures, threshold: 1000, window: 1m }
                - { name: limits, kind: rate-limited, route: limited, threshold: 2, window: 1m }
                - { name: limits-many, kind: rate-limited, route: limited, threshold: 50, window: 1m }
                - { name: redis, kind: redis-unreachable, window: 1m }
                - { name: redis-elsewhere, kind: redis-unreachable, route: limited, window: 1m }
                - { name: cert, kind: certificate-expiry, listener: secure, threshold: 14d }
                - { name: cert-soon, kind: certificate-expiry, threshold: 1h }
            """
                .formatted(cert.cert(), cert.key(), env.origin().authority()));
  }

  @Test
  void eachKindMeasuresItsOwnSignal() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(gw.get("/delay/300").statusCode()).isEqualTo(200);
      assertThat(gw.get("/hello").statusCode()).isEqualTo(401);
      gw.get("/headers");
    }
    assertThat(gw.get("/status/204").statusCode()).isEqualTo(204);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode alerts = JSON.readTree(gw.admin("/alerts").body());
              assertThat(state(alerts, "slow-p95")).isEqualTo("firing");
              assertThat(state(alerts, "auth")).isEqualTo("firing");
              assertThat(state(alerts, "limits")).isEqualTo("firing");
              assertThat(state(alerts, "redis")).isEqualTo("firing");
              assertThat(state(alerts, "cert")).isEqualTo("firing");
            });
    JsonNode alerts = JSON.readTree(gw.admin("/alerts").body());
    assertThat(rule(alerts, "slow-p95").path("value").asDouble()).isBetween(0.25, 0.5);
    assertThat(rule(alerts, "auth").path("value").asDouble()).isEqualTo(3);
    assertThat(rule(alerts, "limits").path("value").asDouble()).isEqualTo(2);
    assertThat(rule(alerts, "redis").path("value").asDouble()).isEqualTo(1);
    assertThat(rule(alerts, "cert").path("value").asDouble()).isBetween(0.9, 1.1);
    assertThat(state(alerts, "slow-p95-high")).isEqualTo("inactive");
    assertThat(state(alerts, "auth-share"))
        .as("3 of 10 requests, never more than 1 of 2")
        .isEqualTo("inactive");
    assertThat(rule(alerts, "auth-share").path("value").asDouble()).isEqualTo(0.3);
    assertThat(state(alerts, "auth-many")).isEqualTo("inactive");
    assertThat(state(alerts, "limits-many")).isEqualTo("inactive");
    assertThat(state(alerts, "redis-elsewhere")).isEqualTo("inactive");
    assertThat(state(alerts, "cert-soon")).isEqualTo("inactive");
  }

  @Test
  void alertsAreNotFoundWhenTheMethodIsWrong() throws Exception {
    assertThat(
            gw.send(
                    HttpRequest.newBuilder(gw.adminUri("/alerts"))
                        .POST(HttpRequest.BodyPublishers.noBody()))
                .statusCode())
        .isEqualTo(405);
  }

  private static String state(JsonNode alerts, String name) {
    return rule(alerts, name).path("state").asText();
  }

  private static JsonNode rule(JsonNode alerts, String name) {
    for (JsonNode r : alerts.path("rules")) {
      if (r.path("name").asText().equals(name)) {
        return r;
      }
    }
    throw new AssertionError("no rule " + name + " in " + alerts);
  }
}
