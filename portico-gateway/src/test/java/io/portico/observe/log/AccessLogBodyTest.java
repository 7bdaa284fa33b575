package io.portico.observe.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.portico.testing.GatewayFixture;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Request and response bodies in the access log of a running gateway, through a real origin into a
 * file sink: textual bodies only, cut at the cap, secrets redacted, per route.
 */
class AccessLogBodyTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpServer origin;
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    // Answers the request's body with its content type, or a body of ?bytes=N letters.
    origin.createContext(
        "/",
        ex -> {
          byte[] body = ex.getRequestBody().readAllBytes();
          String query = ex.getRequestURI().getQuery();
          String type = ex.getRequestHeaders().getFirst("Content-Type");
          if (query != null && query.startsWith("bytes=")) {
            body =
                "x".repeat(Integer.parseInt(query.substring(6))).getBytes(StandardCharsets.UTF_8);
            type = "text/plain";
          }
          if (type != null) {
            ex.getResponseHeaders().set("Content-Type", type);
          }
          ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    origin.start();
    String target = "127.0.0.1:" + origin.getAddress().getPort();
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: api
                paths: [ /api ]
                strip-prefix: true
                service: backend
              - name: uploads
                paths: [ /uploads ]
                strip-prefix: true
                service: backend
                access-log: { body: false }
            runtime:
              io-threads: 1
              watch-config: false
              shutdown-timeout: 1s
              access-log:
                fields: { include: [ route, status, bytes_in, bytes_out, request_body, response_body ] }
                redact: { body: [ ssn ] }
                body: { max-size: 256 }
                sinks:
                  - type: file
                    path: access.log
            """
                .formatted(target));
  }

  @AfterEach
  void stop() throws Exception {
    gw.close();
    origin.stop(0);
  }

  private List<JsonNode> lines(int expected) throws Exception {
    Path file = gw.configFile().resolveSibling("access.log");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> Files.exists(file) && Files.readAllLines(file).size() >= expected);
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  private HttpResponse<String> post(String path, String type, String body) throws Exception {
    return gw.send(
        HttpRequest.newBuilder(gw.uri(path))
            .header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  @Test
  void logsJsonBodiesWithSecretMembersRedactedAtAnyDepth() throws Exception {
    String body =
        """
        {"user":"ann","password":"hunter2","profile":{"api_key":"k-123","ssn":"078-05-1120",\
        "sessions":[{"token":{"value":"t-1"}}]},"note":"ok"}""";
    assertThat(post("/api/login", "application/json; charset=utf-8", body).body()).isEqualTo(body);

    JsonNode line = lines(1).get(0);
    assertThat(line.toString()).doesNotContain("hunter2", "k-123", "078-05-1120", "t-1");
    JsonNode request = JSON.readTree(line.get("request_body").asText());
    assertThat(request.get("user").asText()).isEqualTo("ann");
    assertThat(request.get("password").asText()).isEqualTo("[REDACTED]");
    assertThat(request.at("/profile/api_key").asText()).isEqualTo("[REDACTED]");
    assertThat(request.at("/profile/ssn").asText()).isEqualTo("[REDACTED]");
    assertThat(request.at("/profile/sessions/0/token").asText()).isEqualTo("[REDACTED]");
    assertThat(request.get("note").asText()).isEqualTo("ok");
    assertThat(JSON.readTree(line.get("response_body").asText())).isEqualTo(request);
    assertThat(line.has("request_body_truncated")).isFalse();
  }

  @Test
  void redactsFormFields() throws Exception {
    post("/api/form", "application/x-www-form-urlencoded", "user=ann&Password=hunter2&x=1");

    JsonNode line = lines(1).get(0);
    assertThat(line.get("request_body").asText()).isEqualTo("user=ann&Password=[REDACTED]&x=1");
  }

  @Test
  void keepsOnlyTheCapOfALongBodyAndCountsItAll() throws Exception {
    HttpResponse<String> answer = gw.get("/api/big?bytes=10000");
    assertThat(answer.body()).hasSize(10_000);

    JsonNode line = lines(1).get(0);
    assertThat(line.get("bytes_out").asLong()).isEqualTo(10_000);
    assertThat(line.get("response_body").asText()).isEqualTo("x".repeat(256));
    assertThat(line.get("response_body_truncated").asBoolean()).isTrue();
    assertThat(line.has("request_body")).isFalse();
  }

  @Test
  void neverShowsPartOfASecretCutByTheCap() throws Exception {
    String secret = "s".repeat(300);
    post("/api/cut", "application/json", "{\"name\":\"ann\",\"password\":\"" + secret + "\"}");

    JsonNode line = lines(1).get(0);
    assertThat(line.get("request_body").asText())
        .startsWith("{\"name\":\"ann\"")
        .doesNotContain("sss");
    assertThat(line.get("request_body_truncated").asBoolean()).isTrue();
  }

  @Test
  void leavesOutBinaryBodiesAndRoutesThatTurnBodiesOff() throws Exception {
    post("/api/blob", "application/octet-stream", "binary-payload");
    post("/uploads/doc", "application/json", "{\"doc\":\"uploaded-payload\"}");

    List<JsonNode> lines = lines(2);
    assertThat(lines).hasSize(2);
    for (JsonNode line : lines) {
      assertThat(line.has("request_body")).isFalse();
      assertThat(line.has("response_body")).isFalse();
      assertThat(line.get("bytes_in").asLong()).isPositive();
    }
  }
}
