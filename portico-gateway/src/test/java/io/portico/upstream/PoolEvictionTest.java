package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.portico.config.PoolConfig;
import io.portico.config.RetryConfig;
import io.portico.config.TimeoutsConfig;
import io.portico.testing.TestOrigin;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Eviction of the pools of endpoints that went away, over real sockets to origins that count their
 * connections: idle connections close at once, leased ones after their exchange, waiters fail as
 * after a failed connect, and a later request gets a fresh pool.
 */
class PoolEvictionTest {

  private static final Duration CONNECT = Duration.ofSeconds(2);
  private static final PoolConfig LONG_IDLE = new PoolConfig(16, 16, Duration.ofMinutes(1));

  private final List<AutoCloseable> resources = new ArrayList<>();
  private EventLoopGroup group;

  @BeforeEach
  void startLoops() {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  }

  @AfterEach
  void stop() throws Exception {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    for (AutoCloseable r : resources) {
      r.close();
    }
  }

  private TestOrigin origin(String name) throws InterruptedException {
    TestOrigin o = TestOrigin.start(name);
    resources.add(o);
    return o;
  }

  private static Endpoint endpoint(TestOrigin origin) {
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", origin.port());
    return new Endpoint(address, origin.authority(), 1);
  }

  private static <T> T on(EventLoop loop, Callable<T> task) throws Exception {
    return loop.submit(task).get(5, TimeUnit.SECONDS);
  }

  private static void run(EventLoop loop, Runnable task) throws Exception {
    loop.submit(task).get(5, TimeUnit.SECONDS);
  }

  /** Leases a connection to {@code endpoint} from {@code pools} and sends {@code GET path}. */
  private static Exchange send(UpstreamPools pools, Endpoint endpoint, String path)
      throws Exception {
    Exchange exchange = new Exchange(path);
    run(pools.loop(), () -> pools.pool(endpoint).acquire(LONG_IDLE, CONNECT, exchange, exchange));
    exchange.acquired.get(5, TimeUnit.SECONDS);
    return exchange;
  }

  /** One request over one leased connection, released for reuse when its response is complete. */
  private static final class Exchange implements UpstreamListener, AcquireCallback {
    final String path;
    final CompletableFuture<UpstreamConnection> acquired = new CompletableFuture<>();
    final CompletableFuture<AcquireFailure> failed = new CompletableFuture<>();
    volatile Throwable failureCause;
    final CompletableFuture<Integer> status = new CompletableFuture<>();
    final CompletableFuture<Boolean> complete = new CompletableFuture<>();
    UpstreamConnection connection;
    int code;

    Exchange(String path) {
      this.path = path;
    }

    @Override
    public void onAcquired(UpstreamLease lease) {
      UpstreamConnection c = (UpstreamConnection) lease;
      connection = c;
      FullHttpRequest request =
          new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
      request.headers().set(HttpHeaderNames.HOST, "origin").set(HttpHeaderNames.CONTENT_LENGTH, 0);
      c.channel().writeAndFlush(request);
      acquired.complete(c);
    }

    @Override
    public void onAcquireFailed(AcquireFailure reason, Throwable cause) {
      failureCause = cause;
      failed.complete(reason);
    }

    @Override
    public void onResponseHead(HttpResponse response) {
      code = response.status().code();
    }

    @Override
    public void onResponseContent(HttpContent content) {
      boolean last = content instanceof LastHttpContent;
      content.release();
      if (last) {
        status.complete(code);
        connection.release(true);
        complete.complete(true);
      }
    }

    @Override
    public void onUpgradedData(ByteBuf data) {
      data.release();
    }

    @Override
    public void onReadComplete() {}

    @Override
    public void onUpstreamClosed(Throwable cause) {
      complete.complete(false);
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {}
  }

  @Test
  void evictionClosesAnIdleConnectionAtOnceAndForgetsThePool() throws Exception {
    TestOrigin origin = origin("a");
    Endpoint a = endpoint(origin);
    UpstreamPools pools = UpstreamPools.create(group.next(), NioSocketChannel.class);
    Exchange first = send(pools, a, "/hello");
    assertThat(first.complete.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(on(pools.loop(), () -> pools.existing(a.poolKey()).idleCount())).isEqualTo(1);
    assertThat(origin.openConnections()).isEqualTo(1);

    run(pools.loop(), () -> pools.evict(Set.of(a.poolKey())));

    await().atMost(Duration.ofSeconds(1)).until(() -> origin.openConnections() == 0);
    assertThat(on(pools.loop(), () -> pools.existing(a.poolKey()))).isNull();
  }

  @Test
  void evictionLetsALeasedConnectionFinishItsExchangeThenClosesIt() throws Exception {
    TestOrigin origin = origin("a");
    Endpoint a = endpoint(origin);
    UpstreamPools pools = UpstreamPools.create(group.next(), NioSocketChannel.class);
    Exchange slow = send(pools, a, "/delay/300");
    await().atMost(Duration.ofSeconds(2)).until(() -> origin.openConnections() == 1);
    ConnectionPool pool = on(pools.loop(), () -> pools.existing(a.poolKey()));

    run(pools.loop(), () -> pools.evict(Set.of(a.poolKey())));

    assertThat(pool.retired()).isTrue();
    assertThat(origin.openConnections()).as("the leased connection is still open").isEqualTo(1);
    assertThat(slow.status.get(5, TimeUnit.SECONDS)).isEqualTo(200);
    assertThat(slow.complete.get(5, TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(1)).until(() -> origin.openConnections() == 0);
    assertThat(on(pools.loop(), pool::idleCount)).as("released, but not pooled").isZero();
    assertThat(origin.connections()).isEqualTo(1);
  }

  @Test
  void evictionFailsWaitersAsAFailedConnectAndALaterRequestGetsAFreshPool() throws Exception {
    TestOrigin origin = origin("a");
    Endpoint a = endpoint(origin);
    UpstreamPools pools = UpstreamPools.create(group.next(), NioSocketChannel.class);
    PoolConfig one = new PoolConfig(1, 2, Duration.ofMinutes(1));
    Exchange busy = new Exchange("/delay/300");
    Exchange waiting1 = new Exchange("/hello");
    Exchange waiting2 = new Exchange("/hello");
    run(pools.loop(), () -> pools.pool(a).acquire(one, CONNECT, busy, busy));
    busy.acquired.get(5, TimeUnit.SECONDS);
    run(
        pools.loop(),
        () -> {
          pools.pool(a).acquire(one, CONNECT, waiting1, waiting1);
          pools.pool(a).acquire(one, CONNECT, waiting2, waiting2);
        });
    ConnectionPool old = on(pools.loop(), () -> pools.existing(a.poolKey()));
    assertThat(on(pools.loop(), old::pendingCount)).isEqualTo(2);

    run(pools.loop(), () -> pools.evict(Set.of(a.poolKey())));

    for (Exchange w : List.of(waiting1, waiting2)) {
      assertThat(w.failed.get(1, TimeUnit.SECONDS))
          .isEqualTo(AcquireCallback.AcquireFailure.CONNECT_FAILED);
      assertThat(w.failureCause).isInstanceOf(EndpointRemovedException.class);
      assertThat(w.acquired).isNotDone();
    }
    assertThat(busy.status.get(5, TimeUnit.SECONDS)).isEqualTo(200);

    Exchange later = send(pools, a, "/hello");

    assertThat(later.status.get(5, TimeUnit.SECONDS)).isEqualTo(200);
    ConnectionPool fresh = on(pools.loop(), () -> pools.existing(a.poolKey()));
    assertThat(fresh).isNotSameAs(old);
    assertThat(fresh.retired()).isFalse();
    assertThat(origin.connections()).isEqualTo(2);
  }

  @Test
  void evictionReachesThePoolsOfEachLoop() throws Exception {
    TestOrigin origin = origin("a");
    Endpoint a = endpoint(origin);
    List<UpstreamPools> perLoop = new ArrayList<>();
    group.forEach(e -> perLoop.add(UpstreamPools.create((EventLoop) e, NioSocketChannel.class)));
    for (UpstreamPools pools : perLoop) {
      assertThat(send(pools, a, "/hello").complete.get(5, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(origin.openConnections()).isEqualTo(2);

    perLoop.forEach(pools -> pools.evictLater(Set.of(a.poolKey())));

    await().atMost(Duration.ofSeconds(1)).until(() -> origin.openConnections() == 0);
    for (UpstreamPools pools : perLoop) {
      assertThat(on(pools.loop(), () -> pools.existing(a.poolKey()))).isNull();
    }
  }

  @Test
  void aSourceDroppingAnEndpointClosesItsConnectionsAndKeepsTheOthers() throws Exception {
    TestOrigin originA = origin("a");
    TestOrigin originB = origin("b");
    Endpoint a = endpoint(originA);
    Endpoint b = endpoint(originB);
    TestSource source = new TestSource();
    source.set(List.of(a, b));
    UpstreamService service =
        new UpstreamService(
            "backend",
            source,
            new WeightedRoundRobinBalancer(),
            TimeoutsConfig.DEFAULTS,
            LONG_IDLE,
            RetryConfig.DEFAULTS,
            new RetryBudget(20),
            null);
    UpstreamPools pools = UpstreamPools.create(group.next(), NioSocketChannel.class);
    ActiveEndpoints active = new ActiveEndpoints(gone -> pools.evictLater(Set.copyOf(gone)));
    active.track(List.of(service));
    assertThat(send(pools, a, "/hello").complete.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(send(pools, b, "/hello").complete.get(5, TimeUnit.SECONDS)).isTrue();

    source.set(List.of(b));

    await().atMost(Duration.ofSeconds(1)).until(() -> originA.openConnections() == 0);
    assertThat(originB.openConnections()).isEqualTo(1);
    assertThat(on(pools.loop(), () -> pools.existing(b.poolKey()).idleCount())).isEqualTo(1);
    assertThat(active.addresses()).containsExactly(b.poolKey());
  }

  @Test
  void theSweepDropsAPoolLeftWithNoConnection() throws Exception {
    TestOrigin origin = origin("a");
    Endpoint a = endpoint(origin);
    UpstreamPools pools = UpstreamPools.create(group.next(), NioSocketChannel.class);
    Exchange exchange = new Exchange("/hello");
    PoolConfig shortIdle = new PoolConfig(16, 16, Duration.ofMillis(100));
    run(pools.loop(), () -> pools.pool(a).acquire(shortIdle, CONNECT, exchange, exchange));
    assertThat(exchange.complete.get(5, TimeUnit.SECONDS)).isTrue();

    await()
        .atMost(Duration.ofSeconds(4))
        .until(() -> on(pools.loop(), () -> pools.existing(a.poolKey())) == null);
    assertThat(origin.openConnections()).isZero();
  }

  /** A source whose list the test sets, as a discovery source would on a registry change. */
  static final class TestSource extends PublishingEndpointSource {
    void set(List<Endpoint> endpoints) {
      publish(endpoints);
    }

    void fail(String reason) {
      failed(reason);
    }
  }
}
