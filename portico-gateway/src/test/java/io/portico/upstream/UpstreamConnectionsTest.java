package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.TestOrigin;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Upstream connections over real sockets: stale pooled connections, safe retries, pool limits,
 * timeouts on both sides and weighted balancing.
 */
class UpstreamConnectionsTest {

  private final List<AutoCloseable> resources = new ArrayList<>();
  private GatewayFixture gw;

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    for (AutoCloseable r : resources) {
      r.close();
    }
  }

  private TestOrigin origin(TestOrigin.Builder builder) throws InterruptedException {
    TestOrigin o = builder.start();
    resources.add(o);
    return o;
  }

  /** A gateway with one service on {@code targets} and {@code serviceExtra} appended to it. */
  private GatewayFixture gateway(String targets, String serviceExtra, String extra)
      throws Exception {
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: %s
            %s
            routes:
              - name: all
                paths: [ "/" ]
                service: backend
            %s
            """
                .formatted(targets, serviceExtra.indent(4), extra));
    return gw;
  }

  private ExchangeRecord lastRecord() {
    await().atMost(Duration.ofSeconds(2)).until(() -> !gw.records().isEmpty());
    List<ExchangeRecord> all = gw.records();
    return all.get(all.size() - 1);
  }

  @Test
  void neverUsesAPooledConnectionTheOriginClosedWhileIdle() throws Exception {
    TestOrigin origin = origin(TestOrigin.builder().closeIdleAfter(Duration.ofMillis(50)));
    gateway("[ \"%s\" ]".formatted(origin.authority()), "retry: { attempts: 0 }", "");
    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(2)).until(() -> origin.openConnections() == 0);
    Thread.sleep(150);

    HttpResponse<String> r = gw.get("/hello");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("Hello, World!");
    assertThat(origin.connections()).isEqualTo(2);
    assertThat(origin.requestCount()).isEqualTo(2);
    assertThat(lastRecord().attempts()).isEqualTo(1);
  }

  @Test
  void retriesAGetOnAFreshConnectionWhenAReusedOneClosesWithoutAnswering() throws Exception {
    TestOrigin origin = origin(TestOrigin.builder().closeOnSecondRequest());
    gateway("[ \"%s\" ]".formatted(origin.authority()), "retry: { attempts: 1 }", "");
    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);

    HttpResponse<String> r = gw.get("/hello");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("Hello, World!");
    assertThat(origin.connections()).isEqualTo(2);
    assertThat(origin.requestCount()).isEqualTo(3);
    ExchangeRecord record = lastRecord();
    assertThat(record.attempts()).isEqualTo(2);
    assertThat(record.failure()).isNull();
  }

  @Test
  void retriesAPutWhoseEmptyBodyAPluginReadWithItsEndOnAFreshConnection() throws Exception {
    TestOrigin origin = origin(TestOrigin.builder().closeOnSecondRequest());
    gateway(
        "[ \"%s\" ]".formatted(origin.authority()),
        "retry: { attempts: 1 }\ntimeouts: { response: 2s }",
        "plugins:\n  test-body: { delay-ms: 50 }");
    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);

    try (RawClient raw = gw.raw()) {
      raw.send("PUT /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
      String response = raw.readUntil("\r\n\r\n0", 5000);

      assertThat(response).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n0");
    }
    assertThat(origin.connections()).isEqualTo(2);
    assertThat(lastRecord().attempts()).isEqualTo(2);
  }

  @Test
  void answers502ToAPostWithABodyWhenAReusedConnectionClosesWithoutAnswering() throws Exception {
    TestOrigin origin = origin(TestOrigin.builder().closeOnSecondRequest());
    gateway("[ \"%s\" ]".formatted(origin.authority()), "retry: { attempts: 1 }", "");
    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);

    HttpResponse<String> r =
        gw.send(
            HttpRequest.newBuilder(gw.uri("/count"))
                .POST(HttpRequest.BodyPublishers.ofString("hello")));

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(r.body()).contains("https://portico.dev/problems/upstream-reset-before-response");
    assertThat(origin.requestCount()).as("the POST was not sent twice").isEqualTo(2);
    ExchangeRecord record = lastRecord();
    assertThat(record.failure()).isEqualTo("upstream_reset_before_response");
    assertThat(record.attempts()).isEqualTo(1);
  }

  @Test
  void answers503PoolExhaustedWhenTheOnlyConnectionIsBusyAndNoneMayWait() throws Exception {
    TestOrigin origin = origin(TestOrigin.builder());
    gateway(
        "[ \"%s\" ]".formatted(origin.authority()),
        "pool: { max-connections: 1, max-pending: 0 }",
        "");
    CompletableFuture<HttpResponse<String>> busy =
        gw.client()
            .sendAsync(
                HttpRequest.newBuilder(gw.uri("/delay/500")).build(),
                HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(5)).until(() -> origin.requestCount() == 1);

    HttpResponse<String> r;
    try (RawClient c = gw.raw()) {
      String got = c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("exhausted", 5000);
      assertThat(got)
          .startsWith("HTTP/1.1 503")
          .contains("application/problem+json")
          .contains("https://portico.dev/problems/upstream-pool-exhausted");
    }

    r = busy.get(5, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(origin.connections()).isEqualTo(1);
    assertThat(origin.requestCount()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(2)).until(() -> gw.records().size() == 2);
    assertThat(gw.records())
        .extracting(ExchangeRecord::failure)
        .containsExactlyInAnyOrder("upstream_pool_exhausted", null);
  }

  @Test
  void queuesARequestForTheBusyConnectionWhenWaitingIsAllowed() throws Exception {
    TestOrigin origin = origin(TestOrigin.builder());
    gateway(
        "[ \"%s\" ]".formatted(origin.authority()),
        "pool: { max-connections: 1, max-pending: 1 }",
        "");
    CompletableFuture<HttpResponse<String>> busy =
        gw.client()
            .sendAsync(
                HttpRequest.newBuilder(gw.uri("/delay/300")).build(),
                HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(5)).until(() -> origin.requestCount() == 1);

    try (RawClient c = gw.raw()) {
      String got =
          c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("Hello, World!", 5000);
      assertThat(got).startsWith("HTTP/1.1 200").endsWith("Hello, World!");
    }
    assertThat(busy.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(origin.connections()).isEqualTo(1);
  }

  @Test
  void cutsTheClientConnectionWhenTheUpstreamStallsMidBodyPastTheIdleTimeout() throws Exception {
    TestOrigin origin = origin(TestOrigin.builder());
    gateway("[ \"%s\" ]".formatted(origin.authority()), "timeouts: { idle: 300ms }", "");
    try (RawClient c = gw.raw()) {
      String got = c.send("GET /stall HTTP/1.1\r\nHost: x\r\n\r\n").readAvailable(3000);
      assertThat(got).startsWith("HTTP/1.1 200").contains("content-length: 1000");
      assertThat(got.length() - got.indexOf("\r\n\r\n") - 4)
          .as("only the bytes the upstream sent")
          .isEqualTo(100);
      assertThat(c.closedByServer(100)).as("the client connection was aborted").isTrue();
    }
    ExchangeRecord record = lastRecord();
    assertThat(record.failure()).isEqualTo("upstream_idle_timeout");
    assertThat(record.status()).isEqualTo(200);
    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
  }

  @Test
  void keepAliveTimeoutClosesAnIdleClientConnection() throws Exception {
    TestOrigin origin = origin(TestOrigin.builder());
    gateway(
        "[ \"%s\" ]".formatted(origin.authority()), "", "limits: { keep-alive-timeout: 500ms }");
    try (RawClient c = gw.raw()) {
      String got =
          c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("Hello, World!", 5000);
      assertThat(got).startsWith("HTTP/1.1 200").endsWith("Hello, World!");
      assertThat(c.closedByServer(100)).as("open right after the response").isFalse();
      assertThat(c.closedByServer(2000)).as("closed after the keep-alive timeout").isTrue();
    }
    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
  }

  @Test
  void splitsRequestsByWeightAcrossTwoOrigins() throws Exception {
    TestOrigin a = origin(TestOrigin.builder().name("a"));
    TestOrigin b = origin(TestOrigin.builder().name("b"));
    gateway(
        "[ { target: \"%s\", weight: 3 }, { target: \"%s\", weight: 1 } ]"
            .formatted(a.authority(), b.authority()),
        "",
        "");
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      HttpResponse<String> r = gw.get("/hello");
      assertThat(r.statusCode()).isEqualTo(200);
      answers.add(r.body());
    }
    Map<String, Long> split =
        answers.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    assertThat(split).containsOnly(Map.entry("a", 30L), Map.entry("b", 10L));
    assertThat(a.requestCount()).isEqualTo(30);
    assertThat(b.requestCount()).isEqualTo(10);
  }
}
