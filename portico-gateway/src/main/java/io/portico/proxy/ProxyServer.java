package io.portico.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.portico.config.ListenerConfig;
import io.portico.upstream.UpstreamPools;
import io.portico.upstream.h2.H2Pool;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client-facing listeners. Owns the per-loop upstream pools; shares the event-loop group (owned
 * by the caller) with the admin listener.
 *
 * <p>Shutdown is graceful: listeners stop accepting, responses start carrying {@code Connection:
 * close}, and the server waits up to a timeout for open client connections to finish their
 * exchanges before closing them.
 */
public final class ProxyServer {

  private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

  private final Transport transport;
  private final EventLoopGroup group;
  private final ProxyContext context;
  private final Map<EventLoop, UpstreamPools> pools = new IdentityHashMap<>();
  private final List<Channel> serverChannels = new ArrayList<>();
  private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final List<InetSocketAddress> bound = new ArrayList<>();

  /** Tells idle client connections to close: the gateway is shutting down. */
  static final Object DRAIN = new Object();

  public ProxyServer(Transport transport, EventLoopGroup group, ProxyContext context) {
    this.transport = transport;
    this.group = group;
    this.context = context;
    for (EventExecutor e : group) {
      EventLoop loop = (EventLoop) e;
      pools.put(loop, UpstreamPools.create(loop, transport.socketChannel(), H2Pool::new));
    }
  }

  ProxyContext context() {
    return context;
  }

  UpstreamPools pools(EventLoop loop) {
    return poolsOf(loop);
  }

  /**
   * Evicts, on every event loop, the upstream pools of endpoints that no service uses any more.
   * Safe from any thread; returns at once.
   */
  public void evictPools(Collection<InetSocketAddress> gone) {
    Set<InetSocketAddress> addresses = Set.copyOf(gone);
    for (UpstreamPools p : pools.values()) {
      p.evictLater(addresses);
    }
  }

  /** Binds every listener; throws when an address cannot be bound. */
  public List<InetSocketAddress> bind(List<ListenerConfig> listeners) throws InterruptedException {
    for (ListenerConfig l : listeners) {
      ServerBootstrap b =
          new ServerBootstrap()
              .group(group)
              .channel(transport.serverChannel())
              .option(ChannelOption.SO_BACKLOG, 4096)
              .option(ChannelOption.SO_REUSEADDR, true)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childOption(
                  ChannelOption.WRITE_BUFFER_WATER_MARK,
                  new WriteBufferWaterMark(32 * 1024, 64 * 1024))
              .childHandler(new Tracking(new DownstreamInitializer(this, l)));
      Channel ch = b.bind(l.address()).sync().channel();
      serverChannels.add(ch);
      bound.add((InetSocketAddress) ch.localAddress());
    }
    return List.copyOf(bound);
  }

  /**
   * Samples every open client connection, each on its own event loop, for metrics: which listener
   * accepted it (by its index in the bound listeners), its protocol and the exchanges in flight on
   * it. Safe from any thread; {@code sink} is called on the event loops.
   */
  public void sampleConnections(EventLoop loop, ConnectionStats.Sink sink) {
    ConnectionStats.sample(loop, clients, serverChannels, sink);
  }

  /** The upstream pools of {@code loop}; to be read on that loop. */
  public UpstreamPools poolsOf(EventLoop loop) {
    return Objects.requireNonNull(pools.get(loop), "every loop of the group has its pools");
  }

  /** The addresses actually bound (a configured port 0 shows the chosen port). */
  public List<InetSocketAddress> boundAddresses() {
    return List.copyOf(bound);
  }

  /**
   * Stops accepting, lets in-flight exchanges finish for up to {@code timeout}, closes the rest.
   */
  public void shutdownGracefully(Duration timeout) {
    context.startDraining();
    for (Channel ch : serverChannels) {
      ch.close().awaitUninterruptibly();
    }
    clients.forEach(ch -> ch.pipeline().fireUserEventTriggered(DRAIN));
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!clients.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (!clients.isEmpty()) {
      log.info("closing {} connections still open after the drain timeout", clients.size());
    }
    clients.close().awaitUninterruptibly();
    pools.values().forEach(UpstreamPools::close);
  }

  /** Adds each accepted channel to the group that shutdown waits on, then builds its pipeline. */
  private final class Tracking extends io.netty.channel.ChannelInitializer<Channel> {
    private final DownstreamInitializer delegate;

    Tracking(DownstreamInitializer delegate) {
      this.delegate = delegate;
    }

    @Override
    protected void initChannel(Channel ch) throws Exception {
      clients.add(ch);
      delegate.initChannel(ch);
    }
  }
}
