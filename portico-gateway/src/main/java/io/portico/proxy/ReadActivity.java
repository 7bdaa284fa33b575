package io.portico.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits in front of the HTTP codec and tells the connection's {@link DownstreamHandler} that bytes
 * arrived, so the header deadline starts at a request's first byte rather than when its head is
 * complete.
 */
final class ReadActivity extends ChannelInboundHandlerAdapter {

  private final DownstreamHandler connection;

  ReadActivity(DownstreamHandler connection) {
    this.connection = connection;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    connection.onBytes();
    ctx.fireChannelRead(msg);
  }
}
