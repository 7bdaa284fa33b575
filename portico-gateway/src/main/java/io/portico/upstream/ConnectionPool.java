package io.portico.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslHandler;
import io.portico.config.PoolConfig;
import io.portico.upstream.tls.UpstreamTls;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import org.jspecify.annotations.Nullable;

/**
 * The connections from one event loop to one endpoint.
 *
 * <p>Touched only by its event loop, so it needs no synchronisation: idle connections sit in a
 * plain deque, most recently used last (LIFO keeps few connections hot and lets the rest expire). A
 * request first takes an idle connection that is still open; else a new one is connected while
 * fewer than {@code maxConnections} exist; else it waits (up to {@code maxPending} waiters) for one
 * to be released; else it fails with {@code POOL_EXHAUSTED}.
 *
 * <p>Stale connections: an idle connection that the upstream closes or writes to is dropped as soon
 * as the event loop sees it ({@link UpstreamConnection}); idle connections are closed after {@code
 * idleTimeout}, which defaults below common upstream keep-alive timeouts. A request that fails on a
 * reused connection before any response byte is retried by the exchange when safe.
 *
 * <p>Eviction: when its endpoint leaves every service of the active snapshot, {@link
 * UpstreamPools#evict} removes the pool and {@link #retire() retires} it: idle connections close at
 * once, leased ones finish their exchange and then close (never pooled again), and waiters are
 * failed with {@code CONNECT_FAILED} and an {@link EndpointRemovedException}, the path of a failed
 * connect, so the exchange may retry elsewhere. A later request to the same address gets a new
 * pool.
 *
 * <p>TLS: a pool of a service with {@link UpstreamTls} opens TLS connections, and a connection
 * joins the pool only once its handshake succeeded (certificate verified); a failed handshake is
 * reported as {@code TLS_FAILED}, never retried in the clear.
 */
public final class ConnectionPool implements LeasePool {

  private final Endpoint endpoint;
  private final Bootstrap bootstrap;
  private final @Nullable UpstreamTls tls;
  private final @Nullable String serverName;
  private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private final java.util.Set<UpstreamConnection> live =
      java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  /** The breaker each connection was counted against, to give it back when the connection goes. */
  private final java.util.Map<UpstreamConnection, CallGate> charged =
      new java.util.IdentityHashMap<>();

  private int connecting;
  private boolean retired;
  private PoolConfig config = PoolConfig.DEFAULTS;

  ConnectionPool(Endpoint endpoint, Bootstrap bootstrap, @Nullable UpstreamTls tls) {
    this.endpoint = endpoint;
    this.bootstrap = bootstrap;
    this.tls = tls;
    this.serverName = tls == null ? null : tls.serverName(endpoint.authority());
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  /** Connections open or being opened. */
  public int size() {
    return live.size() + connecting;
  }

  public int idleCount() {
    return idle.size();
  }

  /** Requests waiting for a connection. */
  public int pendingCount() {
    return waiters.size();
  }

  /** Whether the pool was evicted: it hands out no connection and keeps none. */
  public boolean retired() {
    return retired;
  }

  /**
   * Leases a connection to {@code listener} and reports it to {@code callback}, now or later, on
   * this pool's event loop.
   */
  @Override
  public void acquire(
      PoolConfig pool,
      Duration connectTimeout,
      UpstreamListener listener,
      AcquireCallback callback) {
    if (retired) {
      callback.onAcquireFailed(
          AcquireCallback.AcquireFailure.CONNECT_FAILED, new EndpointRemovedException(endpoint));
      return;
    }
    this.config = pool;
    UpstreamConnection c;
    while ((c = idle.pollLast()) != null) {
      if (c.channel().isActive()) {
        c.lease(listener);
        callback.onAcquired(c);
        return;
      }
      forget(c);
    }
    if (size() < pool.maxConnections()) {
      if (!callback.gate().tryOpenConnection()) {
        callback.onAcquireFailed(AcquireCallback.AcquireFailure.OVERLOADED, null);
        return;
      }
      connect(connectTimeout, listener, callback);
    } else if (waiters.size() < pool.maxPending()) {
      waiters.add(new Waiter(connectTimeout, listener, callback));
    } else {
      callback.onAcquireFailed(AcquireCallback.AcquireFailure.POOL_EXHAUSTED, null);
    }
  }

  /** Withdraws a waiting request (its client went away or it timed out). */
  @Override
  public void cancel(AcquireCallback callback) {
    waiters.removeIf(w -> w.callback == callback);
  }

  private void connect(Duration timeout, UpstreamListener listener, AcquireCallback callback) {
    UpstreamConnection c = new UpstreamConnection(this);
    connecting++;
    charged.put(c, callback.gate());
    Bootstrap b =
        bootstrap
            .clone()
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    if (tls != null && serverName != null) {
                      tls.addTo(
                          ch,
                          serverName,
                          endpoint.address().getPort(),
                          Math.max(1, timeout.toMillis()));
                    }
                    ch.pipeline()
                        .addLast(
                            "http",
                            new UpstreamCodec(
                                new HttpDecoderConfig()
                                    .setMaxInitialLineLength(8192)
                                    .setMaxHeaderSize(64 * 1024)
                                    .setMaxChunkSize(64 * 1024)))
                        .addLast("upstream", c);
                  }
                });
    ChannelFuture f = b.connect(endpoint.address());
    f.addListener(
        future -> {
          if (!future.isSuccess()) {
            Throwable cause = future.cause();
            connectFailed(AcquireCallback.AcquireFailure.ofConnect(cause), cause, c, callback);
            return;
          }
          SslHandler handshake = f.channel().pipeline().get(SslHandler.class);
          if (handshake == null) {
            connected(c, listener, callback);
            return;
          }
          handshake
              .handshakeFuture()
              .addListener(
                  h -> {
                    if (h.isSuccess()) {
                      connected(c, listener, callback);
                    } else {
                      f.channel().close();
                      connectFailed(
                          AcquireCallback.AcquireFailure.TLS_FAILED, h.cause(), c, callback);
                    }
                  });
        });
  }

  private void connected(
      UpstreamConnection c, UpstreamListener listener, AcquireCallback callback) {
    connecting--;
    live.add(c);
    c.lease(listener);
    callback.onAcquired(c);
  }

  private void connectFailed(
      AcquireCallback.AcquireFailure reason,
      Throwable cause,
      UpstreamConnection c,
      AcquireCallback callback) {
    connecting--;
    uncharge(c);
    callback.onAcquireFailed(reason, cause);
    serveWaiter();
  }

  /** A released, reusable connection: hand it to a waiter or keep it idle. */
  void offer(UpstreamConnection c) {
    if (retired) {
      forget(c);
      c.channel().close();
      return;
    }
    Waiter w = waiters.pollFirst();
    if (w != null) {
      c.lease(w.listener);
      w.callback.onAcquired(c);
      return;
    }
    idle.addLast(c);
  }

  /** A connection closed or was discarded: forget it and let a waiter connect. */
  void onClosedOrDiscarded(UpstreamConnection c) {
    if (live.remove(c)) {
      uncharge(c);
      idle.remove(c);
      serveWaiter();
    }
  }

  /** Drops {@code c} from the live set and gives back its breaker's connection. */
  private void forget(UpstreamConnection c) {
    if (live.remove(c)) {
      uncharge(c);
    }
  }

  private void uncharge(UpstreamConnection c) {
    CallGate gate = charged.remove(c);
    if (gate != null) {
      gate.connectionClosed();
    }
  }

  private void serveWaiter() {
    while (!waiters.isEmpty() && size() < config.maxConnections()) {
      Waiter w = waiters.pollFirst();
      if (w.callback.gate().tryOpenConnection()) {
        connect(w.connectTimeout, w.listener, w.callback);
        return;
      }
      w.callback.onAcquireFailed(AcquireCallback.AcquireFailure.OVERLOADED, null);
    }
  }

  /** Closes idle connections older than the idle timeout. */
  void sweep(long now) {
    long limit = config.idleTimeout().toNanos();
    Iterator<UpstreamConnection> it = idle.iterator();
    while (it.hasNext()) {
      UpstreamConnection c = it.next();
      if (now - c.idleSince() >= limit || !c.channel().isActive()) {
        it.remove();
        forget(c);
        c.channel().close();
      }
    }
  }

  /** Whether nothing is open, being opened or waiting: the pool can be dropped and made anew. */
  boolean unused() {
    return live.isEmpty() && connecting == 0 && waiters.isEmpty();
  }

  /**
   * The endpoint went away: closes the idle connections, fails the waiters as a failed connect
   * would, and marks the pool so that leased connections close when released. Idempotent.
   */
  void retire() {
    if (retired) {
      return;
    }
    retired = true;
    closeIdle();
    if (waiters.isEmpty()) {
      return;
    }
    EndpointRemovedException cause = new EndpointRemovedException(endpoint);
    Waiter[] failing = waiters.toArray(new Waiter[0]);
    waiters.clear();
    for (Waiter w : failing) {
      w.callback.onAcquireFailed(AcquireCallback.AcquireFailure.CONNECT_FAILED, cause);
    }
  }

  /** Closes every idle connection (shutdown). */
  void closeIdle() {
    UpstreamConnection c;
    while ((c = idle.pollFirst()) != null) {
      forget(c);
      c.channel().close();
    }
  }

  private record Waiter(
      Duration connectTimeout, UpstreamListener listener, AcquireCallback callback) {}
}
