package io.portico.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics/summary}: the traffic per route and consumer that the console shows. */
class MetricsSummaryTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode find(JsonNode list, String field, String value) {
    for (JsonNode n : list) {
      if (n.path(field).asText().equals(value)) {
        return n;
      }
    }
    throw new AssertionError("no " + field + " " + value + " in " + list);
  }

  @Test
  void countsRequestsErrorsLatencyBucketsAndConsumersSinceStart() throws Exception {
    try (TestOrigin origin = TestOrigin.start();
        GatewayFixture gw =
            GatewayFixture.start(
                """
                admin:
                  address: 127.0.0.1:0
                metrics:
                  per-consumer: true
                services:
                  - name: backend
                    targets: [ "%s" ]
                routes:
                  - name: orders
                    paths: [ "/orders" ]
                    strip-prefix: true
                    service: backend
                  - name: idle
                    paths: [ "/idle" ]
                    service: backend
                  - name: keyed
                    paths: [ "/keyed" ]
                    strip-prefix: true
                    service: backend
                    plugins:
                      key-auth: {}
                consumers:
                  - name: mobile-app
                    credentials:
                      key-auth: { key: "%s" }
                """
                    .formatted(origin.authority(), KeyHash.of("summary-key")))) {
      for (int i = 0; i < 3; i++) {
        assertThat(gw.get("/orders/hello").statusCode()).isEqualTo(200);
      }
      assertThat(gw.get("/orders/status/503").statusCode()).isEqualTo(503);
      assertThat(
              gw.send(
                      HttpRequest.newBuilder(gw.uri("/keyed/hello"))
                          .header("apikey", "summary-key"))
                  .statusCode())
          .isEqualTo(200);

      HttpResponse<String> r = gw.admin("/metrics/summary");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> t.contains("json"));
      JsonNode s = JSON.readTree(r.body());
      assertThat(s.path("bounds")).hasSize(14);
      assertThat(s.path("bounds").get(0).asDouble()).isEqualTo(0.001);
      assertThat(s.path("bounds").get(13).asDouble()).isEqualTo(30.0);

      JsonNode orders = find(s.path("routes"), "route", "orders");
      assertThat(orders.path("service").asText()).isEqualTo("backend");
      assertThat(orders.path("requests").asLong()).isEqualTo(4);
      assertThat(orders.path("errors").asLong()).isEqualTo(1);
      assertThat(orders.path("durations").asLong()).isEqualTo(4);
      // Cumulative: the 30 s bucket holds every request, and no bucket holds fewer than the last.
      JsonNode buckets = orders.path("buckets");
      assertThat(buckets).hasSize(14);
      assertThat(buckets.get(13).asLong()).isEqualTo(4);
      for (int i = 1; i < buckets.size(); i++) {
        assertThat(buckets.get(i).asLong()).isGreaterThanOrEqualTo(buckets.get(i - 1).asLong());
      }
      JsonNode idle = find(s.path("routes"), "route", "idle");
      assertThat(idle.path("requests").asLong()).isZero();
      assertThat(idle.path("durations").asLong()).isZero();

      assertThat(find(s.path("consumers"), "consumer", "mobile-app").path("requests").asLong())
          .isEqualTo(1);
      assertThat(find(s.path("consumers"), "consumer", "(none)").path("errors").asLong())
          .isEqualTo(1);
    }
  }

  @Test
  void isNotFoundWhenMetricsAreOff() throws Exception {
    try (GatewayFixture gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
            metrics:
              enabled: false
            """,
            Map.of())) {
      HttpResponse<String> r = gw.admin("/metrics/summary");
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(JSON.readTree(r.body()).path("type").asText()).endsWith("metrics-disabled");
    }
  }
}
