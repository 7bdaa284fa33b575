package io.portico.proxy;

import static io.portico.proxy.GrpcBytes.bytes;
import static io.portico.proxy.GrpcBytes.method;
import static io.portico.proxy.GrpcBytes.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.portico.testing.Observers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * gRPC through the gateway with real grpc-java servers and clients over h2c: the four call modes,
 * cancellation, and deadlines seen by the server.
 */
class GrpcProxyTest extends GrpcProxyCase {

  // ---------------------------------------------------------------- the four call modes

  @Test
  void proxiesAUnaryCall() {
    byte[] reply =
        ClientCalls.blockingUnaryCall(
            channel,
            method("test.Echo", "Unary", MethodDescriptor.MethodType.UNARY),
            callOptions(),
            bytes("hello"));

    assertThat(text(reply)).isEqualTo("echo:hello");
  }

  @Test
  void proxiesAServerStreamingCall() {
    Iterator<byte[]> replies =
        ClientCalls.blockingServerStreamingCall(
            channel,
            method("test.Echo", "Stream", MethodDescriptor.MethodType.SERVER_STREAMING),
            callOptions(),
            bytes("5"));

    List<String> got = new ArrayList<>();
    replies.forEachRemaining(r -> got.add(text(r)));
    assertThat(got).containsExactly("0", "1", "2", "3", "4");
  }

  @Test
  void proxiesAClientStreamingCall() throws Exception {
    CompletableFuture<String> result = new CompletableFuture<>();
    StreamObserver<byte[]> requests =
        ClientCalls.asyncClientStreamingCall(
            channel.newCall(
                method("test.Echo", "Collect", MethodDescriptor.MethodType.CLIENT_STREAMING),
                callOptions()),
            observer(result, new StringBuilder()));
    for (String part : List.of("a", "b", "c", "d")) {
      requests.onNext(bytes(part));
    }
    requests.onCompleted();

    assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("abcd");
  }

  @Test
  void proxiesABidirectionalCall() throws Exception {
    CompletableFuture<String> result = new CompletableFuture<>();
    StreamObserver<byte[]> requests =
        ClientCalls.asyncBidiStreamingCall(
            channel.newCall(
                method("test.Echo", "Chat", MethodDescriptor.MethodType.BIDI_STREAMING),
                callOptions()),
            observer(result, new StringBuilder()));
    for (String part : List.of("x", "y", "z")) {
      requests.onNext(bytes(part));
    }
    requests.onCompleted();

    assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("XYZ");
  }

  // ---------------------------------------------------------------- cancellation and deadlines

  @Test
  void clientCancellationReachesTheServer() throws Exception {
    ClientCall<byte[], byte[]> call =
        channel.newCall(
            method("test.Echo", "Ticks", MethodDescriptor.MethodType.SERVER_STREAMING),
            callOptions());
    CountDownLatch firstTick = new CountDownLatch(1);
    ClientCalls.asyncServerStreamingCall(
        call, bytes("go"), Observers.each(value -> firstTick.countDown()));
    assertThat(firstTick.await(10, TimeUnit.SECONDS)).isTrue();

    call.cancel("the client gave up", null);

    assertThat(cancelled.poll(10, TimeUnit.SECONDS)).isEqualTo("Ticks");
  }

  @Test
  void theRoutesResponseTimeoutCapsTheCallsDeadline() throws Exception {
    long started = System.nanoTime();

    assertThatThrownBy(
            () ->
                ClientCalls.blockingUnaryCall(
                    channel,
                    method("test.Echo", "Slow", MethodDescriptor.MethodType.UNARY),
                    CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
                    bytes("wait")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
              assertThat(e.getStatus().getDescription()).contains("deadline passed");
            });

    assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(15));
    // The server got what was left of the 300 ms, not the client's 20 s, and saw the reset.
    assertThat(deadlinesSeen.poll(5, TimeUnit.SECONDS)).isLessThanOrEqualTo(300);
    assertThat(cancelled.poll(10, TimeUnit.SECONDS)).isEqualTo("Slow");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(record("short"))
                    .satisfies(
                        r -> {
                          assertThat(r.failure()).isEqualTo("grpc_deadline_exceeded");
                          assertThat(r.grpcStatus()).isEqualTo(4);
                        }));
  }

  @Test
  void aDeadlineThatPassesMidStreamEndsTheStreamWithTrailersAndResetsTheUpstream()
      throws Exception {
    Iterator<byte[]> ticks =
        ClientCalls.blockingServerStreamingCall(
            channel,
            method("test.Echo", "SlowTicks", MethodDescriptor.MethodType.SERVER_STREAMING),
            callOptions(),
            bytes("go"));
    List<String> got = new ArrayList<>();

    assertThatThrownBy(() -> ticks.forEachRemaining(t -> got.add(text(t))))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
              assertThat(e.getStatus().getDescription()).contains("deadline passed");
            });

    assertThat(got).isNotEmpty().allSatisfy(t -> assertThat(t).isEqualTo("tick"));
    assertThat(cancelled.poll(10, TimeUnit.SECONDS)).isEqualTo("SlowTicks");
  }

  @Test
  void anOversizedMessageMidStreamEndsTheCallWithTrailersAndTheConnectionGoesOn() throws Exception {
    CompletableFuture<String> result = new CompletableFuture<>();
    StringBuilder received = new StringBuilder();
    StreamObserver<byte[]> requests =
        ClientCalls.asyncBidiStreamingCall(
            channel.newCall(
                method("test.Echo", "Chat", MethodDescriptor.MethodType.BIDI_STREAMING),
                callOptions()),
            observer(result, received));
    requests.onNext(bytes("first"));
    await().atMost(Duration.ofSeconds(10)).until(() -> received.toString().equals("FIRST"));

    requests.onNext(new byte[4096]);

    assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    assertThat(
            text(
                ClientCalls.blockingUnaryCall(
                    channel,
                    method("test.Echo", "Unary", MethodDescriptor.MethodType.UNARY),
                    callOptions(),
                    bytes("after"))))
        .isEqualTo("echo:after");
  }

  @Test
  void forwardsWhatIsLeftOfTheClientsDeadline() throws Exception {
    byte[] reply =
        ClientCalls.blockingUnaryCall(
            channel,
            method("test.Echo", "Unary", MethodDescriptor.MethodType.UNARY),
            CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
            bytes("timed"));

    assertThat(text(reply)).isEqualTo("echo:timed");
    assertThat(deadlinesSeen.poll(5, TimeUnit.SECONDS)).isBetween(1L, 5_000L);
  }
}
