package io.portico.proxy;

import static io.portico.proxy.GrpcBytes.bytes;
import static io.portico.proxy.GrpcBytes.method;
import static io.portico.proxy.GrpcBytes.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.GrpcPeers;
import io.portico.testing.H2Client;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC through the gateway with real grpc-java servers and clients over h2c: the four call modes,
 * cancellation and deadlines seen by the server, and the gateway's own failures answered as gRPC
 * statuses (no route, authentication, rate limit, upstream down, oversized and malformed messages),
 * with the status in the access log and the metrics. Methods carry raw bytes (byte-array
 * marshallers), so no generated code is needed.
 *
 * <p>Each test gets a fresh server, gateway and channel, closed after it.
 */
abstract class GrpcProxyCase {

  static final String KEY = "grpc-test-key";

  @TempDir Path dir;

  final GrpcPeers grpc = new GrpcPeers();
  final LinkedBlockingQueue<String> cancelled = new LinkedBlockingQueue<>();
  final LinkedBlockingQueue<Long> deadlinesSeen = new LinkedBlockingQueue<>();
  final AtomicInteger unaryCalls = new AtomicInteger();
  Server server;
  GatewayFixture gw;
  ManagedChannel channel;
  Path accessLog;

  @BeforeEach
  void start() throws Exception {
    ServerServiceDefinition.Builder echo = ServerServiceDefinition.builder("test.Echo");
    addEchoMethods(echo, "test.Echo");
    ServerServiceDefinition.Builder secured = ServerServiceDefinition.builder("test.Secured");
    secured.addMethod(
        method("test.Secured", "Unary", MethodDescriptor.MethodType.UNARY),
        ServerCalls.asyncUnaryCall(this::echo));
    ServerServiceDefinition.Builder limited = ServerServiceDefinition.builder("test.Limited");
    limited.addMethod(
        method("test.Limited", "Unary", MethodDescriptor.MethodType.UNARY),
        ServerCalls.asyncUnaryCall(this::echo));
    server = grpc.plaintextServer(echo.build(), secured.build(), limited.build());
    accessLog = dir.resolve("access.log");
    String keyHash =
        "sha256:"
            + HexFormat.of()
                .formatHex(
                    MessageDigest.getInstance("SHA-256")
                        .digest(KEY.getBytes(StandardCharsets.UTF_8)));
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
              - name: down
                targets: [ "127.0.0.1:%d" ]
                protocol: h2c
            consumers:
              - name: alice
                credentials:
                  key-auth: { key: "%s" }
            routes:
              - name: echo
                paths: [ /test.Echo/ ]
                service: echo
                grpc:
                  max-message-size: 1k
              - name: short
                paths: [ /test.Echo/Slow ]
                path-match: exact
                service: echo
                timeouts: { response: 300ms }
              - name: short-stream
                paths: [ /test.Echo/SlowTicks ]
                path-match: exact
                service: echo
                timeouts: { response: 400ms }
              - name: staff
                paths: [ /test.Staff/ ]
                service: echo
                plugins:
                  key-auth: { header-names: [ x-api-key ] }
                  acl: { allow-groups: [ staff ] }
              - name: secured
                paths: [ /test.Secured/ ]
                service: echo
                plugins:
                  key-auth: { header-names: [ x-api-key ] }
              - name: limited
                paths: [ /test.Limited/ ]
                service: echo
                plugins:
                  rate-limit: { limits: [ { requests: 1, window: 1h } ], key: global }
              - name: down
                paths: [ /test.Down/ ]
                service: down
            runtime:
              io-threads: 1
              watch-config: false
              access-log: %s
              shutdown-timeout: 1s
            """
                .formatted(server.getPort(), closedPort(), keyHash, accessLog));
    grpc.add(gw);
    channel = grpc.plaintextChannel(gw.port());
  }

  @AfterEach
  void close() throws Exception {
    grpc.close();
  }

  // ---------------------------------------------------------------- the server

  void addEchoMethods(ServerServiceDefinition.Builder b, String service) {
    b.addMethod(
        method(service, "Unary", MethodDescriptor.MethodType.UNARY),
        ServerCalls.asyncUnaryCall(
            (request, out) -> {
              unaryCalls.incrementAndGet();
              echo(request, out);
            }));
    b.addMethod(
        method(service, "Fail", MethodDescriptor.MethodType.UNARY),
        ServerCalls.asyncUnaryCall(
            (request, out) ->
                out.onError(Status.NOT_FOUND.withDescription("no such thing").asException())));
    b.addMethod(
        method(service, "Slow", MethodDescriptor.MethodType.UNARY),
        ServerCalls.asyncUnaryCall(
            (request, out) -> {
              recordDeadline();
              ((ServerCallStreamObserver<byte[]>) out)
                  .setOnCancelHandler(() -> cancelled.add("Slow"));
            }));
    b.addMethod(
        method(service, "Stream", MethodDescriptor.MethodType.SERVER_STREAMING),
        ServerCalls.asyncServerStreamingCall(
            (request, out) -> {
              int n = Integer.parseInt(text(request));
              for (int i = 0; i < n; i++) {
                out.onNext(bytes(Integer.toString(i)));
              }
              out.onCompleted();
            }));
    for (String name : List.of("Ticks", "SlowTicks")) {
      addTicks(b, service, name);
    }
    b.addMethod(
        method(service, "Collect", MethodDescriptor.MethodType.CLIENT_STREAMING),
        ServerCalls.asyncClientStreamingCall(
            out ->
                new StreamObserver<byte[]>() {
                  private final StringBuilder all = new StringBuilder();

                  @Override
                  public void onNext(byte[] value) {
                    all.append(text(value));
                  }

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {
                    out.onNext(bytes(all.toString()));
                    out.onCompleted();
                  }
                }));
    b.addMethod(
        method(service, "Chat", MethodDescriptor.MethodType.BIDI_STREAMING),
        ServerCalls.asyncBidiStreamingCall(
            out ->
                new StreamObserver<byte[]>() {
                  @Override
                  public void onNext(byte[] value) {
                    out.onNext(bytes(text(value).toUpperCase(java.util.Locale.ROOT)));
                  }

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {
                    out.onCompleted();
                  }
                }));
  }

  /** A server stream that sends a message every 50 ms until cancelled, noting the cancel. */
  void addTicks(ServerServiceDefinition.Builder b, String service, String name) {
    b.addMethod(
        method(service, name, MethodDescriptor.MethodType.SERVER_STREAMING),
        ServerCalls.asyncServerStreamingCall(
            (request, out) -> {
              ServerCallStreamObserver<byte[]> ticks = (ServerCallStreamObserver<byte[]>) out;
              ticks.setOnCancelHandler(() -> cancelled.add(name));
              Thread ticker =
                  new Thread(
                      () -> {
                        try {
                          while (!ticks.isCancelled()) {
                            ticks.onNext(bytes("tick"));
                            Thread.sleep(50);
                          }
                        } catch (InterruptedException | RuntimeException e) {
                          // the call ended
                        }
                      },
                      "ticks");
              ticker.setDaemon(true);
              ticker.start();
            }));
  }

  void echo(byte[] request, StreamObserver<byte[]> out) {
    recordDeadline();
    out.onNext(bytes("echo:" + text(request)));
    out.onCompleted();
  }

  void recordDeadline() {
    Deadline deadline = Context.current().getDeadline();
    if (deadline != null) {
      deadlinesSeen.add(deadline.timeRemaining(TimeUnit.MILLISECONDS));
    }
  }

  // ---------------------------------------------------------------- helpers

  static CallOptions callOptions() {
    return CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  static StreamObserver<byte[]> observer(CompletableFuture<String> result, StringBuilder all) {
    return new StreamObserver<>() {
      @Override
      public void onNext(byte[] value) {
        all.append(text(value));
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        result.complete(all.toString());
      }
    };
  }

  static void assertStatus(Runnable call, Status.Code expected) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(expected));
  }

  ExchangeRecord record(String route) {
    return gw.records().stream()
        .filter(r -> route.equals(r.route()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no exchange on route " + route));
  }

  static FullHttpRequest grpcRequest(byte[] body) {
    FullHttpRequest r = H2Client.request(HttpMethod.POST, "/test.Echo/Unary", "grpc.test", body);
    r.headers().remove("content-length");
    r.headers().set("content-type", "application/grpc");
    r.headers().set("te", "trailers");
    return r;
  }

  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
