package io.portico.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.portico.config.UpstreamProtocolConfig;
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
 * <p>A service that speaks HTTP/2 gets its leases from a {@link MultiplexedPool} (multiplexed
 * connections) keyed like a TLS pool and by the service's protocol settings; see {@link
 * #leasePool}.
 *
 * <p>Confined to {@code loop}, except {@link #create}, {@link #close} and {@link #evictLater}.
 */
public final class UpstreamPools {

  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final Map<InetSocketAddress, ConnectionPool> pools = new HashMap<>();
  private final Map<TlsKey, ConnectionPool> tlsPools = new HashMap<>();
  private final Map<H2Key, MultiplexedPool> h2Pools = new HashMap<>();

  private final MultiplexedPool.@Nullable Factory multiplexed;

  private UpstreamPools(
      EventLoop loop,
      Class<? extends Channel> channelClass,
      MultiplexedPool.@Nullable Factory multiplexed) {
    this.loop = loop;
    this.multiplexed = multiplexed;
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
    return create(loop, channelClass, null);
  }

  /**
   * Creates the pools of {@code loop}, whose services that speak HTTP/2 get {@code multiplexed}'s
   * pools (none when null: such a service is then refused), and starts their idle sweep.
   */
  public static UpstreamPools create(
      EventLoop loop,
      Class<? extends Channel> channelClass,
      MultiplexedPool.@Nullable Factory multiplexed) {
    UpstreamPools pools = new UpstreamPools(loop, channelClass, multiplexed);
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

  /**
   * Where {@code service}'s calls to {@code endpoint} get their lease: the HTTP/1.1 pool, or for a
   * service that speaks HTTP/2 the pool of multiplexed connections, created on first use.
   */
  public LeasePool leasePool(Endpoint endpoint, UpstreamService service) {
    if (!service.protocol().http2()) {
      return pool(endpoint, service.tls());
    }
    UpstreamTls tls = service.tls();
    H2Key key =
        new H2Key(
            endpoint.poolKey(),
            tls,
            tls == null ? null : tls.serverName(endpoint.authority()),
            service.protocol());
    MultiplexedPool p = h2Pools.get(key);
    if (p == null) {
      if (multiplexed == null) {
        throw new IllegalStateException("these pools make no HTTP/2 connections");
      }
      p =
          multiplexed.create(
              endpoint, bootstrap, tls, service.protocol(), () -> pool(endpoint, tls));
      h2Pools.put(key, p);
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
    List<MultiplexedPool> retiringH2 = new ArrayList<>();
    Iterator<Map.Entry<H2Key, MultiplexedPool>> h2It = h2Pools.entrySet().iterator();
    while (h2It.hasNext()) {
      Map.Entry<H2Key, MultiplexedPool> e = h2It.next();
      if (gone.contains(e.getKey().address())) {
        h2It.remove();
        retiringH2.add(e.getValue());
      }
    }
    // Removed first: a waiter that retries at once gets a fresh pool, never a retired one.
    for (ConnectionPool p : retiring) {
      p.retire();
    }
    for (MultiplexedPool p : retiringH2) {
      p.retire();
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    sweep(pools.values().iterator(), now);
    sweep(tlsPools.values().iterator(), now);
    Iterator<MultiplexedPool> h2 = h2Pools.values().iterator();
    while (h2.hasNext()) {
      MultiplexedPool p = h2.next();
      p.sweep(now);
      if (p.unused()) {
        h2.remove();
      }
    }
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
          for (MultiplexedPool p : h2Pools.values()) {
            p.closeIdle();
          }
        });
  }

  private record TlsKey(InetSocketAddress address, UpstreamTls tls, String serverName) {}

  private record H2Key(
      InetSocketAddress address,
      @Nullable UpstreamTls tls,
      @Nullable String serverName,
      UpstreamProtocolConfig protocol) {}
}
