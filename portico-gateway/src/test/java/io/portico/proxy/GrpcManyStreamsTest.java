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
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.portico.testing.GatewayFixture;
import io.portico.testing.GrpcPeers;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A thousand gRPC calls held open at once through the gateway: a grpc-java client on one HTTP/2
 * connection to the gateway, the gateway on one h2c connection to a grpc-java server. Every call
 * completes with its own answer, the server sees one connection, and the gateway's direct memory
 * stays within a small bound per idle stream.
 */
class GrpcManyStreamsTest {

  private static final int CALLS = 1000;

  private final GrpcPeers grpc = new GrpcPeers();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger mostOpen = new AtomicInteger();

  @AfterEach
  void close() throws Exception {
    grpc.close();
  }

  @Test
  void aThousandConcurrentStreamsShareOneUpstreamConnectionWithBoundedMemory() throws Exception {
    ServerServiceDefinition.Builder hold = ServerServiceDefinition.builder("test.Hold");
    hold.addMethod(
        method("test.Hold", "Chat", MethodDescriptor.MethodType.BIDI_STREAMING),
        ServerCalls.asyncBidiStreamingCall(this::heldCall));
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .maxConcurrentCallsPerConnection(2 * CALLS)
            .addTransportFilter(
                new ServerTransportFilter() {
                  @Override
                  public Attributes transportReady(Attributes attributes) {
                    connections.incrementAndGet();
                    return attributes;
                  }
                })
            .addService(hold.build());
    Server server = grpc.start(builder);
    GatewayFixture gw =
        GatewayFixture.start(
            """
            listeners:
              - address: 127.0.0.1:0
                http2: true
            limits:
              http2-max-concurrent-streams: %d
            services:
              - name: hold
                targets: [ "127.0.0.1:%d" ]
                protocol: h2c
                pool:
                  max-connections: 1
                  max-pending: %d
                http2:
                  max-concurrent-streams: %d
            routes:
              - name: hold
                paths: [ /test.Hold/ ]
                service: hold
            """
                .formatted(2 * CALLS, server.getPort(), CALLS, CALLS));
    grpc.add(gw);
    ManagedChannel channel = grpc.plaintextChannel(gw.port());
    MethodDescriptor<byte[], byte[]> chat =
        method("test.Hold", "Chat", MethodDescriptor.MethodType.BIDI_STREAMING);

    // One call first, so the connections exist before the baseline is taken.
    assertThat(complete(openCall(channel, chat, "warm-up", new CountDownLatch(1))))
        .isEqualTo("WARM-UP|done");
    long before = usedDirectMemory();

    CountDownLatch allAnswered = new CountDownLatch(CALLS);
    List<HeldCall> calls = new ArrayList<>();
    for (int i = 0; i < CALLS; i++) {
      calls.add(openCall(channel, chat, "call-" + i, allAnswered));
    }
    assertThat(allAnswered.await(15, TimeUnit.SECONDS)).isTrue();

    // Every call is open at the server at once, idle, each having exchanged one message.
    assertThat(open.get()).isEqualTo(CALLS);
    assertThat(mostOpen.get()).isEqualTo(CALLS);
    long heldWhileIdle = usedDirectMemory() - before;

    for (int i = 0; i < CALLS; i++) {
      assertThat(complete(calls.get(i))).isEqualTo("CALL-" + i + "|done");
    }
    assertThat(connections.get()).isEqualTo(1);
    // Far below one flow-control window (64 KiB) per stream: the idle streams hold no buffers.
    assertThat(heldWhileIdle).isLessThan(CALLS * 8L * 1024);
  }

  private record HeldCall(StreamObserver<byte[]> requests, CompletableFuture<String> result) {}

  private static HeldCall openCall(
      ManagedChannel channel,
      MethodDescriptor<byte[], byte[]> chat,
      String message,
      CountDownLatch answered) {
    CompletableFuture<String> result = new CompletableFuture<>();
    StringBuilder got = new StringBuilder();
    StreamObserver<byte[]> requests =
        ClientCalls.asyncBidiStreamingCall(
            channel.newCall(chat, CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS)),
            new StreamObserver<>() {
              @Override
              public synchronized void onNext(byte[] value) {
                if (!got.isEmpty()) {
                  got.append('|');
                }
                got.append(text(value));
                answered.countDown();
              }

              @Override
              public void onError(Throwable t) {
                result.completeExceptionally(t);
                answered.countDown();
              }

              @Override
              public synchronized void onCompleted() {
                result.complete(got.toString());
              }
            });
    requests.onNext(bytes(message));
    return new HeldCall(requests, result);
  }

  private static String complete(HeldCall call) throws Exception {
    call.requests().onCompleted();
    return call.result().get(15, TimeUnit.SECONDS);
  }

  /** Answers each message in upper case and stays open until the client half-closes. */
  private StreamObserver<byte[]> heldCall(StreamObserver<byte[]> out) {
    mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
    return new StreamObserver<>() {
      @Override
      public void onNext(byte[] value) {
        out.onNext(bytes(text(value).toUpperCase(java.util.Locale.ROOT)));
      }

      @Override
      public void onError(Throwable t) {
        open.decrementAndGet();
      }

      @Override
      public void onCompleted() {
        open.decrementAndGet();
        out.onNext(bytes("done"));
        out.onCompleted();
      }
    };
  }

  private static long usedDirectMemory() {
    return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
  }
}
