package io.portico.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.portico.config.ConfigFiles;
import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import io.portico.testing.GatewayFixture;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Aggregate routes end to end: real origin servers on real sockets, the gateway in-process,
 * HTTP/1.1 and HTTP/2 clients.
 */
class AggregateEndToEndTest {

  private static HttpServer users;
  private static HttpServer orders;
  private static HttpServer recs;

  /** An origin answering {@code /json/<delay-ms>/<status>} with a body chosen by path. */
  private static HttpServer origin(String body) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    s.setExecutor(Executors.newCachedThreadPool());
    s.createContext(
        "/",
        ex -> {
          String[] parts = ex.getRequestURI().getPath().split("/");
          long delay = parts.length > 2 ? Long.parseLong(parts[2]) : 0;
          int status = parts.length > 3 ? Integer.parseInt(parts[3]) : 200;
          String kind = parts.length > 1 ? parts[1] : "json";
          try {
            Thread.sleep(delay);
          } catch (InterruptedException e) {
            return;
          }
          String text =
              switch (kind) {
                case "bad" -> "{\"id\": 1,";
                case "big" -> "{\"x\":\"" + "a".repeat(4096) + "\"}";
                case "list" -> "[{\"id\":1,\"secret\":\"s\"},{\"id\":2,\"secret\":\"t\"}]";
                case "echo" ->
                    "{\"path\":\""
                        + ex.getRequestURI()
                        + "\",\"method\":\""
                        + ex.getRequestMethod()
                        + "\",\"header\":\""
                        + ex.getRequestHeaders().getFirst("X-Test")
                        + "\"}";
                default -> status >= 300 ? "{\"error\":\"nope\"}" : body;
              };
          byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "application/json");
          ex.sendResponseHeaders(status, bytes.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
          }
        });
    s.start();
    return s;
  }

  @BeforeAll
  static void startOrigins() throws IOException {
    users = origin("{\"id\":42,\"name\":\"Ada\",\"password\":\"x\",\"shared\":\"users\"}");
    orders = origin("{\"orders\":[{\"id\":7}],\"shared\":\"orders\"}");
    recs = origin("{\"items\":[\"book\",\"lamp\"]}");
  }

  @AfterAll
  static void stopOrigins() {
    users.stop(0);
    orders.stop(0);
    recs.stop(0);
  }

  private static String services() {
    return """
        services:
          - name: users
            targets: [ { target: "127.0.0.1:%d" } ]
          - name: orders
            targets: [ { target: "127.0.0.1:%d" } ]
          - name: recommendations
            targets: [ { target: "127.0.0.1:%d" } ]
        """
        .formatted(
            users.getAddress().getPort(),
            orders.getAddress().getPort(),
            recs.getAddress().getPort());
  }

  private static String route(String aggregate) {
    return services()
        + "routes:\n  - name: screen\n    paths: [/screen]\n    aggregate:\n"
        + aggregate;
  }

  /** The first exchange's record, which the observer gets just after the response is out. */
  private static io.portico.observe.ExchangeRecord firstRecord(GatewayFixture gw)
      throws InterruptedException {
    for (int i = 0; i < 200 && gw.records().isEmpty(); i++) {
      Thread.sleep(10);
    }
    return gw.records().get(0);
  }

  @Test
  void mergesThreeParallelBackendsInAboutTheTimeOfTheSlowest() throws Exception {
    String yaml =
        route(
            """
                  backends:
                    - { name: user, service: users, path: /json/50, deny: [password] }
                    - { name: orders, service: orders, path: /json/50 }
                    - { name: recs, service: recommendations, path: /json/50, group: recommendations }
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      gw.get("/screen"); // connections warmed
      // The best of five: called one after another the three would take at least 150 ms every
      // time, so a best under 150 ms proves they overlapped, whatever the machine's load; on an
      // idle machine the best is close to 50 ms.
      long millis = Long.MAX_VALUE;
      HttpResponse<String> r = null;
      for (int i = 0; i < 5; i++) {
        long start = System.nanoTime();
        r = gw.get("/screen");
        millis = Math.min(millis, (System.nanoTime() - start) / 1_000_000);
      }

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
      assertThat(r.body())
          .isEqualTo(
              "{\"id\":42,\"name\":\"Ada\",\"shared\":\"orders\",\"orders\":[{\"id\":7}],"
                  + "\"recommendations\":{\"items\":[\"book\",\"lamp\"]}}");
      assertThat(millis).as("three 50 ms backends in parallel").isLessThan(150);
      assertThat(r.headers().firstValue("x-portico-aggregate-failed")).isEmpty();
    }
  }

  @Test
  void partialFailureAnswers200NamingTheFailedBackend() throws Exception {
    String yaml =
        route(
            """
                  backends:
                    - { name: user, service: users, path: /json/0, allow: [id, name] }
                    - { name: orders, service: orders, path: /json/0/503 }
                    - { name: recs, service: recommendations, path: /json/0, target: items, collection: recommendations }
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      HttpResponse<String> r = gw.get("/screen");

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("x-portico-aggregate-failed")).hasValue("orders");
      assertThat(r.body())
          .startsWith("{\"id\":42,\"name\":\"Ada\",\"recommendations\":[\"book\",\"lamp\"],")
          .contains(
              "\"_failures\":{\"orders\":{\"service\":\"orders\",\"status\":503,"
                  + "\"cause\":\"upstream_status\"");
      var record = firstRecord(gw);
      assertThat(record.backends()).hasSize(3);
      assertThat(record.backends().get(1).status()).isEqualTo(503);
      assertThat(record.backends().get(1).failure()).isEqualTo("upstream_status");
      assertThat(record.backends().get(0).service()).isEqualTo("users");
    }
  }

  @Test
  void strictFailureIs502NamingTheBackendStatus() throws Exception {
    String yaml =
        route(
            """
                  failure: strict
                  backends:
                    - { name: user, service: users, path: /json/0 }
                    - { name: orders, service: orders, path: /json/0/500 }
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      HttpResponse<String> r = gw.get("/screen");

      assertThat(r.statusCode()).isEqualTo(502);
      assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
      assertThat(r.body())
          .contains("\"failures\":{\"orders\":{\"service\":\"orders\",\"status\":500")
          .contains("aggregate-backend-failed");
    }
  }

  @Test
  void timeoutIs504AndAStalledBackendIsCut() throws Exception {
    String yaml =
        route(
            """
                  timeout: 300ms
                  backends:
                    - { name: user, service: users, path: /json/0, required: true }
                    - { name: orders, service: orders, path: /json/5000, required: true }
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      long start = System.nanoTime();
      HttpResponse<String> r = gw.get("/screen");

      assertThat(r.statusCode()).isEqualTo(504);
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3000);
      assertThat(r.body()).contains("\"orders\":{\"service\":\"orders\",\"cause\":\"timeout\"");
    }
  }

  @Test
  void malformedJsonAndOversizeBodiesFailTheirBackend() throws Exception {
    String yaml =
        route(
            """
                  max-body-size: 1k
                  backends:
                    - { name: user, service: users, path: /bad/0 }
                    - { name: orders, service: orders, path: /big/0 }
                    - { name: recs, service: recommendations, path: /json/0 }
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      HttpResponse<String> r = gw.get("/screen");

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("x-portico-aggregate-failed")).hasValue("user,orders");
      assertThat(r.body())
          .contains("\"items\":[\"book\",\"lamp\"]")
          .contains("\"cause\":\"malformed_json\"")
          .contains("\"cause\":\"upstream_response_too_large\"");
    }
  }

  @Test
  void oneBackendPassesItsStatusAndBodyThrough() throws Exception {
    String yaml =
        route(
            """
                  backends:
                    - { name: orders, service: orders, path: /json/0/404 }
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      HttpResponse<String> r = gw.get("/screen");

      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.body()).isEqualTo("{\"error\":\"nope\"}");
    }
  }

  @Test
  void sequentialStepRunsAfterItsDependencyWithConfiguredRequest() throws Exception {
    String yaml =
        route(
            """
                  backends:
                    - { name: user, service: users, path: /json/30, group: user }
                    - name: echo
                      service: orders
                      method: POST
                      path: /echo/0
                      query: { page: "2" }
                      headers: { X-Test: yes }
                      body: { ids: [1, 2] }
                      after: [user]
                      group: echo
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      HttpResponse<String> r = gw.get("/screen");

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body())
          .contains(
              "\"echo\":{\"path\":\"/echo/0?page=2\",\"method\":\"POST\",\"header\":\"yes\"}");
      var b = firstRecord(gw).backends();
      assertThat(b.get(1).durationMillis()).isGreaterThan(0);
    }
  }

  @Test
  void worksOverHttp2() throws Exception {
    String yaml =
        route(
            """
                  backends:
                    - { name: user, service: users, path: /json/0 }
                    - { name: recs, service: recommendations, path: /json/0 }
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
      HttpResponse<String> r =
          h2.send(
              HttpRequest.newBuilder(gw.uri("/screen")).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("\"items\":[\"book\",\"lamp\"]").contains("\"name\":\"Ada\"");
    }
  }

  @Test
  void clientAbortMidAggregateLeaksNothing() throws Exception {
    String yaml =
        route(
            """
                  backends:
                    - { name: user, service: users, path: /json/0 }
                    - { name: orders, service: orders, path: /json/400 }
            """);
    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      try (var raw = gw.raw()) {
        raw.send("GET /screen HTTP/1.1\r\nHost: x\r\n\r\n");
        Thread.sleep(100);
      }
      Thread.sleep(600);
      assertThat(gw.records()).hasSize(1);
      assertThat(gw.records().get(0).failure()).isEqualTo("downstream_closed");
      assertThat(gw.get("/screen").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aggregateInFlightDuringReloadCompletesOnItsSnapshot() throws Exception {
    String before =
        route(
            """
                  backends:
                    - { name: user, service: users, path: /json/300, group: before }
            """);
    String after =
        route(
            """
                  backends:
                    - { name: user, service: users, path: /json/0, group: after }
            """);
    try (GatewayFixture gw = GatewayFixture.start(before)) {
      CompletableFuture<HttpResponse<String>> inFlight =
          gw.client()
              .sendAsync(
                  HttpRequest.newBuilder(gw.uri("/screen")).build(),
                  HttpResponse.BodyHandlers.ofString());
      Thread.sleep(100);
      gw.rewriteConfig(after);
      assertThat(gw.gateway().reload().applied()).isTrue();

      assertThat(inFlight.get().body()).startsWith("{\"before\":");
      assertThat(gw.get("/screen").body()).startsWith("{\"after\":");
    }
  }

  @Test
  void configErrorsAreReportedWithPositions(@TempDir Path dir) {
    String yaml =
        services()
            + """
            routes:
              - name: screen
                paths: [/screen]
                aggregate:
                  backends:
                    - { name: a, service: user, path: /x, after: [b] }
                    - { name: b, service: orders, path: /y, after: [a] }
                    - { name: b, service: orders, path: /z }
            """;
    List<String> problems =
        ConfigFiles.parse(yaml, "portico.yaml", dir, Map.of(), PluginRegistry.of(List.of()))
            .problems()
            .list()
            .stream()
            .map(Problem::toString)
            .toList();

    assertThat(problems)
        .anyMatch(
            p ->
                p.matches(
                    "portico\\.yaml:\\d+:\\d+: .*service: \"user\".*did you mean \"users\".*"))
        .anyMatch(p -> p.contains("a backend name not used before in this aggregate"))
        .anyMatch(p -> p.matches("portico\\.yaml:\\d+:\\d+: .*after: a -> b -> a.*no cycle.*"));
  }
}
