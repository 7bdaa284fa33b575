package io.portico.proxy;

import static io.portico.proxy.GrpcBytes.bytes;
import static io.portico.proxy.GrpcBytes.method;
import static io.portico.proxy.GrpcBytes.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.portico.testing.GatewayFixture;
import io.portico.testing.GrpcPeers;
import io.portico.testing.Observers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every frame the gateway writes reaches its peer when nothing else is under way to carry it out.
 * The gateway batches the flushes of its HTTP/2 connections (one per read or event-loop turn), so
 * these calls are made alone and in lock step: each message must have arrived before the next one
 * is sent, in either direction, so a write left waiting for a later flush on the client's
 * connection or on the upstream's stalls the call and fails the test within its deadline.
 */
class GrpcLoneFrameTest {

  private static final Metadata.Key<String> COUNT =
      Metadata.Key.of("x-count", Metadata.ASCII_STRING_MARSHALLER);

  private static final MethodDescriptor<byte[], byte[]> UNARY =
      method("test.Pace", "Shout", MethodDescriptor.MethodType.UNARY);
  private static final MethodDescriptor<byte[], byte[]> COUNTDOWN =
      method("test.Pace", "Countdown", MethodDescriptor.MethodType.SERVER_STREAMING);
  private static final MethodDescriptor<byte[], byte[]> PING_PONG =
      method("test.Pace", "PingPong", MethodDescriptor.MethodType.BIDI_STREAMING);
  private static final MethodDescriptor<byte[], byte[]> GREET =
      method("test.Pace", "Greet", MethodDescriptor.MethodType.BIDI_STREAMING);
  private static final MethodDescriptor<byte[], byte[]> HOLD =
      method("test.Pace", "Hold", MethodDescriptor.MethodType.SERVER_STREAMING);

  private final GrpcPeers grpc = new GrpcPeers();

  /** Released by the client for each countdown message it received. */
  private final Semaphore delivered = new Semaphore(0);

  private final BlockingQueue<String> sent = new LinkedBlockingQueue<>();
  private final CountDownLatch cancelled = new CountDownLatch(1);
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    ServerServiceDefinition.Builder pace = ServerServiceDefinition.builder("test.Pace");
    pace.addMethod(
        UNARY,
        ServerCalls.asyncUnaryCall(
            (request, out) -> {
              out.onNext(bytes(text(request).toUpperCase(Locale.ROOT)));
              out.onCompleted();
            }));
    pace.addMethod(COUNTDOWN, ServerCalls.asyncServerStreamingCall(this::countdown));
    pace.addMethod(PING_PONG, ServerCalls.asyncBidiStreamingCall(GrpcLoneFrameTest::pingPong));
    pace.addMethod(GREET, ServerCalls.asyncBidiStreamingCall(GrpcLoneFrameTest::greet));
    pace.addMethod(HOLD, ServerCalls.asyncServerStreamingCall(this::hold));
    Server server = grpc.plaintextServer(pace.build());
    GatewayFixture gw =
        GatewayFixture.start(
            """
            listeners:
              - address: 127.0.0.1:0
                http2: true
            services:
              - name: pace
                targets: [ "127.0.0.1:%d" ]
                protocol: h2c
            routes:
              - name: pace
                paths: [ /test.Pace/ ]
                service: pace
            """
                .formatted(server.getPort()));
    grpc.add(gw);
    channel = grpc.plaintextChannel(gw.port());
  }

  @AfterEach
  void close() throws Exception {
    grpc.close();
  }

  @Test
  void aSingleUnaryCallWithNothingElseInFlightIsAnswered() {
    byte[] answer = ClientCalls.blockingUnaryCall(channel, UNARY, options(), bytes("alone"));

    assertThat(text(answer)).isEqualTo("ALONE");
  }

  @Test
  void eachServerStreamMessageArrivesBeforeTheNextIsSentAndTheTrailersFollow() throws Exception {
    List<String> received = new ArrayList<>();
    CompletableFuture<Status> end = new CompletableFuture<>();
    CompletableFuture<String> count = new CompletableFuture<>();
    ClientCalls.asyncServerStreamingCall(
        channel.newCall(COUNTDOWN, options()),
        bytes("3"),
        new StreamObserver<>() {
          @Override
          public void onNext(byte[] value) {
            synchronized (received) {
              received.add(text(value));
            }
            delivered.release();
          }

          @Override
          public void onError(Throwable t) {
            if (t instanceof StatusRuntimeException e && e.getTrailers() != null) {
              count.complete(e.getTrailers().get(COUNT));
            }
            end.complete(Status.fromThrowable(t));
          }

          @Override
          public void onCompleted() {
            end.complete(Status.OK);
          }
        });

    Status status = end.get(20, TimeUnit.SECONDS);

    assertThat(status.getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    assertThat(status.getDescription()).isEqualTo("counted down");
    assertThat(count.get(1, TimeUnit.SECONDS)).isEqualTo("3");
    synchronized (received) {
      assertThat(received).containsExactly("tick-3", "tick-2", "tick-1");
    }
    assertThat(sent).containsExactly("tick-3", "tick-2", "tick-1");
  }

  @Test
  void eachClientMessageArrivesAndIsAnsweredBeforeTheNextIsSent() throws Exception {
    BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<byte[]> requests =
        ClientCalls.asyncBidiStreamingCall(
            channel.newCall(PING_PONG, options()),
            Observers.until(value -> answers.add(text(value)), done));

    for (int i = 1; i <= 3; i++) {
      requests.onNext(bytes("ping-" + i));
      assertThat(answers.poll(10, TimeUnit.SECONDS)).isEqualTo("PING-" + i);
    }
    requests.onCompleted();

    done.get(10, TimeUnit.SECONDS);
    assertThat(answers).isEmpty();
  }

  /**
   * A bidirectional call whose server speaks first: the client sends only its head, so the head
   * must go upstream without waiting for a first message, or the server never starts the call.
   */
  @Test
  void aCallWhoseServerSpeaksFirstStartsBeforeTheClientSendsAnything() throws Exception {
    BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<byte[]> requests =
        ClientCalls.asyncBidiStreamingCall(
            channel.newCall(GREET, options()),
            Observers.until(value -> answers.add(text(value)), done));

    assertThat(answers.poll(10, TimeUnit.SECONDS)).isEqualTo("hello");
    requests.onNext(bytes("bye"));
    assertThat(answers.poll(10, TimeUnit.SECONDS)).isEqualTo("BYE");
    requests.onCompleted();

    done.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aCancelAloneReachesTheServer() throws Exception {
    ClientCall<byte[], byte[]> call = channel.newCall(HOLD, options());
    CountDownLatch first = new CountDownLatch(1);
    ClientCalls.asyncServerStreamingCall(
        call, bytes("hold"), Observers.each(value -> first.countDown()));
    assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();

    call.cancel("the client gave up", null);

    assertThat(cancelled.await(10, TimeUnit.SECONDS)).isTrue();
  }

  private static CallOptions options() {
    return CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  /**
   * Sends "tick-N" down to "tick-1", each only once the client has received the one before, then
   * ends with OUT_OF_RANGE and an {@code x-count} trailer; fails the call if a message never
   * arrives.
   */
  private void countdown(byte[] request, StreamObserver<byte[]> out) {
    int from = Integer.parseInt(text(request));
    Thread pacer =
        new Thread(
            () -> {
              try {
                for (int i = from; i >= 1; i--) {
                  String message = "tick-" + i;
                  sent.add(message);
                  out.onNext(bytes(message));
                  if (!delivered.tryAcquire(10, TimeUnit.SECONDS)) {
                    out.onError(
                        Status.FAILED_PRECONDITION
                            .withDescription(message + " never reached the client")
                            .asRuntimeException());
                    return;
                  }
                }
                Metadata trailers = new Metadata();
                trailers.put(COUNT, Integer.toString(from));
                out.onError(
                    Status.OUT_OF_RANGE
                        .withDescription("counted down")
                        .asRuntimeException(trailers));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.onError(Status.ABORTED.asRuntimeException());
              }
            },
            "countdown");
    pacer.setDaemon(true);
    pacer.start();
  }

  /** Answers each message in upper case; completes when the client half-closes. */
  private static StreamObserver<byte[]> pingPong(StreamObserver<byte[]> out) {
    return new StreamObserver<>() {
      @Override
      public void onNext(byte[] value) {
        out.onNext(bytes(text(value).toUpperCase(Locale.ROOT)));
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        out.onCompleted();
      }
    };
  }

  /** Says "hello" as the call starts, then answers each message in upper case. */
  private static StreamObserver<byte[]> greet(StreamObserver<byte[]> out) {
    out.onNext(bytes("hello"));
    return pingPong(out);
  }

  /** Sends one message and holds the call open until the client cancels it. */
  private void hold(byte[] request, StreamObserver<byte[]> out) {
    ((ServerCallStreamObserver<byte[]>) out).setOnCancelHandler(cancelled::countDown);
    out.onNext(bytes("held"));
  }
}
