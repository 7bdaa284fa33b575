package io.portico.proxy;

import static io.portico.proxy.GrpcBytes.bytes;
import static io.portico.proxy.GrpcBytes.method;
import static io.portico.proxy.GrpcBytes.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.GrpcPeers;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A grpc-java server that resets the call's stream itself (RST_STREAM, as grpc-java does when the
 * deadline it got as {@code grpc-timeout} passes): at the deadline the client gets {@code
 * DEADLINE_EXCEEDED} whichever side noticed first, and well before it {@code UNAVAILABLE}.
 *
 * <p>The route's 1 s response timeout is the call's deadline (the client's own is 20 s, so the
 * client never times out by itself). The server's handler resets its stream 40 ms before the
 * deadline it received, which is never earlier than the gateway's (the server's clock starts when
 * it reads the head): the reset reaches the gateway before the gateway's own deadline task runs.
 */
class GrpcDeadlineResetTest {

  @TempDir Path dir;

  private final LinkedBlockingQueue<Long> resetAt = new LinkedBlockingQueue<>();
  private final ScheduledExecutorService resets = Executors.newSingleThreadScheduledExecutor();
  private final GrpcPeers grpc = new GrpcPeers();
  private GatewayFixture gw;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    ServerServiceDefinition.Builder echo = ServerServiceDefinition.builder("test.Echo");
    // The request says how many ms before its deadline the server resets the call.
    echo.addMethod(
        method("test.Echo", "Reset", MethodDescriptor.MethodType.UNARY),
        ServerCalls.asyncUnaryCall(
            (request, out) -> {
              Deadline deadline = Context.current().getDeadline();
              Context.CancellableContext call = callContext();
              if (deadline == null || call == null) {
                out.onError(
                    Status.FAILED_PRECONDITION.withDescription("no deadline").asException());
                return;
              }
              long before = Long.parseLong(text(request));
              long delay = deadline.timeRemaining(TimeUnit.MILLISECONDS) - before;
              resets.schedule(
                  () -> {
                    resetAt.add(deadline.timeRemaining(TimeUnit.MILLISECONDS));
                    // grpc-java resets the stream (RST_STREAM CANCEL) when the call's context
                    // ends with a TimeoutException, as its own deadline does.
                    call.cancel(new TimeoutException("reset by the server"));
                  },
                  Math.max(0, delay),
                  TimeUnit.MILLISECONDS);
            }));
    echo.addMethod(
        method("test.Echo", "Ping", MethodDescriptor.MethodType.UNARY),
        ServerCalls.asyncUnaryCall(
            (request, out) -> {
              out.onNext(request);
              out.onCompleted();
            }));
    Server server = grpc.plaintextServer(echo.build());
    gw =
        GatewayFixture.start(
            """
            listeners:
              - address: 127.0.0.1:0
                http2: true
            admin:
              address: 127.0.0.1:0
            services:
              - name: echo
                targets: [ "127.0.0.1:%d" ]
                protocol: h2c
            routes:
              - name: reset
                paths: [ /test.Echo/ ]
                service: echo
                timeouts: { response: 1s }
            runtime:
              io-threads: 1
              watch-config: false
              access-log: %s
              shutdown-timeout: 1s
            """
                .formatted(server.getPort(), dir.resolve("access.log")));
    grpc.add(gw);
    channel = grpc.plaintextChannel(gw.port());
    // The upstream connection is open before the calls under test, so the deadline the server
    // gets starts when the gateway's does (not after a connect).
    assertThat(
            text(
                ClientCalls.blockingUnaryCall(
                    channel,
                    method("test.Echo", "Ping", MethodDescriptor.MethodType.UNARY),
                    CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
                    bytes("ping"))))
        .isEqualTo("ping");
  }

  @AfterEach
  void close() throws Exception {
    grpc.close();
    resets.shutdownNow();
  }

  @Test
  void anUpstreamResetAtTheDeadlineIsDeadlineExceeded() throws Exception {
    assertThatThrownBy(() -> call("40"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("The call's deadline passed after 1000 ms.");
            });

    // The server reset the call itself, just before the deadline it got.
    assertThat(resetAt.poll(5, TimeUnit.SECONDS)).isBetween(0L, 60L);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(record())
                    .satisfies(
                        r -> {
                          assertThat(r.failure()).isEqualTo("grpc_deadline_exceeded");
                          assertThat(r.grpcStatus()).isEqualTo(4);
                        }));
  }

  @Test
  void anUpstreamResetWellBeforeTheDeadlineIsUnavailable() throws Exception {
    long started = System.nanoTime();

    assertThatThrownBy(() -> call("900"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("The upstream service closed the connection before answering.");
            });

    assertThat(System.nanoTime() - started).isLessThan(TimeUnit.MILLISECONDS.toNanos(900));
    assertThat(resetAt.poll(5, TimeUnit.SECONDS)).isGreaterThan(600L);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(record())
                    .satisfies(
                        r -> {
                          assertThat(r.failure()).isEqualTo("upstream_reset_before_response");
                          assertThat(r.grpcStatus()).isEqualTo(14);
                        }));
  }

  /**
   * The context grpc-java made for the call (with the call's deadline), which the handler's current
   * context descends from; grpc-java keeps the link package-private.
   */
  private static Context.@Nullable CancellableContext callContext() {
    try {
      Field ancestor = Context.class.getDeclaredField("cancellableAncestor");
      ancestor.setAccessible(true);
      return (Context.CancellableContext) ancestor.get(Context.current());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private void call(String resetBeforeMillis) {
    ClientCalls.blockingUnaryCall(
        channel,
        method("test.Echo", "Reset", MethodDescriptor.MethodType.UNARY),
        CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
        bytes(resetBeforeMillis));
  }

  private ExchangeRecord record() {
    return gw.records().stream()
        .filter(r -> "/test.Echo/Reset".equals(r.path()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no exchange of /test.Echo/Reset"));
  }
}
