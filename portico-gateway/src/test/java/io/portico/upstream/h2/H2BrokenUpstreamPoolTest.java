package io.portico.upstream.h2;

import static io.portico.testing.RawH2Origin.SETTINGS_MAX_CONCURRENT_STREAMS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
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
import io.netty.handler.codec.http2.Http2Error;
import io.portico.config.PoolConfig;
import io.portico.config.UpstreamProtocolConfig;
import io.portico.testing.RawH2Origin;
import io.portico.upstream.AcquireCallback;
import io.portico.upstream.Endpoint;
import io.portico.upstream.UpstreamLease;
import io.portico.upstream.UpstreamListener;
import io.portico.upstream.UpstreamViolationException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An {@link H2Pool} driven directly against upstreams that break HTTP/2 on purpose ({@link
 * RawH2Origin}): a storm of resets leaves no lease or stream behind, a server that sends no
 * SETTINGS or no HTTP/2 at all fails the call as a failed connect, and {@code
 * MAX_CONCURRENT_STREAMS} of 0 keeps a call waiting (no busy loop, no connection beyond the pool's
 * limit) until it is raised.
 */
class H2BrokenUpstreamPoolTest {

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoop loop = group.next();
  private RawH2Origin origin;
  private H2Pool pool;

  @AfterEach
  void stop() throws Exception {
    if (origin != null) {
      origin.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private void start(RawH2Origin.Script script) throws Exception {
    origin = new RawH2Origin(n -> script);
    UpstreamProtocolConfig protocol =
        new UpstreamProtocolConfig(
            UpstreamProtocolConfig.Protocol.H2C,
            Duration.ofSeconds(30),
            Duration.ofSeconds(10),
            1000,
            UpstreamProtocolConfig.DEFAULT_REPLAY_BUFFER,
            1000,
            Duration.ofSeconds(10));
    Endpoint endpoint = new Endpoint(origin.address(), "127.0.0.1:" + origin.port(), 1);
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

  @Test
  void aStormOfResetsEndsTheConnectionAndLeavesNoLeaseBehind() throws Exception {
    start(
        c -> {
          c.settings(SETTINGS_MAX_CONCURRENT_STREAMS, 1000).flush();
          while (!c.closed().isDone()) {
            c.reset(c.request().streamId(), Http2Error.INTERNAL_ERROR.code()).flush();
          }
        });
    List<Call> calls = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      calls.add(new Call());
    }
    onLoop(
        () -> {
          for (Call c : calls) {
            pool.acquire(PoolConfig.DEFAULTS, Duration.ofSeconds(5), c, c);
          }
          return null;
        });
    for (Call c : calls) {
      UpstreamLease lease = c.acquired.get(10, TimeUnit.SECONDS);
      onLoop(() -> get(lease));
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> calls.stream().allMatch(c -> c.closed.get()));
    assertThat(origin.conn(0).goAway().get(10, TimeUnit.SECONDS))
        .isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
    assertThat(calls).anyMatch(c -> c.cause.get() instanceof UpstreamViolationException);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                onLoop(
                    () ->
                        pool.activeStreams() == 0
                            && pool.size() == 0
                            && pool.pendingCount() == 0
                            && pool.unused()));
  }

  @Test
  void aServerThatSendsNoSettingsFailsAsAConnectWithinTheConnectTimeout() throws Exception {
    start(c -> c.closed().get(30, TimeUnit.SECONDS));
    Call call = new Call();

    onLoop(
        () -> {
          pool.acquire(PoolConfig.DEFAULTS, Duration.ofMillis(500), call, call);
          return null;
        });

    assertThatThrownBy(() -> call.acquired.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining(AcquireCallback.AcquireFailure.CONNECT_FAILED.name());
    origin.conn(0).closed().get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> onLoop(() -> pool.unused()));
  }

  @Test
  void aServerThatAnswersWithoutHttp2FailsAsAConnect() throws Exception {
    start(
        c -> {
          c.bytes(
                  "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"
                      .getBytes(StandardCharsets.US_ASCII))
              .flush();
          c.closed().get(30, TimeUnit.SECONDS);
        });
    Call call = new Call();

    onLoop(
        () -> {
          pool.acquire(PoolConfig.DEFAULTS, Duration.ofSeconds(5), call, call);
          return null;
        });

    assertThatThrownBy(() -> call.acquired.get(10, TimeUnit.SECONDS))
        .hasMessageContaining(AcquireCallback.AcquireFailure.CONNECT_FAILED.name());
    origin.conn(0).closed().get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> onLoop(() -> pool.unused()));
  }

  @Test
  void zeroConcurrentStreamsKeepsACallWaitingUntilTheLimitIsRaised() throws Exception {
    CountDownLatch raise = new CountDownLatch(1);
    start(
        c -> {
          c.settings(SETTINGS_MAX_CONCURRENT_STREAMS, 0).flush();
          raise.await(30, TimeUnit.SECONDS);
          c.settings(SETTINGS_MAX_CONCURRENT_STREAMS, 10).flush();
          c.respondAll("raised");
        });
    PoolConfig twoConnections = new PoolConfig(2, 10, Duration.ofSeconds(30));
    Call call = new Call();

    onLoop(
        () -> {
          pool.acquire(twoConnections, Duration.ofSeconds(5), call, call);
          return null;
        });
    await().atMost(Duration.ofSeconds(10)).until(() -> onLoop(() -> pool.size()) == 2);
    Thread.sleep(500);

    assertThat(call.acquired).isNotDone();
    assertThat(origin.connections()).isEqualTo(2);
    assertThat(onLoop(() -> pool.pendingCount())).isEqualTo(1);

    raise.countDown();
    UpstreamLease lease = call.acquired.get(10, TimeUnit.SECONDS);
    onLoop(() -> get(lease));
    await().atMost(Duration.ofSeconds(10)).until(() -> call.ended.get());
    assertThat(call.body.toString()).isEqualTo("raised");
    assertThat(origin.connections()).isEqualTo(2);
  }

  // ---------------------------------------------------------------- helpers

  private <T> T onLoop(Callable<T> task) throws Exception {
    return loop.submit(task).get(5, TimeUnit.SECONDS);
  }

  private @Nullable Void get(UpstreamLease lease) {
    DefaultFullHttpRequest get =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.GET, "/", Unpooled.EMPTY_BUFFER);
    get.headers().set("host", "127.0.0.1:" + origin.port());
    lease.write(get);
    lease.flush();
    return null;
  }

  /** A call's side of a lease, recording what it is told. */
  private static final class Call implements UpstreamListener, AcquireCallback {
    final CompletableFuture<UpstreamLease> acquired = new CompletableFuture<>();
    final AtomicBoolean ended = new AtomicBoolean();
    final AtomicBoolean closed = new AtomicBoolean();
    final AtomicReference<@Nullable Throwable> cause = new AtomicReference<>();
    final StringBuffer body = new StringBuffer();

    @Override
    public void onAcquired(UpstreamLease lease) {
      acquired.complete(lease);
    }

    @Override
    public void onAcquireFailed(AcquireFailure reason, @Nullable Throwable cause) {
      acquired.completeExceptionally(new IllegalStateException(reason.name(), cause));
    }

    @Override
    public void onResponseHead(HttpResponse response) {}

    @Override
    public void onResponseContent(HttpContent content) {
      body.append(content.content().toString(StandardCharsets.UTF_8));
      content.release();
      if (content instanceof LastHttpContent) {
        ended.set(true);
        acquired.join().release(true);
      }
    }

    @Override
    public void onUpgradedData(ByteBuf data) {
      data.release();
    }

    @Override
    public void onReadComplete() {}

    @Override
    public void onUpstreamClosed(@Nullable Throwable cause) {
      this.cause.set(cause);
      closed.set(true);
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {}

    @Override
    public void onDeadline() {}
  }
}
