package io.portico.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.portico.upstream.tls.UpstreamTls;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The connection pools of one event loop, one per endpoint address, kept across config reloads so
 * warm connections survive a reload. Upstream connections are opened on this loop, so a request and
 * its upstream exchange never change threads.
 *
 * <p>A pool lives while its endpoint does: {@link #evict} retires the pools of endpoints that left
 * every service of the active snapshot (see {@link ConnectionPool}), and the once-a-second sweep,
 * besides closing connections idle past their timeout, drops pools left with no connection and no
 * waiter (the next request makes one anew), so pools do not pile up as endpoints come and go.
 *
 * <p>Plain connections are pooled by address; TLS connections by address, the service's {@link
 * UpstreamTls} and the server name, so two services that reach one address with different TLS
 * settings (or one in the clear) never share a connection.
 *
 * <p>Confined to {@code loop}, except {@link #create}, {@link #close} and {@link #evictLater}.
 */
public final class UpstreamPools {

  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final Map<InetSocketAddress, ConnectionPool> pools = new HashMap<>();
  private final Map<TlsKey, ConnectionPool> tlsPools = new HashMap<>();

  private UpstreamPools(EventLoop loop, Class<? extends Channel> channelClass) {
    this.loop = loop;
    this.bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(channelClass)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(32 * 1024, 64 * 1024));
  }

  /** Creates the pools of {@code loop} and starts their idle sweep (once a second). */
  public static UpstreamPools create(EventLoop loop, Class<? extends Channel> channelClass) {
    UpstreamPools pools = new UpstreamPools(loop, channelClass);
    loop.scheduleWithFixedDelay(pools::sweep, 1, 1, TimeUnit.SECONDS);
    return pools;
  }

  /**
   * Evicts the pools of {@code gone} on this pools' loop ({@link #evict}); returns at once. Safe
   * from any thread.
   */
  public void evictLater(Set<InetSocketAddress> gone) {
    if (gone.isEmpty() || loop.isShuttingDown()) {
      return;
    }
    try {
      loop.execute(() -> evict(gone));
    } catch (RejectedExecutionException e) {
      // The loop is shutting down: its pools close with it.
    }
  }

  public EventLoop loop() {
    return loop;
  }

  /** The pool of plain connections to {@code endpoint}, created on first use. */
  public ConnectionPool pool(Endpoint endpoint) {
    ConnectionPool p = pools.get(endpoint.poolKey());
    if (p == null) {
      p = new ConnectionPool(endpoint, bootstrap, null);
      pools.put(endpoint.poolKey(), p);
    }
    return p;
  }

  /** The pool for {@code endpoint} with {@code tls} (plain when null), created on first use. */
  public ConnectionPool pool(Endpoint endpoint, @Nullable UpstreamTls tls) {
    if (tls == null) {
      return pool(endpoint);
    }
    TlsKey key = new TlsKey(endpoint.poolKey(), tls, tls.serverName(endpoint.authority()));
    ConnectionPool p = tlsPools.get(key);
    if (p == null) {
      p = new ConnectionPool(endpoint, bootstrap, tls);
      tlsPools.put(key, p);
    }
    return p;
  }

  /** The pool for {@code address} if there is one now, else null. */
  public @Nullable ConnectionPool existing(InetSocketAddress address) {
    return pools.get(address);
  }

  /**
   * Retires and forgets the pools of {@code gone}: idle connections close now, leased ones after
   * their exchange, waiters fail as after a failed connect. Call on this loop.
   */
  public void evict(Collection<InetSocketAddress> gone) {
    List<ConnectionPool> retiring = new ArrayList<>();
    for (InetSocketAddress address : gone) {
      ConnectionPool p = pools.remove(address);
      if (p != null) {
        retiring.add(p);
      }
    }
    Iterator<Map.Entry<TlsKey, ConnectionPool>> tlsIt = tlsPools.entrySet().iterator();
    while (tlsIt.hasNext()) {
      Map.Entry<TlsKey, ConnectionPool> e = tlsIt.next();
      if (gone.contains(e.getKey().address())) {
        tlsIt.remove();
        retiring.add(e.getValue());
      }
    }
    // Removed first: a waiter that retries at once gets a fresh pool, never a retired one.
    for (ConnectionPool p : retiring) {
      p.retire();
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    sweep(pools.values().iterator(), now);
    sweep(tlsPools.values().iterator(), now);
  }

  private static void sweep(Iterator<ConnectionPool> it, long now) {
    while (it.hasNext()) {
      ConnectionPool p = it.next();
      p.sweep(now);
      if (p.unused()) {
        it.remove();
      }
    }
  }

  /** Hands every pool, plain and TLS, to {@code action}. Call on this loop. */
  public void forEachPool(java.util.function.Consumer<ConnectionPool> action) {
    pools.values().forEach(action);
    tlsPools.values().forEach(action);
  }

  /** Closes every idle connection; safe from any thread. */
  public void close() {
    loop.execute(
        () -> {
          for (ConnectionPool p : pools.values()) {
            p.closeIdle();
          }
          for (ConnectionPool p : tlsPools.values()) {
            p.closeIdle();
          }
        });
  }

  private record TlsKey(InetSocketAddress address, UpstreamTls tls, String serverName) {}
}
