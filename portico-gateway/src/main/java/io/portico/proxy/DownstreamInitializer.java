package io.portico.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.portico.config.LimitsConfig;
import io.portico.config.ListenerConfig;
import io.portico.upstream.UpstreamPools;

/**
 * Builds the pipeline of each accepted client connection. The limits are taken from the snapshot
 * active when the connection is accepted, so a reload applies them to new connections.
 */
final class DownstreamInitializer extends ChannelInitializer<Channel> {

  private final ProxyServer server;
  private final ListenerConfig listener;

  DownstreamInitializer(ProxyServer server, ListenerConfig listener) {
    this.server = server;
    this.listener = listener;
  }

  @Override
  protected void initChannel(Channel ch) {
    LimitsConfig limits = server.context().snapshots().current().config().limits();
    UpstreamPools pools = server.pools(ch.eventLoop());
    DownstreamHandler handler =
        new DownstreamHandler(server.context(), pools, limits, listener.tls() != null, false);
    ch.pipeline()
        .addLast("activity", new ReadActivity(handler))
        .addLast("http", httpCodec(limits))
        .addLast("proxy", handler);
  }

  static HttpServerCodec httpCodec(LimitsConfig limits) {
    return new HttpServerCodec(
        new HttpDecoderConfig()
            .setMaxInitialLineLength(limits.maxRequestLine())
            .setMaxHeaderSize(limits.maxHeaderSize())
            .setMaxChunkSize(64 * 1024)
            .setValidateHeaders(true)
            .setAllowDuplicateContentLengths(false)
            .setAllowPartialChunks(true),
        16);
  }
}
