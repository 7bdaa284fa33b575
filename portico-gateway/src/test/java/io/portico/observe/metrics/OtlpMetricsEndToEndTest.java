package io.portico.observe.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code metrics.otlp}: the same meters that {@code /metrics} serves are pushed to an OTLP/HTTP
 * receiver of the test, which decodes the protobuf; a collector that never answers holds up no
 * request and no scrape.
 */
class OtlpMetricsEndToEndTest {

  private TestOrigin origin;
  private OtlpMetricsReceiver receiver;
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    receiver = new OtlpMetricsReceiver();
  }

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    receiver.close();
    origin.close();
  }

  private GatewayFixture gateway(String endpoint, String timeout) throws Exception {
    return GatewayFixture.start(
        """
        admin:
          address: 127.0.0.1:0
        services:
          - name: backend
            targets: [ "%s" ]
        routes:
          - name: api
            paths: [ /hello ]
            service: backend
        metrics:
          otlp:
            endpoint: %s
            interval: 1s
            timeout: %s
            headers: { X-Api-Key: test-key }
            resource-attributes: { deployment.environment: test }
        """
            .formatted(origin.authority(), endpoint, timeout));
  }

  @Test
  void pushesTheRequestMetersToTheCollector() throws Exception {
    gw = gateway(receiver.endpoint(), "2s");
    for (int i = 0; i < 3; i++) {
      assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
    }

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              OtlpMetricsReceiver.Received requests = receiver.last("portico.requests");
              assertThat(requests).as("names received: %s", names()).isNotNull();
              Metric m = requests.metric();
              assertThat(m.getSum().getIsMonotonic()).isTrue();
              double api = 0;
              for (NumberDataPoint p : m.getSum().getDataPointsList()) {
                Map<String, String> a = attributes(p.getAttributesList());
                if ("api".equals(a.get("route")) && "2xx".equals(a.get("status"))) {
                  assertThat(a).containsEntry("service", "backend").containsEntry("method", "GET");
                  api += p.getAsDouble();
                }
              }
              assertThat(api).isEqualTo(3);
              assertThat(requests.resource())
                  .containsEntry("service.name", "portico")
                  .containsEntry("deployment.environment", "test");
              assertThat(requests.headers()).containsEntry("x-api-key", "test-key");
              // the gauges sampled at scrape time are sampled after each push, for the next one
              assertThat(names())
                  .contains(
                      "portico.request.duration",
                      "portico.upstream.duration",
                      "portico.connections.open",
                      "portico.config.reloads",
                      "jvm.memory.used");
            });
    Metric duration = receiver.last("portico.request.duration").metric();
    assertThat(duration.getHistogram().getDataPointsList())
        .anySatisfy(
            p ->
                assertThat(p.getExplicitBoundsList())
                    .containsExactly(
                        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                        10.0, 30.0));
    HttpResponse<String> scrape = gw.admin("/metrics");
    assertThat(new ScrapeText(scrape.body()).sum("portico_metrics_pushes_total")).isPositive();
  }

  @Test
  void aCollectorThatNeverAnswersHoldsUpNoRequestAndNoScrape() throws Exception {
    try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      gw = gateway("http://127.0.0.1:" + blackHole.getLocalPort(), "3s");
      // The first request and scrape load their classes: not timed.
      assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
      assertThat(gw.admin("/metrics").statusCode()).isEqualTo(200);
      // Every push hangs for the whole timeout: a request or a scrape that waited for one would
      // take at least that long.
      long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
      long slowestRequest = 0;
      long slowestScrape = 0;
      int n = 0;
      while (System.nanoTime() < deadline) {
        long t0 = System.nanoTime();
        assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
        long t1 = System.nanoTime();
        assertThat(gw.admin("/metrics").statusCode()).isEqualTo(200);
        long t2 = System.nanoTime();
        slowestRequest = Math.max(slowestRequest, t1 - t0);
        slowestScrape = Math.max(slowestScrape, t2 - t1);
        n++;
      }
      assertThat(n).isGreaterThan(1);
      assertThat(Duration.ofNanos(slowestRequest)).isLessThan(Duration.ofSeconds(3));
      assertThat(Duration.ofNanos(slowestScrape)).isLessThan(Duration.ofSeconds(3));
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () ->
                  assertThat(
                          new ScrapeText(gw.admin("/metrics").body())
                              .sum("portico_metrics_push_failures_total"))
                      .isPositive());
    }
  }

  private Set<String> names() {
    return receiver.metrics().stream()
        .map(r -> r.metric().getName())
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  private static Map<String, String> attributes(List<KeyValue> list) {
    Map<String, String> out = new LinkedHashMap<>();
    for (KeyValue kv : list) {
      out.put(kv.getKey(), kv.getValue().getStringValue());
    }
    return out;
  }
}
