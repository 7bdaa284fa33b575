package io.portico.proxy;

import static io.portico.proxy.GrpcBytes.bytes;
import static io.portico.proxy.GrpcBytes.method;
import static io.portico.proxy.GrpcBytes.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.portico.testing.H2Client;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The gateway's own failures of gRPC calls answered as gRPC statuses (no route, authentication,
 * rate limit, upstream down, oversized and malformed messages), to HTTP/2 and HTTP/1.1 clients,
 * with the status in the access log.
 */
class GrpcGatewayAnswersTest extends GrpcProxyCase {

  // ---------------------------------------------------------------- the gateway's own answers

  @Test
  void aMethodNoRouteMatchesIsUnimplemented() {
    assertStatus(
        () ->
            ClientCalls.blockingUnaryCall(
                channel,
                method("test.Nowhere", "Unary", MethodDescriptor.MethodType.UNARY),
                callOptions(),
                bytes("?")),
        Status.Code.UNIMPLEMENTED);
  }

  @Test
  void aCallWithoutItsKeyIsUnauthenticatedAndWithItPasses() {
    MethodDescriptor<byte[], byte[]> unary =
        method("test.Secured", "Unary", MethodDescriptor.MethodType.UNARY);
    assertStatus(
        () -> ClientCalls.blockingUnaryCall(channel, unary, callOptions(), bytes("no key")),
        Status.Code.UNAUTHENTICATED);

    Metadata key = new Metadata();
    key.put(Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER), KEY);
    byte[] reply =
        ClientCalls.blockingUnaryCall(
            ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(key)),
            unary,
            callOptions(),
            bytes("key"));
    assertThat(text(reply)).isEqualTo("echo:key");
  }

  @Test
  void aCallerTheAclRefusesIsPermissionDenied() {
    Metadata key = new Metadata();
    key.put(Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER), KEY);

    assertStatus(
        () ->
            ClientCalls.blockingUnaryCall(
                ClientInterceptors.intercept(
                    channel, MetadataUtils.newAttachHeadersInterceptor(key)),
                method("test.Staff", "Unary", MethodDescriptor.MethodType.UNARY),
                callOptions(),
                bytes("?")),
        Status.Code.PERMISSION_DENIED);
  }

  @Test
  void aRateLimitedCallIsResourceExhausted() {
    MethodDescriptor<byte[], byte[]> unary =
        method("test.Limited", "Unary", MethodDescriptor.MethodType.UNARY);
    assertThat(text(ClientCalls.blockingUnaryCall(channel, unary, callOptions(), bytes("1"))))
        .isEqualTo("echo:1");

    assertStatus(
        () -> ClientCalls.blockingUnaryCall(channel, unary, callOptions(), bytes("2")),
        Status.Code.RESOURCE_EXHAUSTED);
  }

  @Test
  void anUpstreamThatIsDownIsUnavailable() throws Exception {
    assertStatus(
        () ->
            ClientCalls.blockingUnaryCall(
                channel,
                method("test.Down", "Unary", MethodDescriptor.MethodType.UNARY),
                callOptions(),
                bytes("?")),
        Status.Code.UNAVAILABLE);

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(Files.readString(accessLog))
                    .contains("\"route\":\"down\"")
                    .contains("\"grpc_status\":14"));
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(gw.admin("/metrics").body().lines())
                    .anySatisfy(
                        line ->
                            assertThat(line)
                                .startsWith("portico_grpc_calls_total{")
                                .contains("grpc_status=\"14\"")
                                .contains("route=\"down\"")
                                .contains("service=\"down\"")));
  }

  @Test
  void aMessageOverTheRoutesCapIsResourceExhaustedAndNeverReachesTheServer() {
    MethodDescriptor<byte[], byte[]> unary =
        method("test.Echo", "Unary", MethodDescriptor.MethodType.UNARY);

    assertStatus(
        () -> ClientCalls.blockingUnaryCall(channel, unary, callOptions(), new byte[2048]),
        Status.Code.RESOURCE_EXHAUSTED);

    assertThat(unaryCalls.get()).isZero();
    assertThat(text(ClientCalls.blockingUnaryCall(channel, unary, callOptions(), bytes("next"))))
        .isEqualTo("echo:next");
  }

  @Test
  void aLyingLengthPrefixOrAnUndeclaredCompressionIsInternalAndTheGatewayGoesOn() throws Exception {
    try (H2Client client = H2Client.connect(gw.address())) {
      // The prefix promises 100 bytes; 3 come, then the end of the stream.
      H2Client.Response lying =
          client.send(grpcRequest(new byte[] {0, 0, 0, 0, 100, 1, 2, 3})).get(10, TimeUnit.SECONDS);
      assertThat(lying.status()).isEqualTo(200);
      assertThat(lying.headers().get("grpc-status")).isEqualTo("13");
      assertThat(lying.headers().get("content-type")).isEqualTo("application/grpc");
      assertThat(lying.body()).isEmpty();

      H2Client.Response compressed =
          client.send(grpcRequest(new byte[] {1, 0, 0, 0, 1, 42})).get(10, TimeUnit.SECONDS);
      assertThat(compressed.headers().get("grpc-status")).isEqualTo("13");
      assertThat(compressed.headers().get("grpc-message")).contains("grpc-encoding");
    }
    assertThat(unaryCalls.get()).isZero();
    assertThat(
            text(
                ClientCalls.blockingUnaryCall(
                    channel,
                    method("test.Echo", "Unary", MethodDescriptor.MethodType.UNARY),
                    callOptions(),
                    bytes("still here"))))
        .isEqualTo("echo:still here");
  }

  @Test
  void anHttp11ClientGetsTheGatewaysAnswerAsGrpcHeaders() throws Exception {
    HttpResponse<String> r =
        gw.send(
            HttpRequest.newBuilder(gw.uri("/test.Nowhere/Unary"))
                .header("content-type", "application/grpc")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {0, 0, 0, 0, 0})));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("grpc-status")).contains("12");
    assertThat(r.headers().firstValue("content-type")).contains("application/grpc");
    assertThat(r.headers().firstValue("grpc-message").orElseThrow()).contains("No route");
    assertThat(r.body()).isEmpty();
  }

  @Test
  void anHttp11ClientGetsTheUpstreamsTrailersOnlyAnswerOnce() throws Exception {
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r =
          gw.send(
              HttpRequest.newBuilder(gw.uri("/test.Echo/Fail"))
                  .header("content-type", "application/grpc")
                  .header("te", "trailers")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {0, 0, 0, 0, 1, 42})));

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("grpc-status")).contains("5");
      assertThat(r.headers().firstValue("grpc-message")).contains("no such thing");
      assertThat(r.headers().firstValue("content-length")).contains("0");
      assertThat(r.body()).isEmpty();
    }
  }

  @Test
  void theAccessLogRecordsTheUpstreamsGrpcStatus() throws Exception {
    assertStatus(
        () ->
            ClientCalls.blockingUnaryCall(
                channel,
                method("test.Echo", "Fail", MethodDescriptor.MethodType.UNARY),
                callOptions(),
                bytes("?")),
        Status.Code.NOT_FOUND);
    ClientCalls.blockingUnaryCall(
        channel,
        method("test.Echo", "Unary", MethodDescriptor.MethodType.UNARY),
        callOptions(),
        bytes("ok"));

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(gw.records())
                  .filteredOn(r -> r.path().equals("/test.Echo/Fail"))
                  .singleElement()
                  .satisfies(
                      r -> {
                        assertThat(r.grpcStatus()).isEqualTo(5);
                        assertThat(r.status()).isEqualTo(200);
                        assertThat(r.failure()).isNull();
                      });
              assertThat(gw.records())
                  .filteredOn(r -> r.path().equals("/test.Echo/Unary"))
                  .singleElement()
                  .satisfies(r -> assertThat(r.grpcStatus()).isZero());
              assertThat(Files.readString(accessLog))
                  .contains("\"path\":\"/test.Echo/Fail\"")
                  .contains("\"grpc_status\":5");
            });
  }
}
