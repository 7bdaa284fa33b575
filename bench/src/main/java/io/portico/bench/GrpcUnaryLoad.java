package io.portico.bench;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * gRPC unary calls for {@code bench/grpc-unary.sh}: a byte-echo server, and a closed-loop load
 * client that keeps a fixed number of calls in flight on one channel and prints calls per second
 * and latency percentiles. Methods carry raw bytes, so no generated code is needed.
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar io.portico.bench.GrpcUnaryLoad server 9051
 *   java -cp bench/target/benchmarks.jar io.portico.bench.GrpcUnaryLoad client 127.0.0.1:9105 \
 *       [seconds=10] [in-flight=50] [payload-bytes=64]
 *   java -cp bench/target/benchmarks.jar io.portico.bench.GrpcUnaryLoad check 127.0.0.1:9105 \
 *       request.grpc
 * </pre>
 *
 * <p>The client prints one line: {@code calls_per_s p50_ms p99_ms errors}. {@code check} makes one
 * call with the message of a file framed as a gRPC request body (the 5-byte prefix, then the
 * message: what {@code h2load -d} posts) and exits 0 only when the call ends with status OK and the
 * echoed message is the one sent; it prints the status either way.
 */
public final class GrpcUnaryLoad {

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  static final MethodDescriptor<byte[], byte[]> ECHO =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("bench.Echo/Unary")
          .setRequestMarshaller(BYTES)
          .setResponseMarshaller(BYTES)
          .build();

  private GrpcUnaryLoad() {}

  public static void main(String[] args) throws Exception {
    if (args.length >= 2 && args[0].equals("server")) {
      serve(Integer.parseInt(args[1]));
    } else if (args.length >= 2 && args[0].equals("client")) {
      load(
          args[1],
          args.length > 2 ? Integer.parseInt(args[2]) : 10,
          args.length > 3 ? Integer.parseInt(args[3]) : 50,
          args.length > 4 ? Integer.parseInt(args[4]) : 64);
    } else if (args.length == 3 && args[0].equals("check")) {
      System.exit(check(args[1], Path.of(args[2])));
    } else {
      System.err.println(
          "usage: GrpcUnaryLoad server PORT | client HOST:PORT [seconds] [in-flight] [bytes]"
              + " | check HOST:PORT REQUEST_FILE");
      System.exit(2);
    }
  }

  private static void serve(int port) throws Exception {
    Server server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", port), InsecureServerCredentials.create())
            .addService(
                ServerServiceDefinition.builder("bench.Echo")
                    .addMethod(
                        ECHO,
                        ServerCalls.asyncUnaryCall(
                            (byte[] request, StreamObserver<byte[]> out) -> {
                              out.onNext(request);
                              out.onCompleted();
                            }))
                    .build())
            .build()
            .start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    server.awaitTermination();
  }

  private static ManagedChannel channel(String target) {
    int colon = target.lastIndexOf(':');
    return Grpc.newChannelBuilderForAddress(
            target.substring(0, colon),
            Integer.parseInt(target.substring(colon + 1)),
            InsecureChannelCredentials.create())
        .build();
  }

  /** One call with the message framed in {@code file}; 0 when it is echoed with status OK. */
  private static int check(String target, Path file) throws Exception {
    byte[] body = Files.readAllBytes(file);
    if (body.length < 5
        || body[0] != 0
        || ByteBuffer.wrap(body, 1, 4).getInt() != body.length - 5) {
      System.out.println(
          file + ": not one uncompressed gRPC message (5-byte prefix, then the message)");
      return 2;
    }
    byte[] message = Arrays.copyOfRange(body, 5, body.length);
    ManagedChannel channel = channel(target);
    try {
      byte[] answer =
          ClientCalls.blockingUnaryCall(
              channel, ECHO, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), message);
      boolean echoed = Arrays.equals(answer, message);
      System.out.println(
          "grpc-status 0 (OK), " + (echoed ? "message echoed" : "a different message came back"));
      return echoed ? 0 : 1;
    } catch (StatusRuntimeException e) {
      Status status = e.getStatus();
      System.out.println(
          "grpc-status "
              + status.getCode().value()
              + " ("
              + status.getCode()
              + (status.getDescription() == null ? "" : ": " + status.getDescription())
              + ")");
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static void load(String target, int seconds, int inFlight, int payloadBytes)
      throws Exception {
    ManagedChannel channel = channel(target);
    byte[] payload = new byte[payloadBytes];
    long[] samples = new long[1 << 20];
    AtomicLong count = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    CountDownLatch done = new CountDownLatch(inFlight);
    for (int i = 0; i < inFlight; i++) {
      call(channel, payload, end, samples, count, errors, done);
    }
    long started = System.nanoTime();
    done.await();
    double elapsed = (System.nanoTime() - started) / 1e9;
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    int n = (int) Math.min(count.get(), samples.length);
    long[] sorted = Arrays.copyOf(samples, n);
    Arrays.sort(sorted);
    System.out.printf(
        "%d %.3f %.3f %d%n",
        Math.round(count.get() / elapsed),
        n == 0 ? 0 : sorted[n / 2] / 1e6,
        n == 0 ? 0 : sorted[Math.min(n - 1, (int) (n * 0.99))] / 1e6,
        errors.get());
  }

  /** One call; on its answer, the next, until the end: a closed loop per slot. */
  private static void call(
      ManagedChannel channel,
      byte[] payload,
      long end,
      long[] samples,
      AtomicLong count,
      AtomicLong errors,
      CountDownLatch done) {
    if (System.nanoTime() >= end) {
      done.countDown();
      return;
    }
    long start = System.nanoTime();
    ClientCalls.asyncUnaryCall(
        channel.newCall(ECHO, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)),
        payload,
        new StreamObserver<>() {
          @Override
          public void onNext(byte[] value) {}

          @Override
          public void onError(Throwable t) {
            errors.incrementAndGet();
            call(channel, payload, end, samples, count, errors, done);
          }

          @Override
          public void onCompleted() {
            long i = count.getAndIncrement();
            if (i < samples.length) {
              samples[(int) i] = System.nanoTime() - start;
            }
            call(channel, payload, end, samples, count, errors, done);
          }
        });
  }
}
