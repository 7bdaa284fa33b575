package io.portico.upstream.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.portico.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Passive ejections and the circuit breaker live as long as the service's settings for them: a
 * reload that changes something else (a route added) keeps them, a reload that changes them starts
 * them afresh.
 */
class HealthAcrossReloadsTest {

  private static final String CONFIG =
      """
      admin:
        address: 127.0.0.1:0
      services:
        - name: users
          targets: [ "%s", "%s" ]
          health:
            passive: { consecutive-5xx: %d, base-ejection-time: 60s, max-ejection-time: 5m }
        - name: fragile
          targets: [ "%s" ]
          health:
            circuit-breaker:
              failure-rate:
                { window: 10s, minimum-requests: 4, threshold: 0.5, open-duration: %s }
      routes:
        - name: users
          paths: [ /users ]
          service: users
        - name: fragile
          paths: [ /fragile ]
          service: fragile
      """;

  private static final String OTHER_ROUTE =
      """
        - name: other
          paths: [ /other ]
          service: users
      """;

  private static String config(
      HealthOrigin a, HealthOrigin b, HealthOrigin c, int consecutive5xx, String openDuration) {
    return CONFIG.formatted(
        a.authority(), b.authority(), consecutive5xx, c.authority(), openDuration);
  }

  private static void reload(GatewayFixture gw, String yaml) throws Exception {
    String before = gw.gateway().snapshot().version();
    gw.rewriteConfig(yaml);
    HttpResponse<String> r = gw.adminPost("/reload");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(gw.gateway().snapshot().version()).isNotEqualTo(before);
  }

  private static JsonNode passive(GatewayFixture gw, HealthOrigin origin) throws Exception {
    return ActiveHealthCheckTest.endpoint(
            ActiveHealthCheckTest.health(gw, "users"), origin.authority())
        .get("passive");
  }

  @Test
  void anEjectedEndpointStaysEjectedThroughAReloadThatLeavesItsServiceAlone() throws Exception {
    try (HealthOrigin a = new HealthOrigin("a");
        HealthOrigin b = new HealthOrigin("b");
        HealthOrigin c = new HealthOrigin("c");
        GatewayFixture gw = GatewayFixture.start(config(a, b, c, 2, "60s"))) {
      b.status.set(500);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> {
                gw.get("/users");
                return passive(gw, b).get("ejected").asBoolean();
              });

      reload(gw, config(a, b, c, 2, "60s") + OTHER_ROUTE);

      assertThat(gw.get("/other").statusCode()).isEqualTo(200);
      assertThat(passive(gw, b).get("ejected").asBoolean()).isTrue();
      assertThat(passive(gw, b).get("ejections").asInt()).isEqualTo(1);
      int reached = b.requests.get();
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> r = gw.get("/users");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("a");
      }
      assertThat(b.requests.get()).isEqualTo(reached);

      reload(gw, config(a, b, c, 3, "60s") + OTHER_ROUTE);

      assertThat(passive(gw, b).get("ejected").asBoolean()).isFalse();
      assertThat(passive(gw, b).get("ejections").asInt()).isZero();
    }
  }

  /**
   * Active probes: an endpoint the probes took out stays out right after a reload that leaves its
   * service alone (the checker and its verdicts are kept, not started afresh as healthy).
   */
  @Test
  void anEndpointProbesTookOutStaysOutThroughAReloadThatLeavesItsServiceAlone() throws Exception {
    String probed =
        """
        admin:
          address: 127.0.0.1:0
        services:
          - name: pair
            targets: [ "%s", "%s" ]
            health:
              active: { path: /healthz, interval: 300ms, unhealthy-threshold: 1, jitter: 0s }
        routes:
          - name: pair
            paths: [ /pair ]
            service: pair
        """;
    try (HealthOrigin a = new HealthOrigin("a");
        HealthOrigin b = new HealthOrigin("b");
        GatewayFixture gw = GatewayFixture.start(probed.formatted(a.authority(), b.authority()))) {
      b.healthStatus.set(503);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  ActiveHealthCheckTest.endpoint(
                          ActiveHealthCheckTest.health(gw, "pair"), b.authority())
                      .at("/active/state")
                      .asText()
                      .equals("unhealthy"));

      reload(
          gw,
          probed.formatted(a.authority(), b.authority())
              + """
                - name: other
                  paths: [ /other ]
                  service: pair
              """);

      assertThat(
              ActiveHealthCheckTest.endpoint(
                      ActiveHealthCheckTest.health(gw, "pair"), b.authority())
                  .at("/active/state")
                  .asText())
          .isEqualTo("unhealthy");
      int reached = b.requests.get();
      for (int i = 0; i < 10; i++) {
        assertThat(gw.get("/pair").body()).isEqualTo("a");
      }
      assertThat(b.requests.get()).isEqualTo(reached);
    }
  }

  @Test
  void anOpenCircuitStaysOpenThroughAReloadThatLeavesItsServiceAlone() throws Exception {
    try (HealthOrigin a = new HealthOrigin("a");
        HealthOrigin b = new HealthOrigin("b");
        HealthOrigin c = new HealthOrigin("c");
        GatewayFixture gw = GatewayFixture.start(config(a, b, c, 2, "60s"))) {
      c.status.set(500);
      for (int i = 0; i < 4; i++) {
        assertThat(gw.get("/fragile").statusCode()).isEqualTo(500);
      }
      assertThat(gw.get("/fragile").body()).contains("circuit-open");
      c.status.set(200);

      reload(gw, config(a, b, c, 2, "60s") + OTHER_ROUTE);

      int reached = c.requests.get();
      HttpResponse<String> refused = gw.get("/fragile");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body()).contains("https://portico.dev/problems/circuit-open");
      assertThat(c.requests.get()).isEqualTo(reached);
      JsonNode breaker = ActiveHealthCheckTest.health(gw, "fragile").get("circuit_breaker");
      assertThat(breaker.get("state").asText()).isEqualTo("open");
      assertThat(breaker.get("times_opened").asInt()).isEqualTo(1);

      reload(gw, config(a, b, c, 2, "59s") + OTHER_ROUTE);

      assertThat(gw.get("/fragile").statusCode()).isEqualTo(200);
      breaker = ActiveHealthCheckTest.health(gw, "fragile").get("circuit_breaker");
      assertThat(breaker.get("state").asText()).isEqualTo("closed");
      assertThat(breaker.get("times_opened").asInt()).isZero();
    }
  }
}
