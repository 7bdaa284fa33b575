package io.portico.proxy;

import static io.portico.proxy.GrpcBytes.bytes;
import static io.portico.proxy.GrpcBytes.method;
import static io.portico.proxy.GrpcBytes.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.portico.testing.GatewayFixture;
import io.portico.testing.GrpcPeers;
import io.portico.testing.TestCertificates;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC over HTTP/2 with TLS: a grpc-java server whose certificate a test CA issued, reached by a
 * service with {@code protocol: h2} (ALPN must choose h2) that trusts that CA; a service trusting
 * another CA gets no call through. Clients come in the clear (h2c) or over TLS to the gateway.
 */
class GrpcTlsTest {

  @TempDir Path dir;

  private final GrpcPeers grpc = new GrpcPeers();
  private GatewayFixture gw;
  private TestCertificates ca;

  @BeforeEach
  void start() throws Exception {
    ca = TestCertificates.create(Files.createDirectories(dir.resolve("ca")));
    TestCertificates.Issued serverCert = ca.issue("upstream", "127.0.0.1");
    TestCertificates.Issued gatewayCert = ca.issue("gateway", "localhost", "127.0.0.1");
    Path strangerCa =
        TestCertificates.create(Files.createDirectories(dir.resolve("stranger"))).caFile();

    ServerServiceDefinition.Builder echo = ServerServiceDefinition.builder("test.Echo");
    echo.addMethod(
        method("test.Echo", "Unary", MethodDescriptor.MethodType.UNARY),
        ServerCalls.asyncUnaryCall(
            (request, out) -> {
              out.onNext(bytes("echo:" + text(request)));
              out.onCompleted();
            }));
    echo.addMethod(
        method("test.Echo", "Stream", MethodDescriptor.MethodType.SERVER_STREAMING),
        ServerCalls.asyncServerStreamingCall(
            (request, out) -> {
              int n = Integer.parseInt(text(request));
              for (int i = 0; i < n; i++) {
                out.onNext(bytes(Integer.toString(i)));
              }
              out.onCompleted();
            }));
    Server server =
        grpc.start(
            NettyServerBuilder.forAddress(
                    new InetSocketAddress("127.0.0.1", 0),
                    TlsServerCredentials.create(
                        serverCert.cert().toFile(), serverCert.key().toFile()))
                .addService(echo.build()));

    gw =
        GatewayFixture.start(
            """
            listeners:
              - address: 127.0.0.1:0
                http2: true
              - address: 127.0.0.1:0
                http2: true
                tls:
                  certificates:
                    - cert: %s
                      key: %s
            services:
              - name: echo
                targets: [ "https://127.0.0.1:%d" ]
                protocol: h2
                tls:
                  ca: %s
              - name: stranger
                targets: [ "https://127.0.0.1:%d" ]
                protocol: h2
                tls:
                  ca: %s
            routes:
              - name: echo
                paths: [ /test.Echo/ ]
                service: echo
              - name: stranger
                paths: [ /test.Stranger/ ]
                service: stranger
            """
                .formatted(
                    gatewayCert.cert(),
                    gatewayCert.key(),
                    server.getPort(),
                    ca.caFile(),
                    server.getPort(),
                    strangerCa));
    grpc.add(gw);
  }

  @AfterEach
  void close() throws Exception {
    grpc.close();
  }

  @Test
  void unaryAndServerStreamingCallsReachAnH2UpstreamOverTls() {
    Channel channel = plainChannel();

    assertThat(text(unary(channel, "test.Echo", "over tls"))).isEqualTo("echo:over tls");
    assertThat(stream(channel, "4")).containsExactly("0", "1", "2", "3");
  }

  @Test
  void anUpstreamCertificateTheServiceDoesNotTrustIsUnavailable() {
    Channel channel = plainChannel();

    assertThatThrownBy(() -> unary(channel, "test.Stranger", "?"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    // The handshake failed (the server, which has no test.Stranger, would say UNIMPLEMENTED).
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(gw.records())
                    .filteredOn(r -> "stranger".equals(r.route()))
                    .singleElement()
                    .satisfies(r -> assertThat(r.failure()).isEqualTo("upstream_tls_failed")));
    assertThat(text(unary(channel, "test.Echo", "still trusted"))).isEqualTo("echo:still trusted");
  }

  @Test
  void aClientOverTlsReachesAnH2UpstreamOverTls() throws Exception {
    ManagedChannel channel =
        grpc.channel(
            Grpc.newChannelBuilderForAddress(
                    "127.0.0.1",
                    gw.gateway().listeners().get(1).getPort(),
                    TlsChannelCredentials.newBuilder().trustManager(ca.caFile().toFile()).build())
                .overrideAuthority("localhost"));

    assertThat(text(unary(channel, "test.Echo", "tls both ways"))).isEqualTo("echo:tls both ways");
    assertThat(stream(channel, "3")).containsExactly("0", "1", "2");
    assertThatThrownBy(() -> unary(channel, "test.Stranger", "?"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  private Channel plainChannel() {
    return grpc.plaintextChannel(gw.port());
  }

  private static byte[] unary(Channel channel, String service, String message) {
    return ClientCalls.blockingUnaryCall(
        channel,
        method(service, "Unary", MethodDescriptor.MethodType.UNARY),
        CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
        bytes(message));
  }

  private static List<String> stream(Channel channel, String count) {
    Iterator<byte[]> replies =
        ClientCalls.blockingServerStreamingCall(
            channel,
            method("test.Echo", "Stream", MethodDescriptor.MethodType.SERVER_STREAMING),
            CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
            bytes(count));
    List<String> got = new ArrayList<>();
    replies.forEachRemaining(r -> got.add(text(r)));
    return got;
  }
}
