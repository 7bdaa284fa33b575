package io.portico.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /logs/tail} over real sockets: a real gateway in front of a real origin, the tail read
 * as server-sent events while requests pass.
 */
class LogTailTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String READER = "tail-reader-token";
  private static final String SECRET = "Bearer very-secret-credential";

  @TempDir Path dir;
  private TestOrigin origin;
  private GatewayFixture gw;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<InputStream> open = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    origin = TestOrigin.start();
    gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
              tokens:
                - { name: dashboard, hash: "%s", role: read-only }
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: orders
                paths: [ "/orders" ]
                strip-prefix: true
                service: backend
              - name: quiet
                paths: [ "/quiet" ]
                strip-prefix: true
                service: backend
                access-log: false
            runtime:
              access-log:
                sinks: [ { type: file, path: "%s" } ]
                fields: { include: [ defaults, request_headers ] }
            """
                .formatted(KeyHash.of(READER), origin.authority(), dir.resolve("access.log")));
  }

  @AfterEach
  void stop() throws Exception {
    for (InputStream in : open) {
      in.close();
    }
    gw.close();
    origin.close();
  }

  /** Opens a tail and hands each {@code data:} line to the queue, from a thread of its own. */
  private BlockingQueue<String> tail(String query) throws Exception {
    HttpResponse<InputStream> r =
        client.send(
            HttpRequest.newBuilder(gw.adminUri("/logs/tail" + query))
                .header("Authorization", "Bearer " + READER)
                .header("Accept", "text/event-stream")
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("text/event-stream; charset=utf-8");
    open.add(r.body());
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  if (line.startsWith("data: ")) {
                    lines.add(line.substring(6));
                  }
                }
              } catch (java.io.IOException e) {
                // closed by the test
              }
            });
    t.setDaemon(true);
    t.start();
    return lines;
  }

  @Test
  void tailShowsRequestsWithinSecondsRedactedAsTheSinksRedact() throws Exception {
    BlockingQueue<String> all = tail("");
    BlockingQueue<String> errors = tail("?route=orders&status=5xx");
    HttpResponse<String> ok =
        gw.send(HttpRequest.newBuilder(gw.uri("/orders/hello")).header("Authorization", SECRET));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(gw.get("/quiet/hello").statusCode()).isEqualTo(200);
    assertThat(gw.get("/orders/status/503").statusCode()).isEqualTo(503);

    String first = all.poll(5, TimeUnit.SECONDS);
    assertThat(first).isNotNull();
    JsonNode line = JSON.readTree(first);
    assertThat(line.get("route").asText()).isEqualTo("orders");
    assertThat(line.get("status").asInt()).isEqualTo(200);
    assertThat(line.at("/request_headers/authorization").asText()).isEqualTo("[REDACTED]");
    assertThat(first).doesNotContain("very-secret-credential");
    // The route whose access log is off is not shown; the 503 is.
    JsonNode second = JSON.readTree(all.poll(5, TimeUnit.SECONDS));
    assertThat(second.get("status").asInt()).isEqualTo(503);

    String onlyError = errors.poll(5, TimeUnit.SECONDS);
    assertThat(onlyError).isNotNull();
    assertThat(JSON.readTree(onlyError).get("status").asInt()).isEqualTo(503);
    assertThat(errors.poll(500, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void badFiltersAndWritesAnswerProblems() throws Exception {
    for (String query :
        List.of("?status=6xx", "?status=abc", "?status=2000", "?color=red", "?route=a&route=b")) {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(gw.adminUri("/logs/tail" + query))
                  .header("Authorization", "Bearer " + READER)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(query).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
    }
    HttpResponse<String> post =
        client.send(
            HttpRequest.newBuilder(gw.adminUri("/logs/tail"))
                .header("Authorization", "Bearer " + READER)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isIn(403, 405);
    HttpResponse<String> anonymous =
        client.send(
            HttpRequest.newBuilder(gw.adminUri("/logs/tail")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
  }
}
