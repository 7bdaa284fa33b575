package io.portico.plugins.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.grpc.testing.library.Book;
import io.portico.testing.GatewayFixture;
import io.portico.testing.LeakCheckExtension;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * gRPC-Web request bodies that lie about their framing, against a real grpc-java server: the
 * gateway checks each message's prefix as it does a native gRPC call's, and answers gRPC-Web itself
 * (the status in the head) rather than handing the upstream a message over {@code
 * max-message-size}, a trailer frame from the client, or a body shorter than its prefix said.
 */
@ExtendWith(LeakCheckExtension.class)
class GrpcWebRequestFramesAttackTest {

  /** A recorded {@code Echo(Book{title: "Dune"})}: one uncompressed message frame. */
  private static final byte[] ECHO_DUNE = HexFormat.of().parseHex("0000000006120444756e65");

  /** A trailer frame, as only a server may send one: flag 0x80, "grpc-status:0\r\n". */
  private static final byte[] TRAILER_FRAME =
      HexFormat.of().parseHex("800000000f677270632d7374617475733a300d0a");

  /** A prefix promising 100 bytes, followed by 6. */
  private static final byte[] SHORT_BODY = HexFormat.of().parseHex("0000000064120444756e65");

  private LibraryServer server;
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    server = new LibraryServer();
    gw =
        GatewayFixture.start(
            """
            services:
              - name: library
                targets: [ "127.0.0.1:%d" ]
                protocol: h2c
            routes:
              - name: library
                paths: [ /library.v1.Library/ ]
                service: library
                plugins:
                  grpc-web:
                    max-message-size: 1KiB
            """
                .formatted(server.port()));
  }

  @AfterEach
  void stop() throws Exception {
    gw.close();
    server.close();
  }

  private HttpResponse<byte[]> call(String contentType, byte[] body) throws Exception {
    return gw.client()
        .send(
            HttpRequest.newBuilder(gw.uri("/library.v1.Library/Echo"))
                .timeout(java.time.Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("content-type", contentType)
                .header("x-grpc-web", "1")
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
  }

  private static byte[] framed(byte[] message) {
    return ByteBuffer.allocate(5 + message.length)
        .put((byte) 0)
        .putInt(message.length)
        .put(message)
        .array();
  }

  private static String message(HttpResponse<byte[]> r) {
    return URLDecoder.decode(
        r.headers().firstValue("grpc-message").orElse(""), StandardCharsets.UTF_8);
  }

  @Test
  void aBinaryMessageOverMaxMessageSizeIsRefusedAsResourceExhausted() throws Exception {
    byte[] big = Book.newBuilder().setTitle("x".repeat(2048)).build().toByteArray();

    HttpResponse<byte[]> r = call("application/grpc-web+proto", framed(big));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/grpc-web+proto");
    assertThat(r.headers().firstValue("grpc-status")).hasValue("8");
    assertThat(r.body()).isEmpty();
  }

  @Test
  void aTrailerFrameFromTheClientIsRefusedAsInternal() throws Exception {
    HttpResponse<byte[]> binary = call("application/grpc-web+proto", TRAILER_FRAME);
    HttpResponse<byte[]> text =
        call("application/grpc-web-text", Base64.getEncoder().encode(TRAILER_FRAME));

    for (HttpResponse<byte[]> r : java.util.List.of(binary, text)) {
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("grpc-status")).hasValue("13");
      assertThat(message(r)).contains("reserved flag bits");
    }
  }

  @Test
  void aBodyEndingInsideAMessageIsRefusedAsInternal() throws Exception {
    HttpResponse<byte[]> binary = call("application/grpc-web+proto", SHORT_BODY);
    HttpResponse<byte[]> text =
        call("application/grpc-web-text", Base64.getEncoder().encode(SHORT_BODY));

    for (HttpResponse<byte[]> r : java.util.List.of(binary, text)) {
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("grpc-status")).hasValue("13");
      assertThat(message(r)).contains("prefix gave 100 bytes, 6 came");
    }
  }

  @Test
  void aTextBodyWithPaddingInsideAGroupIsInvalidArgumentAndTheGatewayGoesOn() throws Exception {
    HttpResponse<byte[]> r =
        call("application/grpc-web-text", "AA=AAAAAYSBER1bmU=".getBytes(StandardCharsets.US_ASCII));
    assertThat(r.headers().firstValue("grpc-status")).hasValue("3");

    HttpResponse<byte[]> good = call("application/grpc-web+proto", ECHO_DUNE);
    assertThat(good.statusCode()).isEqualTo(200);
    assertThat(good.headers().map()).doesNotContainKey("grpc-status");
    assertThat(Book.parseFrom(java.util.Arrays.copyOfRange(good.body(), 5, 12)).getTitle())
        .isEqualTo("Dune!");
    assertThat(new String(good.body(), StandardCharsets.UTF_8)).contains("grpc-status:0\r\n");
  }
}
