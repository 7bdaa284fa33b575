package io.portico.observe.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.portico.config.AccessLogConfig.HttpSink;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP sink against a real collector: JSON array batches, retries with backoff, drops counted
 * while the collector is away, delivery resuming when it returns, and traffic unaffected.
 */
class HttpLogSinkTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpServer collector;
  private final List<JsonNode> batches = new CopyOnWriteArrayList<>();
  private final List<String> contentTypes = new CopyOnWriteArrayList<>();
  private final List<String> tokens = new CopyOnWriteArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile int answer = 200;
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile boolean hang;
  private AccessLogPipeline pipeline;

  @BeforeEach
  void start() throws IOException {
    collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    collector.createContext("/logs", this::collect);
    collector.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    if (pipeline != null) {
      pipeline.close();
    }
    collector.stop(0);
  }

  private void collect(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    requests.incrementAndGet();
    if (hang) {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    int status = answer;
    if (status == 200) {
      batches.add(JSON.readTree(body));
      contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
      tokens.add(String.valueOf(exchange.getRequestHeaders().getFirst("X-Collector-Token")));
    }
    exchange.sendResponseHeaders(status, -1);
    exchange.close();
  }

  private URI url() {
    return URI.create("http://127.0.0.1:" + collector.getAddress().getPort() + "/logs");
  }

  private HttpSink sink(int queue, int batchSize, Duration flush, int retries, Duration timeout) {
    return new HttpSink(
        "collector",
        queue,
        url(),
        batchSize,
        flush,
        retries,
        Duration.ofMillis(20),
        Duration.ofMillis(100),
        timeout,
        Map.of("X-Collector-Token", "t0ken"));
  }

  private void offer(int n) {
    for (int i = 0; i < n; i++) {
      pipeline.onExchangeComplete(Records.record("api", 200));
    }
  }

  private int linesReceived() {
    return batches.stream().mapToInt(JsonNode::size).sum();
  }

  @Test
  void postsLinesAsJsonArraysOfAtMostTheBatchSize() throws Exception {
    pipeline = Records.pipeline(sink(1000, 5, Duration.ofMillis(300), 0, Duration.ofSeconds(5)));

    offer(12);

    await().atMost(Duration.ofSeconds(5)).until(() -> linesReceived() == 12);
    assertThat(batches).allMatch(JsonNode::isArray).allMatch(b -> b.size() <= 5);
    assertThat(batches.get(0).size()).isEqualTo(5);
    assertThat(batches.get(0).get(0).get("route").asText()).isEqualTo("api");
    assertThat(contentTypes).allMatch("application/json"::equals);
    assertThat(tokens).allMatch("t0ken"::equals);
    // a batch counts as delivered once the collector's answer is back, after it got the lines
    await().atMost(Duration.ofSeconds(5)).until(() -> pipeline.sinks().get(0).delivered() == 12);
    assertThat(pipeline.sinks().get(0).failed()).isZero();
  }

  @Test
  void retriesABatchAfterA500() throws Exception {
    answer = 500;
    pipeline = Records.pipeline(sink(1000, 10, Duration.ofMillis(100), 20, Duration.ofSeconds(5)));

    offer(3);
    await().atMost(Duration.ofSeconds(5)).until(() -> requests.get() >= 2);
    answer = 200;

    await().atMost(Duration.ofSeconds(5)).until(() -> pipeline.sinks().get(0).delivered() == 3);
    assertThat(linesReceived()).isEqualTo(3);
    assertThat(pipeline.sinks().get(0).failed()).isZero();
    assertThat(pipeline.sinks().get(0).dropped()).isZero();
  }

  @Test
  void countsDropsAndFailuresWhileTheCollectorIsDownThenResumes() throws Exception {
    answer = 503;
    pipeline = Records.pipeline(sink(10, 5, Duration.ZERO, 1, Duration.ofSeconds(2)));
    SinkStats stats = pipeline.sinks().get(0);

    offer(1000);
    // Offering never waits: the queue holds 10 lines and the sink takes batches of 5 off it while
    // the offers run; the rest are dropped and counted.
    assertThat(stats.dropped()).isGreaterThanOrEqualTo(900);
    await().atMost(Duration.ofSeconds(5)).until(() -> stats.failed() > 0);
    // a batch taken off the queue counts as failed once its delivery has given up
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> stats.queued() == 0 && stats.dropped() + stats.failed() == 1000);
    assertThat(linesReceived()).isZero();

    answer = 200;
    offer(7);
    await().atMost(Duration.ofSeconds(5)).until(() -> stats.delivered() == 7);
    assertThat(linesReceived()).isEqualTo(7);
  }

  @Test
  void trafficStaysFastWhileTheCollectorHangs() throws Exception {
    hang = true;
    try (TestOrigin origin = TestOrigin.start();
        GatewayFixture gw =
            GatewayFixture.start(
                """
                services:
                  - name: backend
                    targets: [ "%s" ]
                routes:
                  - name: api
                    service: backend
                runtime:
                  io-threads: 1
                  watch-config: false
                  shutdown-timeout: 1s
                  access-log:
                    sinks:
                      - type: http
                        url: %s
                        queue: 20
                        batch-size: 5
                        flush-interval: 0s
                        timeout: 60s
                """
                    .formatted(origin.authority(), url()))) {
      long start = System.nanoTime();
      for (int i = 0; i < 300; i++) {
        assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      // The collector holds its first request for the whole test: had the data plane waited for
      // it, not one request would have finished within the collector's 60 s timeout.
      assertThat(took).isLessThan(Duration.ofSeconds(20));
      SinkStats stats = gw.gateway().accessLogSinks().get(0);
      assertThat(stats.name()).isEqualTo("http");
      await().atMost(Duration.ofSeconds(5)).until(() -> stats.dropped() >= 300 - 20 - 5);
      assertThat(stats.delivered()).isZero();
      assertThat(requests.get()).isEqualTo(1);
      release.countDown();
    }
  }
}
