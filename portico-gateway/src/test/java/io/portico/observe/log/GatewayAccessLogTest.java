package io.portico.observe.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerTest;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The access log in a running gateway: routes turned off, redaction, counts on /status. */
class GatewayAccessLogTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    gw =
        env.start(
            """
            admin:
              address: 127.0.0.1:0
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: health
                paths: [ /health ]
                strip-prefix: true
                service: backend
                access-log: false
              - name: api
                paths: [ /api ]
                strip-prefix: true
                service: backend
            runtime:
              io-threads: 1
              watch-config: false
              shutdown-timeout: 1s
              access-log:
                fields: { include: [ route, status, query, request_headers ] }
                redact: { headers: [ X-Session ], query: [ sig ] }
                sinks:
                  - type: file
                    name: main
                    path: access.log
            """
                .formatted(env.origin().authority()));
  }

  private Path file() {
    return gw.configFile().resolveSibling("access.log");
  }

  private List<JsonNode> lines(int expected) throws Exception {
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> Files.readAllLines(file()).size() >= expected);
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(file())) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  @Test
  void logsNothingOfARouteWithAccessLogOff() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertThat(gw.get("/health/hello").statusCode()).isEqualTo(200);
    }
    assertThat(gw.get("/api/hello").statusCode()).isEqualTo(200);

    List<JsonNode> lines = lines(1);
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0).get("route").asText()).isEqualTo("api");
  }

  @Test
  void redactsCredentialsInHeadersAndQuery() throws Exception {
    gw.send(
        HttpRequest.newBuilder(gw.uri("/api/hello?lang=en&apikey=secret-1&sig=secret-2"))
            .header("Authorization", "Bearer secret-3")
            .header("Cookie", "sid=secret-4")
            .header("X-API-Key", "secret-5")
            .header("X-Session", "secret-6")
            .header("X-Trace", "visible"));

    JsonNode line = lines(1).get(0);
    assertThat(line.toString()).doesNotContain("secret-");
    assertThat(line.get("query").asText()).isEqualTo("lang=en&apikey=[REDACTED]&sig=[REDACTED]");
    JsonNode headers = line.get("request_headers");
    assertThat(headers.get("authorization").asText()).isEqualTo("[REDACTED]");
    assertThat(headers.get("cookie").asText()).isEqualTo("[REDACTED]");
    assertThat(headers.get("x-api-key").asText()).isEqualTo("[REDACTED]");
    assertThat(headers.get("x-session").asText()).isEqualTo("[REDACTED]");
    assertThat(headers.get("x-trace").asText()).isEqualTo("visible");
  }

  @Test
  void showsEachSinksCountsOnStatus() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(gw.get("/api/hello").statusCode()).isEqualTo(200);
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> gw.gateway().accessLogSinks().get(0).delivered() == 3);

    JsonNode status = JSON.readTree(gw.admin("/status").body());
    JsonNode sinks = status.get("access_log_sinks");
    assertThat(sinks).hasSize(1);
    assertThat(sinks.get(0).get("name").asText()).isEqualTo("main");
    assertThat(sinks.get(0).get("type").asText()).isEqualTo("file");
    assertThat(sinks.get(0).get("delivered").asLong()).isEqualTo(3);
    assertThat(sinks.get(0).get("dropped").asLong()).isZero();
    assertThat(sinks.get(0).get("failed").asLong()).isZero();
  }
}
