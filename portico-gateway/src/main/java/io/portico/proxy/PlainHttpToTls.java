package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.portico.spi.plugin.GatewayAnswerHeaders;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * First on a TLS listener's pipeline: answers a client that speaks plain HTTP to it (the usual
 * slip, {@code http://host:8443/} for {@code https://}) with one HTTP/1.1 400 in clear text that
 * names the scheme to use, then closes, as nginx answers "The plain HTTP request was sent to HTTPS
 * port". Anything else passes on untouched and the handler leaves the pipeline.
 *
 * <p>The first byte decides: a TLS record starts with its content type (20 to 23) and an SSLv2
 * hello with a byte above 0x7f, while an HTTP/1.x request starts with a method, an upper-case ASCII
 * letter. Nothing of the request is read further or echoed. Stateless, so one instance serves every
 * connection.
 */
@ChannelHandler.Sharable
final class PlainHttpToTls extends ChannelInboundHandlerAdapter {

  static final PlainHttpToTls INSTANCE = new PlainHttpToTls();

  private PlainHttpToTls() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf in && in.isReadable()) {
      byte first = in.getByte(in.readerIndex());
      if (first >= 'A' && first <= 'Z') {
        in.release();
        answer(ctx);
        return;
      }
    }
    ctx.pipeline().remove(this);
    ctx.fireChannelRead(msg);
  }

  private static void answer(ChannelHandlerContext ctx) {
    String port =
        ctx.channel().localAddress() instanceof InetSocketAddress a ? ":" + a.getPort() : "";
    byte[] body =
        ("{\"type\":\"https://portico.dev/problems/plain-http-to-tls\",\"title\":\"Bad Request\","
                + "\"status\":400,\"detail\":\"This port speaks TLS: use https://<host>"
                + port
                + "/ instead of http://.\"}")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] head =
        ("HTTP/1.1 400 Bad Request\r\n"
                + "content-type: application/problem+json\r\n"
                + GatewayAnswerHeaders.X_CONTENT_TYPE_OPTIONS
                + ": "
                + GatewayAnswerHeaders.NOSNIFF
                + "\r\n"
                + "content-length: "
                + body.length
                + "\r\nconnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    ctx.writeAndFlush(Unpooled.wrappedBuffer(head, body)).addListener(ChannelFutureListener.CLOSE);
  }
}
