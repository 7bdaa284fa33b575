package io.portico.observe.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Metrics end to end: a real gateway proxies to a real origin, and {@code /metrics} is scraped over
 * the admin listener.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsEndToEndTest {

  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private GatewayFixture gw;

  @BeforeAll
  void start() throws Exception {
    gw =
        env.start(
            """
            admin:
              address: 127.0.0.1:0
            services:
              - name: backend
                targets: [ "%s" ]
                health:
                  passive: { consecutive-5xx: 100 }
            routes:
              - name: api
                paths: [ "/hello", "/status" ]
                service: backend
              - name: keyed
                paths: [ "/keyed" ]
                service: backend
                plugins:
                  key-auth: {}
              - name: slow
                paths: [ "/delay" ]
                service: backend
              - name: pong
                paths: [ "/pong" ]
                plugins:
                  mock: { body: pong }
            consumers:
              - name: alice
                credentials:
                  key-auth: { key: "%s" }
            metrics:
              server-timing: true
            """
                .formatted(env.origin().authority(), sha256("alice-key")));
  }

  @Test
  void countsRequestsByRouteServiceMethodStatusClassAndFailure() throws Exception {
    double before = scrape().sum("portico_requests_total", "route", "api", "status", "2xx");
    for (int i = 0; i < 3; i++) {
      assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
    }
    assertThat(gw.get("/status/503").statusCode()).isEqualTo(503);
    assertThat(
            gw.send(
                    HttpRequest.newBuilder(gw.uri("/hello"))
                        .POST(HttpRequest.BodyPublishers.ofString("12345")))
                .statusCode())
        .isEqualTo(200);

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              ScrapeText s = scrape();
              assertThat(
                      s.sum(
                          "portico_requests_total",
                          "route",
                          "api",
                          "service",
                          "backend",
                          "method",
                          "GET",
                          "status",
                          "2xx",
                          "failure",
                          "none"))
                  .isGreaterThanOrEqualTo(before + 3);
              assertThat(
                      s.sum(
                          "portico_requests_total",
                          "route",
                          "api",
                          "method",
                          "GET",
                          "status",
                          "5xx"))
                  .isGreaterThanOrEqualTo(1);
              assertThat(
                      s.sum(
                          "portico_requests_total",
                          "route",
                          "api",
                          "method",
                          "POST",
                          "status",
                          "2xx"))
                  .isEqualTo(1);
              assertThat(s.sum("portico_request_bytes_total", "route", "api")).isEqualTo(5);
              assertThat(s.sum("portico_response_bytes_total", "route", "api")).isPositive();
            });
  }

  @Test
  void latencyHistogramsHaveTheDocumentedBuckets() throws Exception {
    gw.get("/hello");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              ScrapeText s = scrape();
              for (String name :
                  List.of(
                      "portico_request_duration_seconds_bucket",
                      "portico_upstream_duration_seconds_bucket")) {
                List<String> les =
                    s.matching(name, "route", "api").stream()
                        .map(x -> x.labels().get("le"))
                        .toList();
                assertThat(les)
                    .as(name)
                    .containsExactly(
                        "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
                        "1.0", "2.5", "5.0", "10.0", "30.0", "+Inf");
                assertThat(s.sum(name, "route", "api", "le", "+Inf")).isPositive();
              }
              assertThat(s.sum("portico_event_loop_delay_seconds_count")).isPositive();
            });
  }

  @Test
  void unmatchedRequestsShareOneLabelValue() throws Exception {
    assertThat(gw.get("/nowhere/1").statusCode()).isEqualTo(404);
    assertThat(gw.get("/nowhere/2").statusCode()).isEqualTo(404);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              ScrapeText s = scrape();
              assertThat(
                      s.sum(
                          "portico_requests_total",
                          "route",
                          "(unmatched)",
                          "service",
                          "(none)",
                          "failure",
                          "no_route",
                          "status",
                          "4xx"))
                  .isGreaterThanOrEqualTo(2);
              assertThat(s.text()).doesNotContain("/nowhere");
            });
  }

  @Test
  void authOutcomesAndPluginRepliesAreCountedPerPlugin() throws Exception {
    assertThat(gw.get("/keyed/x").statusCode()).isEqualTo(401);
    assertThat(
            gw.send(HttpRequest.newBuilder(gw.uri("/hello")).header("apikey", "alice-key"))
                .statusCode())
        .isEqualTo(200);
    assertThat(
            gw.send(HttpRequest.newBuilder(gw.uri("/keyed/y")).header("apikey", "alice-key"))
                .statusCode())
        .as("authenticated, then answered by the origin, which has no /keyed/y")
        .isEqualTo(404);
    assertThat(gw.get("/pong").body()).isEqualTo("pong");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              ScrapeText s = scrape();
              assertThat(
                      s.sum(
                          "portico_plugin_replies_total",
                          "route",
                          "keyed",
                          "plugin",
                          "key-auth",
                          "status",
                          "401"))
                  .isGreaterThanOrEqualTo(1);
              assertThat(
                      s.sum(
                          "portico_auth_total",
                          "plugin",
                          "key-auth",
                          "outcome",
                          "rejected",
                          "reason",
                          "key_missing"))
                  .isGreaterThanOrEqualTo(1);
              assertThat(
                      s.sum(
                          "portico_auth_total",
                          "plugin",
                          "key-auth",
                          "outcome",
                          "consumer",
                          "reason",
                          "none"))
                  .isGreaterThanOrEqualTo(1);
              assertThat(
                      s.sum(
                          "portico_plugin_replies_total",
                          "route",
                          "pong",
                          "plugin",
                          "mock",
                          "status",
                          "200"))
                  .isGreaterThanOrEqualTo(1);
              assertThat(s.matching("portico_consumer_requests_total")).isEmpty();
            });
  }

  @Test
  void connectionsPoolsAndEndpointsAreSampledAtScrapeTime() throws Exception {
    gw.get("/hello");
    ScrapeText s = scrape();
    assertThat(
            s.matching(
                "portico_connections_open",
                "listener",
                gw.gateway().snapshot().config().listeners().get(0).name(),
                "protocol",
                "http1"))
        .hasSize(1);
    assertThat(s.matching("portico_requests_in_flight", "protocol", "h2")).isNotEmpty();
    assertThat(s.sum("portico_upstream_pool_idle", "target", env.origin().authority()))
        .isPositive();
    assertThat(s.matching("portico_upstream_pool_active", "target", env.origin().authority()))
        .hasSize(1);
    assertThat(s.matching("portico_upstream_pool_pending", "target", env.origin().authority()))
        .hasSize(1);
    assertThat(s.sum("portico_upstream_endpoints", "service", "backend", "state", "healthy"))
        .isEqualTo(1);
    assertThat(s.sum("portico_upstream_endpoints", "service", "backend", "state", "ejected"))
        .isZero();
    assertThat(s.matching("portico_upstream_ejections_total", "service", "backend")).hasSize(1);
    assertThat(s.sum("portico_config_info", "version", gw.gateway().version())).isEqualTo(1);
    assertThat(s.names())
        .contains(
            "jvm_memory_used_bytes",
            "jvm_buffer_memory_used_bytes",
            "portico_netty_direct_memory_bytes");
  }

  @Test
  void inFlightExchangesAreCountedPerListenerAndProtocol() throws Exception {
    String listener = gw.gateway().snapshot().config().listeners().get(0).name();
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpClient h1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    assertThat(h2.send(HttpRequest.newBuilder(gw.uri("/hello")).build(), discarding()).version())
        .isEqualTo(HttpClient.Version.HTTP_2);
    CompletableFuture<HttpResponse<Void>> slowH2a =
        h2.sendAsync(HttpRequest.newBuilder(gw.uri("/delay/4000")).build(), discarding());
    CompletableFuture<HttpResponse<Void>> slowH2b =
        h2.sendAsync(HttpRequest.newBuilder(gw.uri("/delay/4001")).build(), discarding());
    CompletableFuture<HttpResponse<Void>> slowH1 =
        h1.sendAsync(HttpRequest.newBuilder(gw.uri("/delay/4002")).build(), discarding());
    // The origin answers after 4 s: the exchanges are in flight while the scrapes look.
    await()
        .atMost(Duration.ofMillis(3500))
        .untilAsserted(
            () -> {
              ScrapeText s = scrape();
              assertThat(
                      s.sum("portico_requests_in_flight", "listener", listener, "protocol", "h2"))
                  .isEqualTo(2);
              assertThat(
                      s.sum(
                          "portico_requests_in_flight", "listener", listener, "protocol", "http1"))
                  .isGreaterThanOrEqualTo(1);
              assertThat(s.sum("portico_connections_open", "listener", listener, "protocol", "h2"))
                  .isGreaterThanOrEqualTo(1);
            });
    slowH2a.get(10, TimeUnit.SECONDS);
    slowH2b.get(10, TimeUnit.SECONDS);
    slowH1.get(10, TimeUnit.SECONDS);
  }

  @Test
  void serverTimingCarriesGatewayAndUpstreamTime() throws Exception {
    HttpResponse<String> proxied = gw.get("/hello");
    assertThat(proxied.headers().firstValue("server-timing"))
        .hasValueSatisfying(
            v -> assertThat(v).matches("gateway;dur=\\d+\\.\\d{3}, upstream;dur=\\d+\\.\\d{3}"));
    HttpResponse<String> local = gw.get("/pong");
    assertThat(local.headers().firstValue("server-timing"))
        .hasValueSatisfying(v -> assertThat(v).matches("gateway;dur=\\d+\\.\\d{3}"));
  }

  @Test
  void openMetricsWhenAcceptAsksForIt() throws Exception {
    HttpResponse<String> om =
        gw.send(
            HttpRequest.newBuilder(gw.adminUri("/metrics"))
                .header("Accept", "application/openmetrics-text; version=1.0.0"));
    assertThat(om.statusCode()).isEqualTo(200);
    assertThat(om.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/openmetrics-text"));
    assertThat(om.body()).endsWith("# EOF\n").contains("portico_requests_total");

    HttpResponse<String> text = gw.admin("/metrics");
    assertThat(text.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
    assertThat(text.body()).doesNotContain("# EOF");
  }

  @Test
  void metricsAnswersOnlyGetAndHead() throws Exception {
    HttpResponse<String> r =
        gw.send(
            HttpRequest.newBuilder(gw.adminUri("/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(r.statusCode()).isEqualTo(405);
  }

  private static HttpResponse.BodyHandler<Void> discarding() {
    return HttpResponse.BodyHandlers.discarding();
  }

  private ScrapeText scrape() throws Exception {
    HttpResponse<String> r = gw.admin("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    return new ScrapeText(r.body());
  }

  static String sha256(String text) throws Exception {
    return "sha256:"
        + HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }
}
