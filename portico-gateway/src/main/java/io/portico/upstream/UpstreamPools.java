package io.portico.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The connection pools of one event loop, one per endpoint address, kept across config reloads so
 * warm connections survive a reload. Upstream connections are opened on this loop, so a request and
 * its upstream exchange never change threads.
 *
 * <p>Confined to {@code loop}, except {@link #create} and {@link #close}.
 */
public final class UpstreamPools {

  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final Map<InetSocketAddress, ConnectionPool> pools = new HashMap<>();

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

  public EventLoop loop() {
    return loop;
  }

  /** The pool for {@code endpoint}, created on first use. */
  public ConnectionPool pool(Endpoint endpoint) {
    ConnectionPool p = pools.get(endpoint.poolKey());
    if (p == null) {
      p = new ConnectionPool(endpoint, bootstrap);
      pools.put(endpoint.poolKey(), p);
    }
    return p;
  }

  private void sweep() {
    long now = System.nanoTime();
    for (ConnectionPool p : pools.values()) {
      p.sweep(now);
    }
  }

  /** Closes every idle connection; safe from any thread. */
  public void close() {
    loop.execute(
        () -> {
          for (ConnectionPool p : pools.values()) {
            p.closeIdle();
          }
        });
  }
}
