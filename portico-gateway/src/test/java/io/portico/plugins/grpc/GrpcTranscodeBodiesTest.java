package io.portico.plugins.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.HttpBody;
import io.grpc.Status;
import io.portico.grpc.testing.media.Note;
import io.portico.grpc.testing.media.UploadRequest;
import io.portico.testing.GatewayFixture;
import io.portico.testing.LeakCheckExtension;
import io.portico.testing.RawClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code grpc-transcode} beyond one JSON message each way, against a real grpc-java server with the
 * descriptor set protoc built from the tests' media.proto: a client-streaming method fed by a JSON
 * array or NDJSON, {@code response_body} (a message field, a repeated field), and {@code
 * google.api.HttpBody} requests (the whole message, a body field) and answers (unary and streamed),
 * carried as raw bytes with their content type.
 */
@ExtendWith(LeakCheckExtension.class)
class GrpcTranscodeBodiesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private MediaServer server;
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    server = new MediaServer();
    gw =
        GatewayFixture.start(
            """
            services:
              - name: media
                targets: [ "127.0.0.1:%d" ]
                protocol: h2c
            routes:
              - name: media
                paths: [ /v1/ ]
                service: media
                plugins:
                  grpc-transcode:
                    descriptor-set: %s
                    services: [ media.v1.Media ]
                    max-message-size: 64KiB
            """
                .formatted(server.port(), GrpcTranscodeEndToEndTest.descriptors()));
  }

  @AfterEach
  void close() throws Exception {
    gw.close();
    server.close();
  }

  private HttpResponse<String> send(String method, String path, String contentType, String body)
      throws Exception {
    return gw.send(
        HttpRequest.newBuilder(gw.uri(path))
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .header("content-type", contentType));
  }

  @Test
  void aJsonArrayBecomesAClientStreamWithThePathInEveryMessage() throws Exception {
    HttpResponse<String> r =
        send(
            "POST",
            "/v1/shelves/a/notes:batch",
            "application/json",
            "[{\"text\":\"one\",\"stars\":1},{\"text\":\"two\",\"stars\":2},{\"text\":\"three\"}]");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode summary = JSON.readTree(r.body());
    assertThat(summary.get("count").asInt()).isEqualTo(3);
    assertThat(summary.get("joined").asText()).isEqualTo("one|two|three");
    assertThat(summary.get("shelves").toString()).isEqualTo("[\"a\",\"a\",\"a\"]");
    assertThat(summary.get("stars").asInt()).isEqualTo(3);
    assertThat(server.requests).hasSize(3).allSatisfy(m -> assertThat(m).isInstanceOf(Note.class));
  }

  @Test
  void ndjsonLinesBecomeAClientStream() throws Exception {
    HttpResponse<String> r =
        send(
            "POST",
            "/v1/shelves/b/notes:batch",
            "application/x-ndjson",
            "{\"text\":\"x\"}\n\n{\"text\":\"y\",\"stars\":5}\n");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode summary = JSON.readTree(r.body());
    assertThat(summary.get("count").asInt()).isEqualTo(2);
    assertThat(summary.get("joined").asText()).isEqualTo("x|y");
    assertThat(summary.get("stars").asInt()).isEqualTo(5);
  }

  @Test
  void aBadMessageInAStreamIsA400NamingItAndItsFieldAndNothingIsSent() throws Exception {
    HttpResponse<String> r =
        send(
            "POST",
            "/v1/shelves/a/notes:batch",
            "application/json",
            "[{\"text\":\"ok\"},{\"stars\":\"many\"}]");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("detail").asText())
        .startsWith("message 1: field \"stars\"");
    assertThat(server.requests).isEmpty();
  }

  /** A request head with a chunked body, and its chunks one by one, over a raw socket. */
  private static String chunk(String text) {
    return Integer.toHexString(text.getBytes(StandardCharsets.UTF_8).length)
        + "\r\n"
        + text
        + "\r\n";
  }

  private RawClient streamed(String contentType, String first) throws Exception {
    RawClient client = gw.raw();
    client.send(
        "POST /v1/shelves/a/notes:batch HTTP/1.1\r\nHost: x\r\nContent-Type: "
            + contentType
            + "\r\nTransfer-Encoding: chunked\r\n\r\n"
            + chunk(first));
    return client;
  }

  @Test
  void aJsonArrayStreamsEachElementUpstreamBeforeTheClientSendsTheNext() throws Exception {
    try (RawClient client =
        streamed("application/json", "[{\"text\":\"one\",\"stars\":1}, {\"te")) {
      // The first message reaches the server while the client has not sent the second element.
      Note first = server.arrivals.poll(20, TimeUnit.SECONDS);
      assertThat(first).isNotNull();
      assertThat(first.getText()).isEqualTo("one");
      assertThat(first.getShelf()).isEqualTo("a");
      assertThat(server.arrivals).isEmpty();

      client.send(chunk("xt\":\"two\"},{\"text\":\"three\"}]") + "0\r\n\r\n");
      String response = client.readUntil("\"joined\":\"one|two|three\"", 20_000);
      assertThat(response).startsWith("HTTP/1.1 200").contains("\"count\":3");
    }
  }

  @Test
  void ndjsonStreamsEachLineUpstreamBeforeTheClientSendsTheNext() throws Exception {
    try (RawClient client = streamed("application/x-ndjson", "{\"text\":\"x\"}\n{\"text\"")) {
      Note first = server.arrivals.poll(20, TimeUnit.SECONDS);
      assertThat(first).isNotNull();
      assertThat(first.getText()).isEqualTo("x");
      assertThat(server.arrivals).isEmpty();

      client.send(chunk(":\"y\",\"stars\":5}\n") + "0\r\n\r\n");
      String response = client.readUntil("\"joined\":\"x|y\"", 20_000);
      assertThat(response).startsWith("HTTP/1.1 200").contains("\"stars\":5");
    }
  }

  @Test
  void aBadElementAfterOthersWentUpstreamCancelsTheCallAndIsA400NamingIt() throws Exception {
    try (RawClient client = streamed("application/json", "[{\"text\":\"ok\"},")) {
      assertThat(server.arrivals.poll(20, TimeUnit.SECONDS)).isNotNull();

      client.send(chunk("{\"text\":\"fine\"},{\"stars\":\"many\"}]") + "0\r\n\r\n");
      String response = client.readUntil("}", 20_000);
      assertThat(response)
          .startsWith("HTTP/1.1 400")
          .contains("application/problem+json")
          .contains("message 2: field \\\"stars\\\"");
      // The server's stream was reset: its call ends cancelled, not completed.
      Throwable ended = server.streamErrors.poll(20, TimeUnit.SECONDS);
      assertThat(ended).isNotNull();
      assertThat(Status.fromThrowable(ended).getCode()).isEqualTo(Status.Code.CANCELLED);
      assertThat(server.requests).hasSize(1);
    }
  }

  @Test
  void anElementOverTheMessageSizeIsA413() throws Exception {
    String big = "x".repeat(100 * 1024);
    HttpResponse<String> r =
        send(
            "POST",
            "/v1/shelves/a/notes:batch",
            "application/x-ndjson",
            "{\"text\":\"small\"}\n{\"text\":\"" + big + "\"}\n");

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(JSON.readTree(r.body()).get("detail").asText()).startsWith("Message 1 ");
  }

  @Test
  void responseBodyAnswersWithThatFieldOfTheMessage() throws Exception {
    HttpResponse<String> summary = gw.get("/v1/shelves/c/report");
    assertThat(summary.statusCode()).isEqualTo(200);
    assertThat(summary.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(summary.body()).isEqualTo("{\"count\":2,\"joined\":\"c\"}");

    HttpResponse<String> lines = gw.get("/v1/shelves/c/report:lines");
    assertThat(lines.statusCode()).isEqualTo(200);
    assertThat(lines.body()).isEqualTo("[\"first\",\"second\"]");
  }

  @Test
  void aRawBodyFillsAnHttpBodyFieldBesideThePathVariables() throws Exception {
    HttpResponse<String> r = send("PUT", "/v1/files/cover.png", "image/png", "PNGDATA");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode reply = JSON.readTree(r.body());
    assertThat(reply.get("name").asText()).isEqualTo("cover.png");
    assertThat(reply.get("contentType").asText()).isEqualTo("image/png");
    assertThat(reply.get("size").asText()).isEqualTo("7");
    UploadRequest sent = (UploadRequest) server.requests.get(0);
    assertThat(sent.getFile().getData().toString(StandardCharsets.UTF_8)).isEqualTo("PNGDATA");
  }

  @Test
  void anHttpBodyMethodTakesAndAnswersRawBytesWithTheirContentTypes() throws Exception {
    HttpResponse<String> r = send("POST", "/v1/echo", "text/csv", "a,b\n1,2\n");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
    assertThat(r.body()).isEqualTo("text/csv:a,b\n1,2\n");
    assertThat(((HttpBody) server.requests.get(0)).getContentType()).isEqualTo("text/csv");
  }

  @Test
  void aStreamOfHttpBodiesIsOneRawBodyWithTheFirstContentType() throws Exception {
    HttpResponse<String> r = gw.get("/v1/files/report.csv?parts=3");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("text/csv");
    assertThat(r.body()).isEqualTo("report.csv,0\nreport.csv,1\nreport.csv,2\n");
  }
}
