package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.plugin.Reply;
import io.portico.spi.plugin.StatusReasons;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The status line of every answer the gateway makes and the title of its problem use the same
 * words, RFC 9110's: {@code 413 Content Too Large}, {@code 414 URI Too Long}, {@code 422
 * Unprocessable Content}, whether the proxy refused the request or a plugin answered it.
 */
class GatewayStatusWordsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        GatewayFixture.start(
            """
            limits:
              max-body-size: 16
              max-request-line: 256
            routes:
              - name: upload
                paths: [ "/upload" ]
                plugins:
                  mock: { body: "ok" }
              - name: refuse
                paths: [ "/refuse" ]
                plugins:
                  mock: { status: 422, body: "no" }
            """);
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @Test
  void everyFailureTitleIsItsStatusLinesReasonPhrase() {
    for (Failure f : Failure.values()) {
      assertThat(f.title()).as(f.name()).isEqualTo(f.status().reasonPhrase());
      assertThat(f.title()).as(f.name()).isEqualTo(StatusReasons.reason(f.status().code()));
    }
  }

  @Test
  void aBodyOverTheLimitIs413ContentTooLargeInTheStatusLineAndTheTitle() throws Exception {
    try (RawClient c = gw.raw()) {
      String got =
          c.send(
                  "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
                      + "a".repeat(100))
              .readUntil("\"}", 5000);
      assertThat(got).startsWith("HTTP/1.1 413 Content Too Large\r\n");
      JsonNode problem = JSON.readTree(got.substring(got.indexOf("\r\n\r\n") + 4));
      assertThat(problem.path("title").asText()).isEqualTo("Content Too Large");
      assertThat(problem.path("request_id").asText()).isNotEmpty();
    }
  }

  @Test
  void aRequestLineOverTheLimitIs414UriTooLong() throws Exception {
    try (RawClient c = gw.raw()) {
      String got =
          c.send("GET /upload?" + "q".repeat(400) + " HTTP/1.1\r\nHost: x\r\n\r\n")
              .readUntil("\"}", 5000);
      assertThat(got).startsWith("HTTP/1.1 414 URI Too Long\r\n");
      JsonNode problem = JSON.readTree(got.substring(got.indexOf("\r\n\r\n") + 4));
      assertThat(problem.path("title").asText()).isEqualTo("URI Too Long");
    }
  }

  @Test
  void aPluginsAnswerHasTheSameWords() throws Exception {
    try (RawClient c = gw.raw()) {
      String got = c.send("GET /refuse HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("no", 5000);
      assertThat(got).startsWith("HTTP/1.1 422 Unprocessable Content\r\n");
    }
    Reply reply =
        Reply.problem(
            HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "too-big", "Payload Too Large", "d");
    assertThat(reply.status().reasonPhrase()).isEqualTo("Content Too Large");
    assertThat(java.util.Objects.requireNonNull(reply.problem()).title())
        .isEqualTo("Content Too Large");
  }
}
