package io.portico.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.CombinedChannelDuplexHandler;

/**
 * A decoder and an encoder in one handler, as Netty's {@link CombinedChannelDuplexHandler}, whose
 * flushes and read requests go straight to the next handler: the HTTP/1.1 encoders add nothing to
 * either, so the delegation to the encoder and its own context (an interface call and two context
 * hops each time) is skipped. The codecs of both sides use it: the client connections' ({@code
 * proxy.ClientCodec}) and the upstream connections' ({@link UpstreamCodec}); each flushes once per
 * response or request and asks for a read after each read burst.
 *
 * @param <I> the decoder
 * @param <O> the encoder, which must not act on {@code flush} or {@code read}
 */
public abstract class CodecPair<I extends ChannelInboundHandler, O extends ChannelOutboundHandler>
    extends CombinedChannelDuplexHandler<I, O> {

  @Override
  public void flush(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    ctx.read();
  }
}
