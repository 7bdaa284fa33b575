package io.portico.plugins.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.grpc.testing.library.Book;
import io.portico.testing.GatewayFixture;
import io.portico.testing.H2Client;
import io.portico.testing.LeakCheckExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code grpc-web} between a browser's requests (recorded as a gRPC-Web JavaScript client sends
 * them, over HTTP/1.1) and a real grpc-java server over h2c: binary and base64 text forms, the
 * status in the trailer frame at the end of the body, and the CORS preflight.
 */
@ExtendWith(LeakCheckExtension.class)
class GrpcWebEndToEndTest {

  private static final String ORIGIN = "https://app.example";

  /** A recorded {@code Echo(Book{title: "Dune"})}: one uncompressed message frame. */
  private static final byte[] ECHO_DUNE = HexFormat.of().parseHex("0000000006120444756e65");

  /** The same call as a {@code grpc-web-text} client sends it. */
  private static final String ECHO_DUNE_TEXT = "AAAAAAYSBER1bmU=";

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
                    allow-origins: [ "%s" ]
                    expose-headers: [ x-trace ]
                    max-age: 10m
            """
                .formatted(server.port(), ORIGIN));
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
                .header("accept", contentType)
                .header("x-grpc-web", "1")
                .header("x-user-agent", "grpc-web-javascript/0.1")
                .header("origin", ORIGIN)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The frames of a gRPC-Web body: each a flag byte and its payload. */
  private static List<Frame> frames(byte[] body) {
    List<Frame> out = new ArrayList<>();
    ByteBuffer in = ByteBuffer.wrap(body);
    while (in.remaining() >= 5) {
      int flag = in.get() & 0xff;
      byte[] payload = new byte[in.getInt()];
      in.get(payload);
      out.add(new Frame(flag, payload));
    }
    assertThat(in.remaining()).as("bytes after the last frame").isZero();
    return out;
  }

  record Frame(int flag, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  @Test
  void binaryCallGetsItsMessageAndTheTrailersAsTheLastFrame() throws Exception {
    HttpResponse<byte[]> r = call("application/grpc-web+proto", ECHO_DUNE);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/grpc-web+proto");
    assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue(ORIGIN);
    assertThat(r.headers().firstValue("access-control-expose-headers").orElseThrow())
        .contains("grpc-status", "grpc-message", "x-trace");
    List<Frame> frames = frames(r.body());
    assertThat(frames).hasSize(2);
    assertThat(frames.get(0).flag()).isZero();
    assertThat(Book.parseFrom(frames.get(0).payload()).getTitle()).isEqualTo("Dune!");
    assertThat(frames.get(1).flag()).isEqualTo(0x80);
    assertThat(frames.get(1).text()).contains("grpc-status:0\r\n");
    assertThat(
            server
                .calls
                .get(0)
                .get(
                    io.grpc.Metadata.Key.of(
                        "content-type", io.grpc.Metadata.ASCII_STRING_MARSHALLER)))
        .isEqualTo("application/grpc+proto");
  }

  @Test
  void textCallIsDecodedAndItsAnswerEncodedInBase64() throws Exception {
    HttpResponse<byte[]> r =
        call("application/grpc-web-text", ECHO_DUNE_TEXT.getBytes(StandardCharsets.US_ASCII));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/grpc-web-text");
    String text = new String(r.body(), StandardCharsets.US_ASCII);
    assertThat(text).matches("[A-Za-z0-9+/=]+");
    List<Frame> frames =
        frames(GrpcWebPlugin.decodeText(io.netty.buffer.Unpooled.wrappedBuffer(r.body())));
    assertThat(Book.parseFrom(frames.get(0).payload()).getTitle()).isEqualTo("Dune!");
    assertThat(frames.get(1).flag()).isEqualTo(0x80);
    assertThat(frames.get(1).text()).contains("grpc-status:0");
  }

  @Test
  void anErrorIsATrailerFrameWithItsStatusAndEncodedMessage() throws Exception {
    byte[] fail = Book.newBuilder().setTitle("fail").build().toByteArray();
    byte[] body =
        ByteBuffer.allocate(5 + fail.length).put((byte) 0).putInt(fail.length).put(fail).array();

    HttpResponse<byte[]> r = call("application/grpc-web+proto", body);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().map()).doesNotContainKey("grpc-status");
    List<Frame> frames = frames(r.body());
    assertThat(frames).hasSize(1);
    assertThat(frames.get(0).flag()).isEqualTo(0x80);
    assertThat(frames.get(0).text())
        .contains("grpc-status:3\r\n")
        .contains("grpc-message:bad title: fail %C3%BC\r\n");
  }

  @Test
  void aPreflightIsAnsweredWithoutCallingTheServer() throws Exception {
    HttpResponse<String> r =
        gw.send(
            HttpRequest.newBuilder(gw.uri("/library.v1.Library/Echo"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("origin", ORIGIN)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type,x-grpc-web,x-user-agent"));
    HttpResponse<String> stranger =
        gw.send(
            HttpRequest.newBuilder(gw.uri("/library.v1.Library/Echo"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("origin", "https://elsewhere.example")
                .header("access-control-request-method", "POST"));

    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue(ORIGIN);
    assertThat(r.headers().firstValue("access-control-allow-methods")).hasValue("POST, OPTIONS");
    assertThat(r.headers().firstValue("access-control-allow-headers").orElseThrow())
        .contains("x-grpc-web", "x-user-agent", "content-type", "grpc-timeout");
    assertThat(r.headers().firstValue("access-control-max-age")).hasValue("600");
    assertThat(stranger.statusCode()).isEqualTo(204);
    assertThat(stranger.headers().map()).doesNotContainKey("access-control-allow-origin");
    assertThat(server.calls).isEmpty();
  }

  @Test
  void aTextBodyThatIsNotBase64IsRefusedAsInvalidArgument() throws Exception {
    HttpResponse<byte[]> r =
        call("application/grpc-web-text", "not base64!".getBytes(StandardCharsets.US_ASCII));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("grpc-status")).hasValue("3");
    assertThat(server.calls).isEmpty();
  }

  @Test
  void anHttp2ClientsTextCallIsBridgedToo() throws Exception {
    GatewayFixture h2 =
        GatewayFixture.start(
            """
            listeners:
              - address: 127.0.0.1:0
                http2: true
            services:
              - name: library
                targets: [ "127.0.0.1:%d" ]
                protocol: h2c
            routes:
              - name: library
                paths: [ /library.v1.Library/ ]
                service: library
                plugins:
                  grpc-web: {}
            """
                .formatted(server.port()));
    try (h2;
        H2Client client = H2Client.connect(h2.address())) {
      io.netty.handler.codec.http.FullHttpRequest request =
          H2Client.request(
              io.netty.handler.codec.http.HttpMethod.POST,
              "/library.v1.Library/Echo",
              "example.test",
              ECHO_DUNE_TEXT.getBytes(StandardCharsets.US_ASCII));
      request.headers().set("content-type", "application/grpc-web-text");
      request.headers().set("x-grpc-web", "1");

      H2Client.Response r = client.send(request).get(10, java.util.concurrent.TimeUnit.SECONDS);

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers().get("content-type")).isEqualTo("application/grpc-web-text");
      List<Frame> frames =
          frames(
              GrpcWebPlugin.decodeText(
                  io.netty.buffer.Unpooled.copiedBuffer(r.body(), StandardCharsets.US_ASCII)));
      assertThat(Book.parseFrom(frames.get(0).payload()).getTitle()).isEqualTo("Dune!");
      assertThat(frames.get(1).text()).contains("grpc-status:0");
      assertThat(r.headers().contains("grpc-status")).isFalse();
    }
  }

  @Test
  void decodesConcatenatedPaddedRuns() {
    byte[] decoded =
        GrpcWebPlugin.decodeText(
            io.netty.buffer.Unpooled.copiedBuffer(
                Base64.getEncoder().encodeToString(new byte[] {1})
                    + Base64.getEncoder().encodeToString(new byte[] {2, 3}),
                StandardCharsets.US_ASCII));

    assertThat(decoded).containsExactly(1, 2, 3);
  }
}
