package io.portico.upstream.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Stream;
import io.portico.config.PoolConfig;
import io.portico.config.UpstreamProtocolConfig;
import io.portico.testing.H2Origin;
import io.portico.upstream.AcquireCallback;
import io.portico.upstream.Endpoint;
import io.portico.upstream.UnprocessedException;
import io.portico.upstream.UpstreamLease;
import io.portico.upstream.UpstreamListener;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One {@link H2Pool} and its {@link H2Connection} driven directly against a real HTTP/2 origin:
 * every way a stream ends (complete, released early, past its deadline, above a GOAWAY's last
 * stream id, with its connection lost) leaves no stream state on the connection, and a held
 * response returns no window to the upstream until it is read again.
 */
class H2ConnectionTest {

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoop loop = group.next();
  private H2Origin origin;
  private H2Pool pool;

  @BeforeEach
  void start() throws Exception {
    origin = H2Origin.cleartext(100);
    UpstreamProtocolConfig protocol =
        new UpstreamProtocolConfig(
            UpstreamProtocolConfig.Protocol.H2C,
            Duration.ofSeconds(30),
            Duration.ofSeconds(10),
            100,
            UpstreamProtocolConfig.DEFAULT_REPLAY_BUFFER,
            1000,
            Duration.ofSeconds(10));
    Endpoint endpoint =
        new Endpoint(new InetSocketAddress("127.0.0.1", origin.port()), origin.authority(), 1);
    pool =
        new H2Pool(
            endpoint,
            new Bootstrap().group(loop).channel(NioSocketChannel.class),
            null,
            protocol,
            () -> {
              throw new IllegalStateException("no HTTP/1.1 here");
            });
  }

  @AfterEach
  void stop() {
    origin.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void aCompleteStreamLeavesNoStateAndIsNotReset() throws Exception {
    Recorder r = open("/hello");
    await().atMost(Duration.ofSeconds(5)).until(() -> r.ended.get());
    onLoop(
        () -> {
          r.lease().release(true);
          return null;
        });

    assertNoStreamState(r);
    assertThat(r.body.get()).isEqualTo("h2 /hello".length());
    assertThat(origin.resets()).isZero();
  }

  @Test
  void aStreamReleasedMidResponseIsResetAndLeavesNoState() throws Exception {
    Recorder r = open("/slow?ms=5000");
    await().atMost(Duration.ofSeconds(5)).until(() -> origin.requests().size() == 1);
    onLoop(
        () -> {
          r.lease().release(false);
          return null;
        });

    await().atMost(Duration.ofSeconds(5)).until(() -> origin.resets() == 1);
    assertNoStreamState(r);
    assertThat(r.closed.get()).isFalse(); // released: its listener is told nothing more
  }

  @Test
  void aStreamPastItsDeadlineIsResetByItsCallAndLeavesNoState() throws Exception {
    Recorder r = open("/slow?ms=5000");
    r.releaseOnDeadline = true;
    onLoop(
        () -> {
          r.lease().armDeadline(r.lease().nanoTime() + TimeUnit.MILLISECONDS.toNanos(200));
          return null;
        });

    await().atMost(Duration.ofSeconds(5)).until(() -> r.deadline.get());
    await().atMost(Duration.ofSeconds(5)).until(() -> origin.resets() == 1);
    assertNoStreamState(r);
  }

  @Test
  void aStreamAboveAGoAwaysLastStreamIdClosesUnprocessedAndLeavesNoState() throws Exception {
    Recorder r = open("/slow?ms=5000");
    await().atMost(Duration.ofSeconds(5)).until(() -> origin.requests().size() == 1);

    assertThat(origin.goAwayRefusingOpenStreams()).isEqualTo(1);

    await().atMost(Duration.ofSeconds(5)).until(() -> r.closed.get());
    assertThat(r.cause.get()).isInstanceOf(UnprocessedException.class);
    assertNoStreamState(r);
    await().atMost(Duration.ofSeconds(5)).until(() -> onLoop(() -> pool.size()) == 0);
  }

  @Test
  void aStreamWhoseConnectionIsLostIsToldAndLeavesNoState() throws Exception {
    origin.dropConnectionOnNext(1);
    Recorder r = open("/hello");

    await().atMost(Duration.ofSeconds(5)).until(() -> r.closed.get());
    assertThat(r.cause.get() instanceof UnprocessedException).isFalse();
    assertNoStreamState(r);
    await().atMost(Duration.ofSeconds(5)).until(() -> onLoop(() -> pool.size()) == 0);
  }

  @Test
  void aHeldResponseReturnsNoWindowUntilItIsReadAgain() throws Exception {
    long size = 4L * 1024 * 1024;
    Recorder r = new Recorder();
    r.holdAfterHead = true;
    open(r, "/big?bytes=" + size);
    await().atMost(Duration.ofSeconds(5)).until(() -> r.head.get() != null);
    Thread.sleep(1000);

    long writtenWhileHeld = origin.bigBytesWritten();
    assertThat(r.body.get()).isZero();
    int unconsumed = onLoop(() -> unconsumed(r));
    assertThat(unconsumed).isPositive().isLessThanOrEqualTo(65_535);
    // The stream's window and what the origin's own buffers take, nowhere near the whole body.
    assertThat(writtenWhileHeld).isLessThan(512 * 1024);

    onLoop(
        () -> {
          r.lease().readResponse(true);
          return null;
        });
    await().atMost(Duration.ofSeconds(20)).until(() -> r.ended.get());
    assertThat(r.body.get()).isEqualTo(size);
    onLoop(
        () -> {
          r.lease().release(true);
          return null;
        });
    assertNoStreamState(r);
  }

  // ---------------------------------------------------------------- helpers

  private int unconsumed(Recorder r) {
    H2Stream s = (H2Stream) r.lease();
    H2Connection c = s.connection();
    Http2Stream stream = c.connection().stream(s.id());
    return stream == null ? 0 : c.decoder().flowController().unconsumedBytes(stream);
  }

  private void assertNoStreamState(Recorder r) throws Exception {
    H2Connection c = ((H2Stream) r.lease()).connection();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> onLoop(() -> c.active() == 0 && c.leased() == 0 && pool.activeStreams() == 0));
  }

  private <T> T onLoop(Callable<T> task) throws Exception {
    return loop.submit(task).get(5, TimeUnit.SECONDS);
  }

  /** Leases a stream and writes a body-less GET for {@code path} on it. */
  private Recorder open(String path) throws Exception {
    return open(new Recorder(), path);
  }

  private Recorder open(Recorder r, String path) throws Exception {
    onLoop(
        () -> {
          pool.acquire(PoolConfig.DEFAULTS, Duration.ofSeconds(5), r, r);
          return null;
        });
    UpstreamLease lease = r.acquired.get(5, TimeUnit.SECONDS);
    onLoop(
        () -> {
          DefaultFullHttpRequest get =
              new DefaultFullHttpRequest(
                  HttpVersion.HTTP_1_1, HttpMethod.GET, path, Unpooled.EMPTY_BUFFER);
          get.headers().set("host", origin.authority());
          lease.write(get);
          lease.flush();
          return null;
        });
    return r;
  }

  /** A call's side of a lease, recording what it is told. */
  private static final class Recorder implements UpstreamListener, AcquireCallback {
    final CompletableFuture<UpstreamLease> acquired = new CompletableFuture<>();
    final AtomicReference<@Nullable HttpResponse> head = new AtomicReference<>();
    final AtomicLong body = new AtomicLong();
    final AtomicBoolean ended = new AtomicBoolean();
    final AtomicBoolean closed = new AtomicBoolean();
    final AtomicBoolean deadline = new AtomicBoolean();
    final AtomicReference<@Nullable Throwable> cause = new AtomicReference<>();
    final AtomicInteger readCompletes = new AtomicInteger();
    volatile boolean holdAfterHead;
    volatile boolean releaseOnDeadline;

    UpstreamLease lease() {
      return acquired.join();
    }

    @Override
    public void onAcquired(UpstreamLease lease) {
      acquired.complete(lease);
    }

    @Override
    public void onAcquireFailed(AcquireFailure reason, @Nullable Throwable cause) {
      acquired.completeExceptionally(new IllegalStateException(reason.name(), cause));
    }

    @Override
    public void onResponseHead(HttpResponse response) {
      head.set(response);
      if (holdAfterHead) {
        lease().readResponse(false);
      }
    }

    @Override
    public void onResponseContent(HttpContent content) {
      body.addAndGet(content.content().readableBytes());
      content.release();
      if (content instanceof LastHttpContent) {
        ended.set(true);
      }
    }

    @Override
    public void onUpgradedData(io.netty.buffer.ByteBuf data) {
      data.release();
    }

    @Override
    public void onReadComplete() {
      readCompletes.incrementAndGet();
    }

    @Override
    public void onUpstreamClosed(@Nullable Throwable cause) {
      this.cause.set(cause);
      closed.set(true);
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {}

    @Override
    public void onDeadline() {
      deadline.set(true);
      if (releaseOnDeadline) {
        lease().release(false);
      }
    }
  }
}
