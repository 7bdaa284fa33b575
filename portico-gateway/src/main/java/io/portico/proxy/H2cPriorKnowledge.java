package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * The first handler of a plain listener that offers HTTP/2: a connection that opens with the HTTP/2
 * connection preface speaks HTTP/2 by prior knowledge, and any other speaks HTTP/1.1 (where the
 * first request may still ask for {@code Upgrade: h2c}). Netty's {@code
 * CleartextHttp2ServerUpgradeHandler} does the same but takes only Netty's own server codec.
 *
 * <p>When added, it puts the HTTP/1.1 codec and the upgrade handler after itself. It reads the
 * first bytes: as soon as they differ from the preface it removes itself, and the bytes go on to
 * the HTTP/1.1 codec; once the whole preface is there it removes the codec (as an upgrade from it
 * does, with the {@link ObsFoldGuard} scanner ahead of it) and the upgrade handler, puts the HTTP/2
 * handler in their place, removes itself (the preface goes on to the HTTP/2 handler) and fires
 * {@link #PRIOR_KNOWLEDGE}.
 */
final class H2cPriorKnowledge extends ByteToMessageDecoder {

  /** The user event fired when the connection switched to HTTP/2 by prior knowledge. */
  static final Object PRIOR_KNOWLEDGE =
      new Object() {
        @Override
        public String toString() {
          return "H2cPriorKnowledge.PRIOR_KNOWLEDGE";
        }
      };

  private static final ByteBuf PREFACE =
      Unpooled.unreleasableBuffer(Http2CodecUtil.connectionPrefaceBuf()).asReadOnly();

  private final ClientCodec http1Codec;
  private final HttpServerUpgradeHandler upgrade;
  private final ChannelHandler http2;

  H2cPriorKnowledge(
      ClientCodec http1Codec, HttpServerUpgradeHandler upgrade, ChannelHandler http2) {
    this.http1Codec = http1Codec;
    this.upgrade = upgrade;
    this.http2 = http2;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    ctx.pipeline().addAfter(ctx.name(), null, upgrade).addAfter(ctx.name(), null, http1Codec);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int prefaceLength = PREFACE.readableBytes();
    int n = Math.min(in.readableBytes(), prefaceLength);
    if (!ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), in, in.readerIndex(), n)) {
      ctx.pipeline().remove(this);
    } else if (n == prefaceLength) {
      http1Codec.upgradeFrom(ctx);
      ctx.pipeline().remove(upgrade);
      ctx.pipeline().addAfter(ctx.name(), null, http2);
      ctx.pipeline().remove(this);
      ctx.fireUserEventTriggered(PRIOR_KNOWLEDGE);
    }
  }
}
