package io.portico.observe.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.portico.observe.ExchangeRecord;
import io.portico.observe.trace.OtlpReceiver.ReceivedSpan;
import io.portico.testing.Cleanup;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tracing end to end: a client, the gateway, an origin, and an OTLP/HTTP receiver of the test that
 * decodes every span the gateway exports.
 */
class TracingEndToEndTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT = "00f067aa0ba902b7";
  private static final Pattern TRACEPARENT =
      Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");

  private TestOrigin origin;
  private OtlpReceiver receiver;
  private GatewayFixture gw;

  @TempDir Path dir;

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    receiver = new OtlpReceiver();
  }

  @AfterEach
  void stop() throws Exception {
    Cleanup.close(gw, origin, receiver);
  }

  /** A gateway with tracing on, exporting to the receiver (or {@code endpoint}) every 50 ms. */
  private GatewayFixture gateway(String tracing, String targets) throws Exception {
    gw =
        GatewayFixture.start(
            """
            tracing:
              endpoint: %s
              export-interval: 50ms
            %s
            services:
              - name: backend
                targets: [ %s ]
                retry: { attempts: 1 }
            routes:
              - name: api
                paths: [ "/api" ]
                strip-prefix: true
                service: backend
            """
                .formatted(receiver.endpoint(), tracing.indent(2).stripTrailing(), targets));
    return gw;
  }

  private GatewayFixture gateway(String tracing) throws Exception {
    return gateway(tracing, '"' + origin.authority() + '"');
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return gw.send(b);
  }

  /** The sampled bit of W3C trace flags (the others, such as random-trace-id, vary). */
  private static boolean sampled(String flags) {
    return (Integer.parseInt(flags, 16) & 1) == 1;
  }

  private static ReceivedSpan only(List<ReceivedSpan> spans, SpanKind kind) {
    List<ReceivedSpan> of = spans.stream().filter(s -> s.kind() == kind).toList();
    assertThat(of).hasSize(1);
    return of.get(0);
  }

  private List<ReceivedSpan> awaitTrace(String traceId, int spans) {
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.trace(traceId).size() >= spans);
    return receiver.trace(traceId);
  }

  @Test
  void continuesTheClientsW3cTraceWithAServerSpanAndAClientSpanPerAttempt() throws Exception {
    gateway("service-name: edge-gateway");
    HttpResponse<String> r =
        get("/api/hello?id=7", "traceparent", "00-" + TRACE + "-" + PARENT + "-01");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

    Matcher upstream = TRACEPARENT.matcher(origin.lastRequest().headers().get("traceparent"));
    assertThat(upstream.matches()).isTrue();
    assertThat(upstream.group(1)).isEqualTo(TRACE);
    assertThat(sampled(upstream.group(3))).isTrue();

    List<ReceivedSpan> spans = awaitTrace(TRACE, 2);
    ReceivedSpan server = only(spans, SpanKind.SPAN_KIND_SERVER);
    ReceivedSpan client = only(spans, SpanKind.SPAN_KIND_CLIENT);
    assertThat(server.parentSpanId()).isEqualTo(PARENT);
    assertThat(server.name()).isEqualTo("GET api");
    assertThat(server.attr("http.request.method")).isEqualTo("GET");
    assertThat(server.attr("url.path")).isEqualTo("/api/hello");
    assertThat(server.attr("http.route")).isEqualTo("api");
    assertThat(server.attr("http.response.status_code")).isEqualTo(200L);
    assertThat(server.attr("server.address")).isEqualTo("127.0.0.1");
    assertThat(server.attr("network.peer.address")).isEqualTo("127.0.0.1");
    assertThat(server.attr("portico.request_id")).isEqualTo(gw.records().get(0).requestId());
    assertThat(server.attributes()).doesNotContainKey("error.type");
    assertThat(server.resource()).containsEntry("service.name", "edge-gateway");

    assertThat(client.parentSpanId()).isEqualTo(server.spanId());
    assertThat(client.spanId()).isEqualTo(upstream.group(2));
    assertThat(client.attr("http.request.method")).isEqualTo("GET");
    assertThat(client.attr("server.address")).isEqualTo("127.0.0.1");
    assertThat(client.attr("server.port")).isEqualTo((long) origin.port());
    assertThat(client.attr("http.response.status_code")).isEqualTo(200L);
    assertThat(gw.records().get(0).traceId()).isEqualTo(TRACE);
  }

  @Test
  void showsEachAttemptOfARetriedRequestAsItsOwnClientSpan() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    gateway("", "\"127.0.0.1:" + dead + "\", \"" + origin.authority() + "\"");
    ExchangeRecord retried = null;
    for (int i = 0; i < 6 && retried == null; i++) {
      assertThat(get("/api/hello?i=" + i).statusCode()).isEqualTo(200);
      await().until(() -> !gw.records().isEmpty());
      retried = gw.records().stream().filter(rec -> rec.attempts() == 2).findFirst().orElse(null);
    }
    assertThat(retried).as("a request whose first attempt met the dead target").isNotNull();

    List<ReceivedSpan> spans = awaitTrace(retried.traceId(), 3);
    ReceivedSpan server = only(spans, SpanKind.SPAN_KIND_SERVER);
    List<ReceivedSpan> attempts =
        spans.stream().filter(s -> s.kind() == SpanKind.SPAN_KIND_CLIENT).toList();
    assertThat(attempts).hasSize(2);
    assertThat(attempts).allSatisfy(a -> assertThat(a.parentSpanId()).isEqualTo(server.spanId()));
    ReceivedSpan failed =
        attempts.stream().filter(a -> a.attributes().containsKey("error.type")).findFirst().get();
    ReceivedSpan ok =
        attempts.stream().filter(a -> !a.attributes().containsKey("error.type")).findFirst().get();
    assertThat(failed.attr("error.type")).isEqualTo("upstream_connect_failed");
    assertThat(failed.attr("server.port")).isEqualTo((long) dead);
    assertThat(failed.error()).isTrue();
    assertThat(failed.attributes()).doesNotContainKey("http.request.resend_count");
    assertThat(ok.attr("http.request.resend_count")).isEqualTo(1L);
    assertThat(ok.attr("http.response.status_code")).isEqualTo(200L);
    assertThat(server.attr("http.response.status_code")).isEqualTo(200L);
  }

  @Test
  void readsB3SingleAndMultiAndWritesEveryConfiguredFormat() throws Exception {
    gateway("propagators: [ tracecontext, b3, b3multi ]");
    assertThat(get("/api/hello", "b3", TRACE + "-" + PARENT + "-1").statusCode()).isEqualTo(200);
    HttpHeaders single = origin.lastRequest().headers();
    assertThat(single.get("b3")).startsWith(TRACE + "-").endsWith("-1");
    assertThat(single.get("X-B3-TraceId")).isEqualTo(TRACE);
    assertThat(single.get("X-B3-Sampled")).isEqualTo("1");
    String clientSpanId = single.get("X-B3-SpanId");
    assertThat(single.get("b3")).isEqualTo(TRACE + "-" + clientSpanId + "-1");
    assertThat(single.get("traceparent")).isEqualTo("00-" + TRACE + "-" + clientSpanId + "-01");

    String other = "0af7651916cd43dd8448eb211c80319c";
    assertThat(
            get(
                    "/api/hello",
                    "X-B3-TraceId",
                    other,
                    "X-B3-SpanId",
                    "b7ad6b7169203331",
                    "X-B3-Sampled",
                    "1")
                .statusCode())
        .isEqualTo(200);
    HttpHeaders multi = origin.lastRequest().headers();
    assertThat(multi.get("X-B3-TraceId")).isEqualTo(other);
    assertThat(multi.get("b3")).startsWith(other + "-");

    ReceivedSpan server = only(awaitTrace(other, 2), SpanKind.SPAN_KIND_SERVER);
    assertThat(server.parentSpanId()).isEqualTo("b7ad6b7169203331");
    assertThat(only(awaitTrace(TRACE, 2), SpanKind.SPAN_KIND_SERVER).parentSpanId())
        .isEqualTo(PARENT);
  }

  @Test
  void samplingZeroExportsNothingButStillPropagatesTheTrace() throws Exception {
    gateway("sample-ratio: 0");
    assertThat(get("/api/hello").statusCode()).isEqualTo(200);
    String sent = origin.lastRequest().headers().get("traceparent");
    Matcher fresh = TRACEPARENT.matcher(String.valueOf(sent));
    assertThat(fresh.matches()).as(sent).isTrue();
    assertThat(sampled(fresh.group(3))).isFalse();

    assertThat(
            get(
                    "/api/hello",
                    "traceparent",
                    "00-" + TRACE + "-" + PARENT + "-00",
                    "tracestate",
                    "vendor=abc")
                .statusCode())
        .isEqualTo(200);
    Matcher continued = TRACEPARENT.matcher(origin.lastRequest().headers().get("traceparent"));
    assertThat(continued.matches()).isTrue();
    assertThat(continued.group(1)).isEqualTo(TRACE);
    assertThat(continued.group(2)).isNotEqualTo(PARENT).isNotEqualTo(fresh.group(2));
    assertThat(continued.group(3)).isEqualTo("00");
    assertThat(origin.lastRequest().headers().get("tracestate")).isEqualTo("vendor=abc");

    await().until(() -> gw.records().size() == 2);
    assertThat(gw.records().get(0).traceId()).isEqualTo(fresh.group(1));
    gw.gateway().tracing().flush(5000);
    assertThat(receiver.spans()).isEmpty();
    assertThat(gw.gateway().tracing().exportedSpans()).isZero();
  }

  @Test
  void putsTheTraceIdInProblemBodiesAndTheAccessLog() throws Exception {
    Path accessLog = dir.resolve("access.log");
    gw =
        GatewayFixture.start(
            """
            tracing:
              endpoint: %s
              export-interval: 50ms
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: api
                paths: [ "/api" ]
                strip-prefix: true
                service: backend
            runtime:
              io-threads: 1
              watch-config: false
              access-log: %s
              shutdown-timeout: 1s
            """
                .formatted(receiver.endpoint(), origin.authority(), accessLog));
    HttpResponse<String> r = get("/elsewhere", "traceparent", "00-" + TRACE + "-" + PARENT + "-01");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(r.body()).contains("\"trace_id\":\"" + TRACE + "\"");

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> Files.exists(accessLog) && Files.readString(accessLog).contains(TRACE));
    assertThat(Files.readString(accessLog)).contains("\"trace_id\":\"" + TRACE + "\"");
    ReceivedSpan server = only(awaitTrace(TRACE, 1), SpanKind.SPAN_KIND_SERVER);
    assertThat(server.attr("error.type")).isEqualTo("no_route");
    assertThat(server.attr("http.response.status_code")).isEqualTo(404L);
  }

  @Test
  void recordsASpanPerPluginAndPhaseWhenAskedTo() throws Exception {
    gw =
        GatewayFixture.start(
            """
            tracing:
              endpoint: %s
              export-interval: 50ms
              plugin-spans: true
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: api
                paths: [ "/api" ]
                strip-prefix: true
                service: backend
                plugins:
                  request-headers: { set: { X-Stamp: "1" } }
                  response-headers: { set: { X-Done: "1" } }
            """
                .formatted(receiver.endpoint(), origin.authority()));
    assertThat(get("/api/hello", "traceparent", "00-" + TRACE + "-" + PARENT + "-01").statusCode())
        .isEqualTo(200);
    List<ReceivedSpan> spans = awaitTrace(TRACE, 4);
    ReceivedSpan server = only(spans, SpanKind.SPAN_KIND_SERVER);
    List<ReceivedSpan> plugins =
        spans.stream().filter(s -> s.kind() == SpanKind.SPAN_KIND_INTERNAL).toList();
    assertThat(plugins)
        .extracting(p -> p.attr("portico.plugin") + " " + p.attr("portico.phase"))
        .containsExactlyInAnyOrder("request-headers rewrite", "response-headers response");
    assertThat(plugins).extracting(ReceivedSpan::name).contains("plugin response-headers response");
    assertThat(plugins).allSatisfy(p -> assertThat(p.parentSpanId()).isEqualTo(server.spanId()));
  }

  @Test
  void givesEachBackendOfAnAggregateItsOwnClientSpan() throws Exception {
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    com.sun.net.httpserver.HttpServer json =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress("127.0.0.1", 0), 16);
    json.createContext(
        "/",
        ex -> {
          seen.add(
              ex.getRequestURI().getPath() + " " + ex.getRequestHeaders().getFirst("traceparent"));
          byte[] body = "{\"ok\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "application/json");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    json.start();
    try {
      gw =
          GatewayFixture.start(
              """
              tracing:
                endpoint: %s
                export-interval: 50ms
              services:
                - name: users
                  targets: [ "127.0.0.1:%d" ]
                - name: orders
                  targets: [ "127.0.0.1:%d" ]
              routes:
                - name: screen
                  paths: [ /screen ]
                  aggregate:
                    backends:
                      - { name: user, service: users, path: /user }
                      - { name: orders, service: orders, path: /orders }
              """
                  .formatted(
                      receiver.endpoint(),
                      json.getAddress().getPort(),
                      json.getAddress().getPort()));
      assertThat(get("/screen", "traceparent", "00-" + TRACE + "-" + PARENT + "-01").statusCode())
          .isEqualTo(200);
      List<ReceivedSpan> spans = awaitTrace(TRACE, 3);
      ReceivedSpan server = only(spans, SpanKind.SPAN_KIND_SERVER);
      List<ReceivedSpan> clients =
          spans.stream().filter(s -> s.kind() == SpanKind.SPAN_KIND_CLIENT).toList();
      assertThat(clients)
          .extracting(c -> c.attr("portico.service"))
          .containsExactlyInAnyOrder("users", "orders");
      assertThat(clients).allSatisfy(c -> assertThat(c.parentSpanId()).isEqualTo(server.spanId()));
      assertThat(seen)
          .containsExactlyInAnyOrder(
              "/user 00-" + TRACE + "-" + spanOf(clients, "users") + "-01",
              "/orders 00-" + TRACE + "-" + spanOf(clients, "orders") + "-01");
    } finally {
      json.stop(0);
    }
  }

  private static String spanOf(List<ReceivedSpan> clients, String service) {
    return clients.stream()
        .filter(c -> service.equals(c.attr("portico.service")))
        .findFirst()
        .orElseThrow()
        .spanId();
  }

  @Test
  void aCollectorThatNeverAnswersNeitherSlowsNorFailsRequests() throws Exception {
    // Accepts connections (the kernel's backlog) and never answers: every export hangs until its
    // timeout, far longer than any request may take.
    try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      gw =
          GatewayFixture.start(
              """
              tracing:
                endpoint: http://127.0.0.1:%d/v1/traces
                export-interval: 10ms
                export-timeout: 3s
                max-queue-size: 8
              services:
                - name: backend
                  targets: [ "%s" ]
              routes:
                - name: api
                  paths: [ "/api" ]
                  strip-prefix: true
                  service: backend
              """
                  .formatted(blackHole.getLocalPort(), origin.authority()));
      long slowest = 0;
      for (int i = 0; i < 100; i++) {
        long t0 = System.nanoTime();
        assertThat(get("/api/hello?i=" + i).statusCode()).isEqualTo(200);
        slowest = Math.max(slowest, System.nanoTime() - t0);
      }
      Tracing tracing = gw.gateway().tracing();
      await().atMost(Duration.ofSeconds(5)).until(() -> tracing.droppedSpans() > 0);
      assertThat(tracing.exportedSpans()).isZero();
      assertThat(Duration.ofNanos(slowest)).isLessThan(Duration.ofSeconds(2));
    }
  }

  @Test
  void addsNothingWhenTracingIsOff() throws Exception {
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: api
                paths: [ "/api" ]
                strip-prefix: true
                service: backend
            """
                .formatted(origin.authority()));
    assertThat(gw.gateway().tracing()).isNull();
    assertThat(get("/api/hello").statusCode()).isEqualTo(200);
    assertThat(origin.lastRequest().headers().contains("traceparent")).isFalse();
    HttpResponse<String> r = get("/elsewhere", "traceparent", "00-" + TRACE + "-" + PARENT + "-01");
    assertThat(r.body()).doesNotContain("trace_id");
    await().until(() -> gw.records().size() == 2);
    assertThat(gw.records()).allSatisfy(rec -> assertThat(rec.traceId()).isNull());
  }

  @Test
  void samplesANewTraceByTheRatioRuleOnItsTraceIdAndExportsExactlyThoseSampled() throws Exception {
    gateway("sample-ratio: 0.5");
    Set<String> sampled = new HashSet<>();
    Set<String> unsampled = new HashSet<>();
    long bound = (long) (0.5 * Long.MAX_VALUE);
    for (int i = 0; i < 40; i++) {
      assertThat(get("/api/hello").statusCode()).isEqualTo(200);
      Matcher sent = TRACEPARENT.matcher(origin.lastRequest().headers().get("traceparent"));
      assertThat(sent.matches()).isTrue();
      String traceId = sent.group(1);
      // OpenTelemetry's TraceIdRatioBased rule: the id's last 16 hex digits, absolute, below the
      // ratio's share of Long.MAX_VALUE
      boolean byRule = Math.abs(Long.parseUnsignedLong(traceId.substring(16), 16)) < bound;
      assertThat(sampled(sent.group(3))).as(traceId).isEqualTo(byRule);
      (byRule ? sampled : unsampled).add(traceId);
    }
    assertThat(sampled).isNotEmpty();
    assertThat(unsampled).isNotEmpty();
    await().until(() -> gw.records().size() == 40);
    assertThat(gw.records().stream().map(r -> r.traceId()).collect(Collectors.toSet()))
        .containsAll(sampled)
        .containsAll(unsampled);
    gw.gateway().tracing().flush(5000);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                receiver.spans().stream().map(ReceivedSpan::traceId).distinct().count()
                    >= sampled.size());
    assertThat(receiver.spans().stream().map(ReceivedSpan::traceId).collect(Collectors.toSet()))
        .isEqualTo(sampled);
  }

  @Test
  void writesAnUnsampledNewTraceInEveryConfiguredFormat() throws Exception {
    gateway("sample-ratio: 0\npropagators: [ tracecontext, b3, b3multi ]");
    assertThat(get("/api/hello").statusCode()).isEqualTo(200);
    Matcher sent = TRACEPARENT.matcher(origin.lastRequest().headers().get("traceparent"));
    assertThat(sent.matches()).isTrue();
    // not sampled; the random-trace-id flag (W3C level 2) as the SDK sets it on ids it draws
    assertThat(sent.group(3)).isEqualTo("02");
    String ids = sent.group(1) + "-" + sent.group(2);
    assertThat(origin.lastRequest().headers().get("b3")).isEqualTo(ids + "-0");
    assertThat(origin.lastRequest().headers().get("X-B3-TraceId")).isEqualTo(sent.group(1));
    assertThat(origin.lastRequest().headers().get("X-B3-SpanId")).isEqualTo(sent.group(2));
    assertThat(origin.lastRequest().headers().get("X-B3-Sampled")).isEqualTo("0");
  }
}
