package io.portico.observe.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Who may read {@code /metrics}, the per-consumer cap, the reload counter, and a scrape of a
 * gateway with many routes.
 */
class MetricsAccessTest {

  /** One route, {@code api}, taking every path to {@code backend}. */
  private static final String API_ROUTE =
      """
      routes:
        - name: api
          paths: [ "/" ]
          service: backend
      """;

  /** An admin listener with one read-only token, {@code reader-token}. */
  private static String readerToken() throws Exception {
    return """
        admin:
          address: 127.0.0.1:0
          tokens:
            - { name: dashboard, hash: "%s", role: read-only }
        """
        .formatted(MetricsEndToEndTest.sha256("reader-token"));
  }

  /**
   * Starts a gateway with the service {@code backend} for {@code origin}, an admin listener on an
   * ephemeral port unless {@code sections} declare their own {@code admin:}, and {@code sections}
   * (routes, consumers, metrics). The caller closes it, before the origin.
   */
  private static GatewayFixture start(TestOrigin origin, String sections) throws Exception {
    String admin = sections.contains("admin:") ? "" : "admin:\n  address: 127.0.0.1:0\n";
    return GatewayFixture.start(
        admin
            + """
            services:
              - name: backend
                targets: [ "%s" ]
            """
                .formatted(origin.authority())
            + sections);
  }

  @Test
  void anyAdminTokenMayReadMetricsAndNoTokenMayNot() throws Exception {
    try (TestOrigin origin = TestOrigin.start();
        GatewayFixture gw = start(origin, readerToken() + API_ROUTE)) {
      assertThat(gw.admin("/metrics").statusCode()).isEqualTo(401);
      HttpResponse<String> withToken =
          gw.send(
              HttpRequest.newBuilder(gw.adminUri("/metrics"))
                  .header("Authorization", "Bearer reader-token"));
      assertThat(withToken.statusCode()).isEqualTo(200);
      assertThat(withToken.body()).contains("portico_config_info");
    }
  }

  @Test
  void publicMetricsNeedNoTokenButOtherEndpointsStillDo() throws Exception {
    try (TestOrigin origin = TestOrigin.start();
        GatewayFixture gw =
            start(origin, readerToken() + API_ROUTE + "metrics:\n  public: true\n")) {
      assertThat(gw.admin("/metrics").statusCode()).isEqualTo(200);
      assertThat(gw.admin("/config").statusCode()).isEqualTo(401);
    }
  }

  @Test
  void disabledMetricsAnswer404AndAddNoHeader() throws Exception {
    try (TestOrigin origin = TestOrigin.start();
        GatewayFixture gw = start(origin, API_ROUTE + "metrics:\n  enabled: false\n")) {
      HttpResponse<String> proxied = gw.get("/hello");
      assertThat(proxied.statusCode()).isEqualTo(200);
      assertThat(proxied.headers().firstValue("server-timing")).isEmpty();
      HttpResponse<String> r = gw.admin("/metrics");
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.body()).contains("metrics-disabled");
    }
  }

  @Test
  void perConsumerSeriesStopAtTheCapAndTheRestIsOther() throws Exception {
    StringBuilder consumers = new StringBuilder();
    for (int i = 1; i <= 4; i++) {
      consumers.append(
          """
            - name: c%d
              credentials:
                key-auth: { key: "%s" }
          """
              .formatted(i, MetricsEndToEndTest.sha256("key-" + i)));
    }
    try (TestOrigin origin = TestOrigin.start();
        GatewayFixture gw =
            start(
                origin,
                """
                routes:
                  - name: api
                    paths: [ "/" ]
                    service: backend
                    plugins:
                      key-auth: {}
                consumers:
                %s
                metrics:
                  per-consumer: true
                  max-consumers: 2
                """
                    .formatted(consumers.toString().stripTrailing()))) {
      for (int i = 1; i <= 4; i++) {
        for (int n = 0; n < i; n++) {
          HttpResponse<String> r =
              gw.send(HttpRequest.newBuilder(gw.uri("/hello")).header("apikey", "key-" + i));
          assertThat(r.statusCode()).isEqualTo(200);
        }
      }
      assertThat(gw.get("/hello").statusCode()).isEqualTo(401);
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> {
                ScrapeText s = new ScrapeText(gw.admin("/metrics").body());
                assertThat(s.sum("portico_consumer_requests_total", "consumer", "c1")).isEqualTo(1);
                assertThat(s.sum("portico_consumer_requests_total", "consumer", "c2")).isEqualTo(2);
                assertThat(s.matching("portico_consumer_requests_total", "consumer", "c3"))
                    .isEmpty();
                assertThat(s.matching("portico_consumer_requests_total", "consumer", "c4"))
                    .isEmpty();
                assertThat(
                        s.sum(
                            "portico_consumer_requests_total",
                            "consumer",
                            "(other)",
                            "status",
                            "2xx"))
                    .isEqualTo(7);
                assertThat(
                        s.sum(
                            "portico_consumer_requests_total",
                            "consumer",
                            "(none)",
                            "status",
                            "4xx"))
                    .isEqualTo(1);
              });
    }
  }

  @Test
  void reloadsAreCountedByResultAndTheConfigVersionFollows() throws Exception {
    String config =
        """
        admin:
          address: 127.0.0.1:0
        services:
          - name: backend
            targets: [ "%s" ]
        routes:
          - name: %s
            paths: [ "/" ]
            service: backend
        """;
    try (TestOrigin origin = TestOrigin.start();
        GatewayFixture gw = GatewayFixture.start(config.formatted(origin.authority(), "first"))) {
      gw.get("/hello");
      String firstVersion = gw.gateway().version();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  new ScrapeText(gw.admin("/metrics").body())
                          .sum("portico_requests_total", "route", "first")
                      == 1);

      gw.rewriteConfig(config.formatted(origin.authority(), "second"));
      assertThat(gw.adminPost("/reload").statusCode()).isEqualTo(200);
      gw.rewriteConfig("routes: [ { name: broken, service: missing } ]\n");
      assertThat(gw.adminPost("/reload").statusCode()).isEqualTo(422);

      ScrapeText s = new ScrapeText(gw.admin("/metrics").body());
      assertThat(s.sum("portico_config_reloads_total", "result", "applied")).isEqualTo(1);
      assertThat(s.sum("portico_config_reloads_total", "result", "rejected")).isEqualTo(1);
      assertThat(s.sum("portico_config_info", "version", gw.gateway().version())).isEqualTo(1);
      assertThat(s.matching("portico_config_info", "version", firstVersion)).isEmpty();
      assertThat(s.matching("portico_requests_total", "route", "first"))
          .as("a removed route leaves no series behind")
          .isEmpty();
      assertThat(s.matching("portico_request_duration_seconds_count", "route", "second"))
          .as("a new route's meters exist before its first request")
          .hasSize(1);
      assertThat(s.sum("portico_config_loaded_timestamp_seconds")).isPositive();
    }
  }

  @Test
  void rateLimitDecisionsAreCountedPerRoute() throws Exception {
    try (TestOrigin origin = TestOrigin.start();
        GatewayFixture gw =
            start(
                origin,
                """
                routes:
                  - name: limited
                    paths: [ "/hello" ]
                    service: backend
                    plugins:
                      rate-limit:
                        limits: [ { requests: 2, window: 1h } ]
                        key: global
                  - name: shared
                    paths: [ "/status" ]
                    service: backend
                    plugins:
                      rate-limit:
                        limits: [ { requests: 100, window: 1m } ]
                        key: global
                        policy: redis
                        redis:
                          url: redis://127.0.0.1:1
                          timeout: 50ms
                          on-failure: fail-open
                """)) {
      for (int i = 0; i < 3; i++) {
        gw.get("/hello");
      }
      assertThat(gw.get("/status/204").statusCode()).isEqualTo(204);
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> {
                ScrapeText s = new ScrapeText(gw.admin("/metrics").body());
                assertThat(
                        s.sum(
                            "portico_rate_limit_decisions_total",
                            "route",
                            "limited",
                            "decision",
                            "allowed"))
                    .isEqualTo(2);
                assertThat(
                        s.sum(
                            "portico_rate_limit_decisions_total",
                            "route",
                            "limited",
                            "decision",
                            "limited"))
                    .isEqualTo(1);
                assertThat(
                        s.sum(
                            "portico_plugin_replies_total",
                            "route",
                            "limited",
                            "plugin",
                            "rate-limit",
                            "status",
                            "429"))
                    .isEqualTo(1);
                assertThat(
                        s.sum(
                            "portico_rate_limit_decisions_total",
                            "route",
                            "shared",
                            "decision",
                            "failed-open"))
                    .isEqualTo(1);
              });
    }
  }

  @Test
  void scrapesAGatewayWithAThousandRoutes() throws Exception {
    StringBuilder routes = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      routes.append("  - { name: r%d, paths: [ \"/r%d\" ], service: backend }\n".formatted(i, i));
    }
    try (TestOrigin origin = TestOrigin.start();
        GatewayFixture gw = start(origin, "routes:\n" + routes)) {
      for (int i = 0; i < 1000; i += 10) {
        gw.get("/r" + i);
      }
      for (int i = 0; i < 3; i++) {
        gw.admin("/metrics");
      }
      long start = System.nanoTime();
      HttpResponse<String> r = gw.admin("/metrics");
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(r.statusCode()).isEqualTo(200);
      ScrapeText s = new ScrapeText(r.body());
      assertThat(s.matching("portico_request_duration_seconds_count")).hasSizeGreaterThan(1000);
      System.out.printf(
          "scrape of 1000 routes: %d ms, %d bytes, %d samples%n",
          millis, r.body().length(), s.size());
    }
  }
}
