package io.portico.proxy;

import static io.portico.proxy.GrpcBytes.bytes;
import static io.portico.proxy.GrpcBytes.method;
import static io.portico.proxy.GrpcBytes.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerTransportFilter;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.portico.testing.GatewayFixture;
import io.portico.testing.GrpcPeers;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Large gRPC transfers through the gateway between a grpc-java client and a grpc-java server, both
 * with their default automatic flow-control window, which measures the bandwidth with PINGs while
 * DATA frames arrive (BDP pings, about seven per 8 MiB here). The client pings the gateway while it
 * downloads, the server pings the gateway's upstream connection while it receives an upload;
 * neither is a PING flood. The client side's control-frame budget is set below the PINGs of one
 * download (its SETTINGS frames still fit), so the download only completes while the PINGs the DATA
 * frames allow go uncounted. The upstream side's budget is fixed (1000 per 10 s): the upload shows
 * that a pinging server keeps its connection, not the edge of that budget.
 */
class GrpcBandwidthPingTest {

  /**
   * Control frames a client may send per window: its SETTINGS fit, the PINGs of one download here
   * do not.
   */
  private static final int CONTROL_FRAMES = 4;

  private static final int MESSAGE_BYTES = 32 * 1024;
  private static final int MESSAGES = 192;

  private final GrpcPeers grpc = new GrpcPeers();
  private final AtomicInteger serverConnections = new AtomicInteger();
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    ServerServiceDefinition.Builder bulk = ServerServiceDefinition.builder("test.Bulk");
    bulk.addMethod(
        method("test.Bulk", "Download", MethodDescriptor.MethodType.SERVER_STREAMING),
        ServerCalls.asyncServerStreamingCall(
            (request, out) -> {
              int n = Integer.parseInt(text(request));
              byte[] message = new byte[MESSAGE_BYTES];
              for (int i = 0; i < n; i++) {
                out.onNext(message);
              }
              out.onCompleted();
            }));
    bulk.addMethod(
        method("test.Bulk", "Upload", MethodDescriptor.MethodType.CLIENT_STREAMING),
        ServerCalls.asyncClientStreamingCall(
            out ->
                new StreamObserver<byte[]>() {
                  private long received;

                  @Override
                  public void onNext(byte[] value) {
                    received += value.length;
                  }

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {
                    out.onNext(bytes(Long.toString(received)));
                    out.onCompleted();
                  }
                }));
    Server server =
        grpc.start(
            NettyServerBuilder.forAddress(
                    new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
                .addTransportFilter(
                    new ServerTransportFilter() {
                      @Override
                      public Attributes transportReady(Attributes attributes) {
                        serverConnections.incrementAndGet();
                        return attributes;
                      }
                    })
                .addService(bulk.build()));
    GatewayFixture gw =
        grpc.add(
            GatewayFixture.start(
                """
                listeners:
                  - address: 127.0.0.1:0
                    http2: true
                limits:
                  http2-max-control-frames-per-window: %d
                  http2-control-frame-window: 1m
                services:
                  - name: bulk
                    targets: [ "127.0.0.1:%d" ]
                    protocol: h2c
                    pool:
                      max-connections: 1
                routes:
                  - name: bulk
                    paths: [ /test.Bulk/ ]
                    service: bulk
                    grpc:
                      max-message-size: 64k
                runtime:
                  io-threads: 1
                  watch-config: false
                  shutdown-timeout: 1s
                """
                    .formatted(CONTROL_FRAMES, server.getPort())));
    channel = grpc.plaintextChannel(gw.port());
  }

  @AfterEach
  void close() throws Exception {
    grpc.close();
  }

  @Test
  void aClientPingingThroughALargeDownloadIsServedToTheEnd() {
    for (int round = 0; round < 2; round++) {
      assertThat(download()).isEqualTo((long) MESSAGES * MESSAGE_BYTES);
    }
    assertThat(serverConnections.get()).isEqualTo(1);
  }

  @Test
  void aServerPingingThroughALargeUploadReceivesItAll() throws Exception {
    for (int round = 0; round < 2; round++) {
      assertThat(upload()).isEqualTo((long) MESSAGES * MESSAGE_BYTES);
    }
    // The upstream connection was not ended for the server's pings, nor the client's.
    assertThat(serverConnections.get()).isEqualTo(1);
    assertThat(download()).isEqualTo((long) MESSAGES * MESSAGE_BYTES);
  }

  private long download() {
    Iterator<byte[]> messages =
        ClientCalls.blockingServerStreamingCall(
            channel,
            method("test.Bulk", "Download", MethodDescriptor.MethodType.SERVER_STREAMING),
            CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS),
            bytes(Integer.toString(MESSAGES)));
    long received = 0;
    while (messages.hasNext()) {
      received += messages.next().length;
    }
    return received;
  }

  private long upload() throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    StreamObserver<byte[]> requests =
        ClientCalls.asyncClientStreamingCall(
            channel.newCall(
                method("test.Bulk", "Upload", MethodDescriptor.MethodType.CLIENT_STREAMING),
                CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS)),
            new StreamObserver<>() {
              @Override
              public void onNext(byte[] value) {
                answer.complete(text(value));
              }

              @Override
              public void onError(Throwable t) {
                answer.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {}
            });
    byte[] message = new byte[MESSAGE_BYTES];
    for (int i = 0; i < MESSAGES; i++) {
      requests.onNext(message);
    }
    requests.onCompleted();
    return Long.parseLong(answer.get(60, TimeUnit.SECONDS));
  }
}
