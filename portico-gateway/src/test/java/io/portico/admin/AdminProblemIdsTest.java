package io.portico.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every answer of the admin API carries a request id in {@code X-Request-Id}, and every problem
 * body has it as {@code request_id} with the path as {@code instance}, as the data plane's problems
 * do; the status line's reason phrase is the problem's title.
 */
class AdminProblemIdsTest {

  private static final String WRITER = "writer-token-problem-ids";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path storeDir;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
              store: %s
              tokens:
                - { name: ci, hash: "%s", role: read-write }
            routes:
              - name: hello
                paths: [ "/hello" ]
                plugins:
                  mock: { body: "hi" }
            """
                .formatted(storeDir, KeyHash.of(WRITER)));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @Test
  void aProblemCarriesTheRequestIdOfItsHeaderAndItsPath() throws Exception {
    HttpResponse<String> r = gw.adminAs(WRITER, "GET", "/routes/nowhere?x=1", null);

    assertThat(r.statusCode()).isEqualTo(404);
    String id = r.headers().firstValue("X-Request-Id").orElseThrow();
    assertThat(id).matches("[0-9a-f]{32}");
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("request_id").asText()).isEqualTo(id);
    assertThat(body.path("instance").asText()).isEqualTo("/routes/nowhere");
    assertThat(body.path("title").asText()).isEqualTo("Not Found");
  }

  @Test
  void aWellFormedRequestIdOfTheCallerIsKeptAndAMalformedOneReplaced() throws Exception {
    HttpResponse<String> kept =
        gw.adminCall(
            "POST",
            "/routes",
            "{\"name\": \"x\", \"pahts\": [\"/x\"]}",
            "Authorization",
            "Bearer " + WRITER,
            "X-Request-Id",
            "ci-run-42:step.3");
    assertThat(kept.statusCode()).isEqualTo(400);
    assertThat(kept.headers().firstValue("X-Request-Id")).hasValue("ci-run-42:step.3");
    JsonNode body = JSON.readTree(kept.body());
    assertThat(body.path("request_id").asText()).isEqualTo("ci-run-42:step.3");
    assertThat(body.path("problems").size()).isPositive();

    HttpResponse<String> replaced =
        gw.adminCall(
            "GET",
            "/routes/nowhere",
            null,
            "Authorization",
            "Bearer " + WRITER,
            "X-Request-Id",
            "a b");
    assertThat(replaced.headers().firstValue("X-Request-Id").orElseThrow()).matches("[0-9a-f]{32}");
  }

  @Test
  void aSuccessfulAnswerCarriesTheIdInItsHeaderOnly() throws Exception {
    HttpResponse<String> r = gw.adminAs(WRITER, "GET", "/routes", null);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Request-Id").orElseThrow()).matches("[0-9a-f]{32}");
    assertThat(r.body()).doesNotContain("request_id");
  }

  @Test
  void theAggregatorsOwn413HasTheIdAndTheReasonPhraseOfItsTitle() throws Exception {
    InetSocketAddress a = gw.gateway().adminAddress();
    try (RawClient c = new RawClient(new InetSocketAddress("127.0.0.1", a.getPort()))) {
      String got =
          c.send(
                  "POST /consumers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                      + WRITER
                      + "\r\nX-Request-Id: too-big-1\r\nContent-Type: application/json"
                      + "\r\nContent-Length: 2000000\r\n\r\n{\"name\":\"")
              .readUntil("\"}", 5000);
      assertThat(got).startsWith("HTTP/1.1 413 Content Too Large\r\n");
      assertThat(got).containsIgnoringCase("x-request-id: too-big-1\r\n");
      String body = got.substring(got.indexOf("\r\n\r\n") + 4);
      JsonNode problem = JSON.readTree(body);
      assertThat(problem.path("title").asText()).isEqualTo("Content Too Large");
      assertThat(problem.path("request_id").asText()).isEqualTo("too-big-1");
      assertThat(problem.path("instance").asText()).isEqualTo("/consumers");
    }
  }
}
