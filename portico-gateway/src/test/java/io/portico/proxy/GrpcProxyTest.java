package io.portico.proxy;

import static io.portico.proxy.GrpcBytes.bytes;
import static io.portico.proxy.GrpcBytes.method;
import static io.portico.proxy.GrpcBytes.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.GrpcPeers;
import io.portico.testing.H2Client;
import io.portico.testing.Observers;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC through the gateway with real grpc-java servers and clients over h2c: the four call modes,
 * cancellation and deadlines seen by the server, and the gateway's own failures answered as gRPC
 * statuses (no route, authentication, rate limit, upstream down, oversized and malformed messages),
 * with the status in the access log and the metrics. Methods carry raw bytes (byte-array
 * marshallers), so no generated code is needed.
 */
class GrpcProxyTest {

  private static final String KEY = "grpc-test-key";

  @TempDir Path dir;

  private final GrpcPeers grpc = new GrpcPeers();
  private final LinkedBlockingQueue<String> cancelled = new LinkedBlockingQueue<>();
  private final LinkedBlockingQueue<Long> deadlinesSeen = new LinkedBlockingQueue<>();
  private final AtomicInteger unaryCalls = new AtomicInteger();
  private Server server;
  private GatewayFixture gw;
  private ManagedChannel channel;
  private Path accessLog;

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

  // ---------------------------------------------------------------- the server

  private void addEchoMethods(ServerServiceDefinition.Builder b, String service) {
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
  private void addTicks(ServerServiceDefinition.Builder b, String service, String name) {
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

  private void echo(byte[] request, StreamObserver<byte[]> out) {
    recordDeadline();
    out.onNext(bytes("echo:" + text(request)));
    out.onCompleted();
  }

  private void recordDeadline() {
    Deadline deadline = Context.current().getDeadline();
    if (deadline != null) {
      deadlinesSeen.add(deadline.timeRemaining(TimeUnit.MILLISECONDS));
    }
  }

  // ---------------------------------------------------------------- helpers

  private static CallOptions callOptions() {
    return CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  private static StreamObserver<byte[]> observer(
      CompletableFuture<String> result, StringBuilder all) {
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

  private static void assertStatus(Runnable call, Status.Code expected) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(expected));
  }

  private ExchangeRecord record(String route) {
    return gw.records().stream()
        .filter(r -> route.equals(r.route()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no exchange on route " + route));
  }

  private static FullHttpRequest grpcRequest(byte[] body) {
    FullHttpRequest r = H2Client.request(HttpMethod.POST, "/test.Echo/Unary", "grpc.test", body);
    r.headers().remove("content-length");
    r.headers().set("content-type", "application/grpc");
    r.headers().set("te", "trailers");
    return r;
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
