package io.portico.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.TestOrigin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The access log: one JSON line per exchange, no credentials, and never in the way of traffic. */
class AccessLogTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> DOCUMENTED =
      Set.of(
          "time",
          "request_id",
          "client",
          "method",
          "path",
          "protocol",
          "host",
          "route",
          "service",
          "upstream",
          "status",
          "bytes_in",
          "bytes_out",
          "duration_ms",
          "upstream_connect_ms",
          "upstream_response_ms",
          "failure",
          "attempts",
          "user_agent");

  private TestOrigin origin;
  private GatewayFixture gw;
  private final ByteArrayOutputStream sink = new ByteArrayOutputStream();
  private AccessLog log;

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    if (log != null) {
      log.close();
    }
    origin.close();
  }

  private String routes() {
    return """
        services:
          - name: backend
            targets: [ "%s" ]
        routes:
          - name: api
            paths: [ "/api" ]
            strip-prefix: true
            service: backend
        """
        .formatted(origin.authority());
  }

  /** Runs requests through a gateway that logs to {@link #sink}, then returns the lines. */
  private List<JsonNode> linesAfter(int exchanges) throws Exception {
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.records().size() >= exchanges);
    log.close();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : sink.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isEmpty()) {
        lines.add(JSON.readTree(line));
      }
    }
    return lines;
  }

  private void startLogged() throws Exception {
    log = AccessLog.to(sink);
    gw = GatewayFixture.start(routes(), log);
  }

  @Test
  void writesOneJsonLinePerExchangeWithTheDocumentedFields() throws Exception {
    startLogged();
    gw.send(
        HttpRequest.newBuilder(gw.uri("/api/hello?lang=en"))
            .header("User-Agent", "access-log-test/1.0"));
    gw.get("/missing");

    List<JsonNode> lines = linesAfter(2);

    assertThat(lines).hasSize(2);
    JsonNode ok = lines.get(0);
    Set<String> names = new TreeSet<>();
    ok.fieldNames().forEachRemaining(names::add);
    assertThat(DOCUMENTED).containsAll(names);
    assertThat(names).doesNotContain("failure");
    assertThat(Instant.parse(ok.get("time").asText())).isBefore(Instant.now().plusSeconds(1));
    assertThat(ok.get("request_id").asText()).matches("[0-9a-f]{32}");
    assertThat(ok.get("client").asText()).isEqualTo("127.0.0.1");
    assertThat(ok.get("method").asText()).isEqualTo("GET");
    assertThat(ok.get("path").asText()).isEqualTo("/api/hello");
    assertThat(ok.get("protocol").asText()).isEqualTo("HTTP/1.1");
    assertThat(ok.get("host").asText()).isEqualTo("127.0.0.1:" + gw.port());
    assertThat(ok.get("route").asText()).isEqualTo("api");
    assertThat(ok.get("service").asText()).isEqualTo("backend");
    assertThat(ok.get("upstream").asText()).isEqualTo(origin.authority());
    assertThat(ok.get("status").asInt()).isEqualTo(200);
    assertThat(ok.get("bytes_in").asLong()).isZero();
    assertThat(ok.get("bytes_out").asLong()).isEqualTo(13);
    assertThat(ok.get("duration_ms").asDouble()).isPositive();
    assertThat(ok.get("upstream_connect_ms").asDouble()).isNotNegative();
    assertThat(ok.get("upstream_response_ms").asDouble()).isNotNegative();
    assertThat(ok.get("attempts").asInt()).isEqualTo(1);
    assertThat(ok.get("user_agent").asText()).isEqualTo("access-log-test/1.0");

    JsonNode missing = lines.get(1);
    assertThat(missing.get("status").asInt()).isEqualTo(404);
    assertThat(missing.get("failure").asText()).isEqualTo("no_route");
    assertThat(missing.get("path").asText()).isEqualTo("/missing");
    assertThat(missing.has("route")).isFalse();
    assertThat(missing.has("upstream")).isFalse();
    assertThat(missing.has("attempts")).isFalse();
  }

  @Test
  void neverLogsQueryStringsOrCredentialHeaders() throws Exception {
    startLogged();
    gw.send(
        HttpRequest.newBuilder(gw.uri("/api/hello?access_token=query-secret-1"))
            .header("Authorization", "Bearer header-secret-2")
            .header("Cookie", "session=cookie-secret-3"));
    try (RawClient c = gw.raw()) {
      // No Host header: refused before the path is normalized.
      String got =
          c.send("GET /api/hello?access_token=query-secret-4 HTTP/1.1\r\n\r\n").readAvailable(1000);
      assertThat(got).startsWith("HTTP/1.1 400");
    }

    List<JsonNode> lines = linesAfter(2);

    assertThat(lines).hasSize(2);
    assertThat(lines.get(0).get("path").asText()).isEqualTo("/api/hello");
    assertThat(lines.get(1).get("path").asText()).isEqualTo("/api/hello");
    assertThat(lines.get(1).get("failure").asText()).isEqualTo("bad_request");
    String text = sink.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .doesNotContain("secret")
        .doesNotContain("access_token")
        .doesNotContain("Bearer")
        .doesNotContain("session=");
  }

  @Test
  void writesToTheFileNamedInRuntimeAccessLogBesideTheConfig() throws Exception {
    gw =
        GatewayFixture.start(
            routes()
                + """
                runtime:
                  io-threads: 1
                  watch-config: false
                  access-log: access.log
                  shutdown-timeout: 1s
                """);
    for (int i = 0; i < 3; i++) {
      assertThat(gw.get("/api/hello").statusCode()).isEqualTo(200);
    }
    gw.close();

    Path file = gw.configFile().resolveSibling("access.log");
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(3);
    for (String line : lines) {
      JsonNode json = JSON.readTree(line);
      assertThat(json.get("route").asText()).isEqualTo("api");
      assertThat(json.get("status").asInt()).isEqualTo(200);
    }
  }

  @Test
  void dropsAndCountsLinesInsteadOfBlockingWhenTheWriterFallsBehind() throws Exception {
    CountDownLatch unblock = new CountDownLatch(1);
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    AtomicLong newlines = new AtomicLong();
    OutputStream stuck =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            try {
              unblock.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException(e);
            }
            written.write(b, off, len);
            for (int i = off; i < off + len; i++) {
              if (b[i] == '\n') {
                newlines.incrementAndGet();
              }
            }
          }
        };
    log = AccessLog.to(stuck);
    int offered = 70_000;
    ExchangeRecord record =
        ExchangeRecord.builder()
            .startEpochMillis(System.currentTimeMillis())
            .requestId("0123456789abcdef0123456789abcdef")
            .clientAddress("127.0.0.1")
            .method("GET")
            .path("/api/hello")
            .protocol("HTTP/1.1")
            .host("example.com")
            .route("api")
            .service("backend")
            .upstream("127.0.0.1:9000")
            .status(200)
            .responseBytes(13)
            .durationMillis(1.5)
            .upstreamConnectMillis(0.2)
            .upstreamResponseMillis(0.9)
            .attempts(1)
            .userAgent("test")
            .build();

    CompletableFuture<Void> offering =
        CompletableFuture.runAsync(
            () -> {
              for (int i = 0; i < offered; i++) {
                log.onExchangeComplete(record);
              }
            });

    // The writer is stuck on its first write, yet offering never waits for it.
    offering.get(10, TimeUnit.SECONDS);
    long dropped = log.dropped();
    // The queue holds 65,536 lines; the writer may have taken a batch or two (up to 256 lines
    // each) off it before its first write blocked.
    assertThat(dropped).isGreaterThanOrEqualTo(offered - 65_536 - 1024L).isLessThan(offered);

    unblock.countDown();
    // Every line kept is written once the output moves again; close is bounded, so wait for the
    // writer to catch up first rather than race it on a slow machine.
    await().atMost(Duration.ofSeconds(60)).until(() -> newlines.get() >= offered - dropped);
    log.close();
    log = null;
    long lines = written.toString(StandardCharsets.UTF_8).lines().count();
    assertThat(lines).isEqualTo(offered - dropped);
  }
}
