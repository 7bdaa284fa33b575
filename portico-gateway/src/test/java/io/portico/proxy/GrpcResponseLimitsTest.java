package io.portico.proxy;

import static io.portico.proxy.GrpcBytes.bytes;
import static io.portico.proxy.GrpcBytes.method;
import static io.portico.proxy.GrpcBytes.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.GrpcPeers;
import io.portico.testing.H2Origin;
import io.portico.testing.Observers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The upstream's gRPC messages checked as they pass: a grpc-java server that answers with a message
 * over the route's {@code grpc.max-response-message-size} (the client's own limit would take it),
 * and an HTTP/2 origin whose answer lies in its length prefix or flags compression it never
 * declared. The client gets the gateway's status in trailers, the server sees its stream reset, and
 * the gateway goes on serving on the same connection.
 */
class GrpcResponseLimitsTest {

  private final GrpcPeers grpc = new GrpcPeers();
  private final LinkedBlockingQueue<String> cancelled = new LinkedBlockingQueue<>();
  private GatewayFixture gw;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    ServerServiceDefinition.Builder big = ServerServiceDefinition.builder("test.Big");
    big.addMethod(
        method("test.Big", "Unary", MethodDescriptor.MethodType.UNARY),
        ServerCalls.asyncUnaryCall(
            (request, out) -> {
              out.onNext(new byte[Integer.parseInt(text(request))]);
              out.onCompleted();
            }));
    big.addMethod(
        method("test.Big", "Stream", MethodDescriptor.MethodType.SERVER_STREAMING),
        ServerCalls.asyncServerStreamingCall(
            (request, out) -> {
              // A small message, the big one, then nothing until the stream is reset.
              ServerCallStreamObserver<byte[]> stream = (ServerCallStreamObserver<byte[]>) out;
              stream.setOnCancelHandler(() -> cancelled.add("Stream"));
              stream.onNext(bytes("small"));
              stream.onNext(new byte[Integer.parseInt(text(request))]);
            }));
    Server server = grpc.plaintextServer(big.build());
    H2Origin lying = grpc.add(H2Origin.cleartext(100));
    gw =
        GatewayFixture.start(
            """
            listeners:
              - address: 127.0.0.1:0
                http2: true
            services:
              - name: big
                targets: [ "127.0.0.1:%d" ]
                protocol: h2c
              - name: lying
                targets: [ "%s" ]
                protocol: h2c
            routes:
              - name: big
                paths: [ /test.Big/ ]
                service: big
                grpc:
                  max-response-message-size: 1k
              - name: lying
                paths: [ /test.Lying/ ]
                service: lying
            runtime:
              io-threads: 1
              watch-config: false
              shutdown-timeout: 1s
            """
                .formatted(server.getPort(), lying.authority()));
    grpc.add(gw);
    channel = grpc.plaintextChannel(gw.port());
  }

  @AfterEach
  void close() throws Exception {
    grpc.close();
  }

  @Test
  void aUnaryAnswerOverTheResponseCapIsResourceExhaustedAndTheNextCallPasses() {
    MethodDescriptor<byte[], byte[]> unary =
        method("test.Big", "Unary", MethodDescriptor.MethodType.UNARY);

    assertStatus(
        () -> ClientCalls.blockingUnaryCall(channel, unary, callOptions(), bytes("4096")),
        Status.Code.RESOURCE_EXHAUSTED,
        "exceeds the limit of 1024");

    assertThat(ClientCalls.blockingUnaryCall(channel, unary, callOptions(), bytes("1024")))
        .hasSize(1024);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(gw.records())
                    .filteredOn(r -> "upstream_response_too_large".equals(r.failure()))
                    .singleElement()
                    .satisfies(r -> assertThat(r.grpcStatus()).isEqualTo(8)));
  }

  @Test
  void anOversizedMessageMidStreamEndsTheCallAfterTheMessagesBeforeItAndResetsTheServer()
      throws Exception {
    CompletableFuture<Void> result = new CompletableFuture<>();
    List<String> received = new ArrayList<>();
    ClientCalls.asyncServerStreamingCall(
        channel.newCall(
            method("test.Big", "Stream", MethodDescriptor.MethodType.SERVER_STREAMING),
            callOptions()),
        bytes("100000"),
        Observers.until(value -> received.add(text(value)), result));

    assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    assertThat(received).containsExactly("small");
    assertThat(cancelled.poll(10, TimeUnit.SECONDS)).isEqualTo("Stream");
    assertThat(
            ClientCalls.blockingUnaryCall(
                channel,
                method("test.Big", "Unary", MethodDescriptor.MethodType.UNARY),
                callOptions(),
                bytes("10")))
        .hasSize(10);
  }

  @Test
  void aLyingOrUndeclaredCompressedAnswerIsInternalAndTheGatewayGoesOn() {
    assertStatus(
        () ->
            ClientCalls.blockingUnaryCall(
                channel,
                method("test.Lying", "Unary", MethodDescriptor.MethodType.UNARY),
                callOptions(),
                bytes("?")),
        Status.Code.INTERNAL,
        "");
    assertStatus(
        () ->
            ClientCalls.blockingUnaryCall(
                channel,
                method("test.Lying", "Compressed", MethodDescriptor.MethodType.UNARY),
                callOptions(),
                bytes("?")),
        Status.Code.INTERNAL,
        "grpc-encoding");

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(gw.records())
                    .filteredOn(r -> "lying".equals(r.route()))
                    .hasSize(2)
                    .allSatisfy(
                        r -> {
                          assertThat(r.failure()).isEqualTo("upstream_body_invalid");
                          assertThat(r.grpcStatus()).isEqualTo(13);
                        })
                    .extracting(ExchangeRecord::path)
                    .containsExactlyInAnyOrder("/test.Lying/Unary", "/test.Lying/Compressed"));
    assertThat(
            ClientCalls.blockingUnaryCall(
                channel,
                method("test.Big", "Unary", MethodDescriptor.MethodType.UNARY),
                callOptions(),
                bytes("3")))
        .hasSize(3);
  }

  private static CallOptions callOptions() {
    return CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  private static void assertStatus(Runnable call, Status.Code expected, String description) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(expected);
              assertThat(String.valueOf(e.getStatus().getDescription())).contains(description);
            });
  }
}
