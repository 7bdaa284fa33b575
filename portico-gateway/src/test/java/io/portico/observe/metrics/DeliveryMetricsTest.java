package io.portico.observe.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the access log's sinks and the span exporter lose shows on {@code /metrics}: an HTTP sink
 * whose collector is down and a trace collector that never answers, under load, while the proxied
 * requests keep being answered at once.
 */
class DeliveryMetricsTest {

  private TestOrigin origin;
  private GatewayFixture gw;
  private ServerSocket blackHole;
  private HttpServer collector;

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    // Accepts connections into its backlog and never answers them: exports hang until timeout.
    blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  }

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    if (collector != null) {
      collector.stop(0);
    }
    blackHole.close();
    origin.close();
  }

  @Test
  void countsDroppedAndFailedLinesOfADownSinkAndResumesWhenItReturns() throws Exception {
    int port = freePort();
    gw =
        GatewayFixture.start(
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
            runtime:
              io-threads: 1
              watch-config: false
              shutdown-timeout: 1s
              access-log:
                sinks:
                  - type: http
                    name: collector
                    url: http://127.0.0.1:%d/ingest
                    queue: 4
                    batch-size: 2
                    flush-interval: 0s
                    retries: 1
                    backoff: 20ms
                    timeout: 500ms
            """
                .formatted(origin.authority(), port));

    for (int i = 0; i < 200; i++) {
      assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              ScrapeText s = scrape();
              assertThat(
                      s.sum("portico_log_sink_dropped_total", "sink", "collector", "type", "http"))
                  .isPositive();
              assertThat(s.sum("portico_log_sink_failures_total", "sink", "collector"))
                  .isPositive();
              assertThat(s.sum("portico_log_sink_delivered_total", "sink", "collector")).isZero();
              assertThat(s.matching("portico_log_sink_queued", "sink", "collector")).hasSize(1);
            });

    AtomicInteger received = new AtomicInteger();
    collector = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
    collector.createContext(
        "/ingest",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          received.incrementAndGet();
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    collector.start();

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
              assertThat(scrape().sum("portico_log_sink_delivered_total", "sink", "collector"))
                  .isPositive();
            });
    assertThat(received.get()).isPositive();
  }

  @Test
  void countsSpansDroppedAndLostWhileTheCollectorNeverAnswers() throws Exception {
    gw =
        GatewayFixture.start(
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
            tracing:
              endpoint: http://127.0.0.1:%d/v1/traces
              max-queue-size: 2
              export-interval: 10ms
              export-timeout: 2s
            """
                .formatted(origin.authority(), blackHole.getLocalPort()));

    // Each export hangs for the whole export-timeout: a request that waited for one would take
    // at least that long.
    long slowest = 0;
    for (int i = 0; i < 100; i++) {
      long t0 = System.nanoTime();
      assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
      slowest = Math.max(slowest, System.nanoTime() - t0);
    }
    assertThat(Duration.ofNanos(slowest)).isLessThan(Duration.ofSeconds(2));

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              ScrapeText s = scrape();
              assertThat(s.sum("portico_trace_spans_dropped_total")).isPositive();
              assertThat(s.sum("portico_trace_export_failures_total")).isPositive();
              assertThat(s.sum("portico_trace_spans_exported_total")).isZero();
            });
  }

  @Test
  void servesNoDeliveryMetersWithoutSinksOrTracing() throws Exception {
    gw =
        GatewayFixture.start(
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
            """
                .formatted(origin.authority()));
    assertThat(scrape().names())
        .noneMatch(n -> n.startsWith("portico_log_sink_") || n.startsWith("portico_trace_"));
  }

  private ScrapeText scrape() throws Exception {
    HttpResponse<String> r = gw.admin("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    return new ScrapeText(r.body());
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
