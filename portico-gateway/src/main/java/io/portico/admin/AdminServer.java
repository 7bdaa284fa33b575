package io.portico.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.portico.config.AdminConfig;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The admin listener: a small HTTP/1.1 server on the gateway's event loops. Requests are tiny and
 * aggregated; the one slow operation, a reload, runs on a dedicated thread.
 */
public final class AdminServer implements AutoCloseable {

  private final Channel channel;
  private final ChannelGroup connections;
  private final AdminWork blocking;

  private AdminServer(Channel channel, ChannelGroup connections, AdminWork blocking) {
    this.channel = channel;
    this.connections = connections;
    this.blocking = blocking;
  }

  /** Binds the admin listener; throws when the address cannot be bound. */
  public static AdminServer start(
      AdminConfig config,
      EventLoopGroup group,
      Class<? extends ServerChannel> channelClass,
      AdminApi api)
      throws InterruptedException {
    return start(
        config,
        Objects.requireNonNull(config.address(), "admin.address"),
        false,
        group,
        channelClass,
        api);
  }

  /**
   * Binds the developer portal's own listener ({@code portal.address}): the admin listener's
   * handler behind a {@link PortalGate}, so only the portal and sign-in are served there, with the
   * admin listener's host and session rules.
   */
  public static AdminServer startPortal(
      AdminConfig config,
      InetSocketAddress address,
      EventLoopGroup group,
      Class<? extends ServerChannel> channelClass,
      AdminApi api)
      throws InterruptedException {
    return start(config, address, true, group, channelClass, api);
  }

  private static AdminServer start(
      AdminConfig config,
      InetSocketAddress address,
      boolean portalOnly,
      EventLoopGroup group,
      Class<? extends ServerChannel> channelClass,
      AdminApi api)
      throws InterruptedException {
    // One thread for the listener's blocking work; what waits for it is bounded by AdminHandler
    // (AdminHandler.MAX_QUEUED), which reads how many wait.
    AdminWork blocking = new AdminWork(portalOnly ? "portico-portal" : "portico-admin");
    AdminHosts hosts = AdminHosts.of(config.allowedHosts());
    AdminAuth auth =
        portalOnly ? AdminAuth.portal(api.accounts()) : AdminAuth.of(config, api.accounts());
    // Open connections, closed with the listener: a streaming answer (GET /logs/tail) never ends
    // on its own.
    ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    Channel ch;
    try {
      ch =
          new ServerBootstrap()
              .group(group)
              .channel(channelClass)
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                      connections.add(c);
                      c.pipeline()
                          .addLast(new HttpServerCodec())
                          .addLast(new AdminPipelining())
                          .addLast(new AdminRequestIds())
                          .addLast(new AdminAggregator(1024 * 1024));
                      if (portalOnly) {
                        c.pipeline().addLast(PortalGate.INSTANCE);
                      }
                      c.pipeline().addLast(new AdminHandler(api, auth, hosts, blocking));
                    }
                  })
              .bind(address)
              .sync()
              .channel();
    } catch (RuntimeException | InterruptedException e) {
      blocking.close();
      throw e;
    }
    return new AdminServer(ch, connections, blocking);
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly();
    // every request handed to the admin thread is answered before its connection closes
    blocking.close();
    connections.close().awaitUninterruptibly();
  }
}
