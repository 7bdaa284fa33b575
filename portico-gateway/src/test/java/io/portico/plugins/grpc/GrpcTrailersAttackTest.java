package io.portico.plugins.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.GatewayFixture;
import io.portico.testing.GrpcTrailersOrigin;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A gRPC server that ends its answers with trailers the gateway cannot take (a line break in a
 * value, a pseudo-header, a block over the 64 KiB the gateway accepts), with a {@code grpc-status}
 * that is not a number or none at all, and with a {@code grpc-message} of percent-encoded garbage,
 * seen by the clients whose answer the gateway rewrites: gRPC-Web (a trailer frame in the body) and
 * JSON through {@code grpc-transcode} (a problem, or an error line in a stream). Each gets a status
 * in its own form, never a cut connection or a success, and the next call is served.
 */
class GrpcTrailersAttackTest {

  /** A recorded {@code Echo(Book{title: "Dune"})} as a gRPC-Web client sends it. */
  private static final byte[] ECHO_DUNE = HexFormat.of().parseHex("0000000006120444756e65");

  private static final ObjectMapper JSON = new ObjectMapper();

  private GrpcTrailersOrigin origin;
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    origin = GrpcTrailersOrigin.start();
    gw =
        GatewayFixture.start(
            """
            services:
              - name: library
                targets: [ "127.0.0.1:%d" ]
                protocol: h2c
            routes:
              - name: web
                paths: [ /library.v1.Library/ ]
                service: library
                plugins:
                  grpc-web: {}
              - name: json
                paths: [ /v1/ ]
                service: library
                plugins:
                  grpc-transcode:
                    descriptor-set: %s
                    services: [ library.v1.Library ]
            """
                .formatted(origin.port(), GrpcTranscodeEndToEndTest.descriptors()));
  }

  @AfterEach
  void stop() throws Exception {
    gw.close();
    origin.close();
  }

  private static List<List<String>> unreadableTrailers() {
    return List.of(
        List.of("grpc-status", "0", "x-note", "a\r\ngrpc-status: 13"),
        List.of(":status", "500", "grpc-status", "0"),
        List.of("grpc-status", "0", "x-big", "a".repeat(70_000)));
  }

  @Test
  void unreadableUpstreamTrailersEndAGrpcWebCallWithAStatusFrame() throws Exception {
    for (List<String> trailers : unreadableTrailers()) {
      origin.trailers(trailers);
      String body = web();
      // the message, then a trailer frame with the gateway's status: no cut connection
      assertThat(body).as(trailers.get(0)).contains("grpc-status:14\r\n");
      assertThat(body).doesNotContain("grpc-status:0").doesNotContain("grpc-status: 13");
    }
    origin.trailers(List.of("grpc-status", "0"));
    assertThat(web()).endsWith("grpc-status:0\r\n");
  }

  @Test
  void unreadableUpstreamTrailersEndATranscodedStreamWithAnErrorLine() throws Exception {
    for (List<String> trailers : unreadableTrailers()) {
      origin.trailers(trailers);
      HttpResponse<String> r = gw.get("/v1/shelves/3/books:stream?count=1");
      assertThat(r.statusCode()).isEqualTo(200);
      List<String> lines = r.body().lines().toList();
      assertThat(lines).hasSize(2);
      assertThat(JSON.readTree(lines.get(1)).at("/error/grpc_status").asInt()).isEqualTo(14);

      HttpResponse<String> unary = gw.get("/v1/shelves/1/books/1");
      assertThat(unary.statusCode()).isEqualTo(502);
      assertThat(unary.headers().firstValue("content-type")).hasValue("application/problem+json");
    }
    origin.trailers(List.of("grpc-status", "0"));
    assertThat(gw.get("/v1/shelves/1/books/1").statusCode()).isEqualTo(200);
  }

  @Test
  void anAnswerWithoutGrpcStatusIsUnknownNotSuccess() throws Exception {
    origin.trailers(List.of("x-other", "1"));
    String body = web();
    assertThat(body).contains("grpc-status:2\r\n").doesNotContain("grpc-status:0");

    HttpResponse<String> json = gw.get("/v1/shelves/1/books/1");
    assertThat(json.statusCode()).isEqualTo(502);
    assertThat(json.headers().firstValue("content-type")).hasValue("application/problem+json");
  }

  @Test
  void aStatusThatIsNotANumberIsUnknownAndGarbageInTheMessageStaysText() throws Exception {
    for (String status : List.of("abc", "-1", "99", "")) {
      origin.trailers(List.of("grpc-status", status, "grpc-message", "boom"));
      HttpResponse<String> r = gw.get("/v1/shelves/1/books/1");
      assertThat(r.statusCode()).as(status).isEqualTo(500);
      JsonNode problem = JSON.readTree(r.body());
      assertThat(problem.get("grpc_status").asInt()).isEqualTo(2);
      assertThat(problem.get("title").asText()).isEqualTo("UNKNOWN");
    }

    origin.trailers(List.of("grpc-status", "5", "grpc-message", "a%00b%0D%0Ac%zz%4%E2%82"));
    HttpResponse<String> r = gw.get("/v1/shelves/1/books/1");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    // control characters are escaped by JSON, a stray % stays as it came
    assertThat(r.body()).doesNotContain("\r").doesNotContain("\u0000");
    String detail = JSON.readTree(r.body()).get("detail").asText();
    assertThat(detail).startsWith("a\u0000b\r\nc%zz%4");
  }

  /** A gRPC-Web call; its body as text (the frames' bytes as ISO-8859-1). */
  private String web() throws Exception {
    HttpResponse<byte[]> r =
        gw.client()
            .send(
                HttpRequest.newBuilder(gw.uri("/library.v1.Library/Echo"))
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(ECHO_DUNE))
                    .header("content-type", "application/grpc-web+proto")
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    return new String(r.body(), StandardCharsets.ISO_8859_1);
  }
}
