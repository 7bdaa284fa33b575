package io.portico.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The origin of {@code bench/h2c-upstream.sh}: {@code /hello} (13 bytes, any path) over HTTP/1.1
 * and over h2c with prior knowledge on the same port, so one origin serves both of the gateway's
 * upstream protocols with the same handler. A connection whose first bytes are the HTTP/2 preface
 * gets the HTTP/2 codec, any other the HTTP/1.1 one. One event loop.
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar io.portico.bench.HelloOrigin 19001
 * </pre>
 */
public final class HelloOrigin {

  private static final byte[] HELLO = "Hello, world!".getBytes(StandardCharsets.US_ASCII);

  private HelloOrigin() {}

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 19001;
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new ProtocolChoice());
              }
            })
        .bind(new InetSocketAddress("127.0.0.1", port))
        .sync();
    Runtime.getRuntime().addShutdownHook(new Thread(group::shutdownGracefully));
  }

  /** Looks at a connection's first bytes: the HTTP/2 preface, or HTTP/1.1. */
  private static final class ProtocolChoice extends ByteToMessageDecoder {
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
      int n = Math.min(in.readableBytes(), preface.readableBytes());
      boolean h2 = ByteBufUtil.equals(in, in.readerIndex(), preface, 0, n);
      preface.release();
      if (h2 && n < 24) {
        return; // not enough to tell yet
      }
      if (h2) {
        String codec = ctx.name() + "-h2";
        ctx.pipeline()
            .addAfter(ctx.name(), codec, Http2FrameCodecBuilder.forServer().build())
            .addAfter(
                codec,
                null,
                new Http2MultiplexHandler(
                    new ChannelInitializer<Http2StreamChannel>() {
                      @Override
                      protected void initChannel(Http2StreamChannel ch) {
                        ch.pipeline()
                            .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                            .addLast(new Hello());
                      }
                    }));
      } else {
        ctx.pipeline()
            .addAfter(ctx.name(), null, new Hello())
            .addAfter(ctx.name(), null, new HttpServerKeepAliveHandler())
            .addAfter(ctx.name(), null, new HttpServerCodec());
      }
      ctx.pipeline().remove(this);
    }
  }

  /** Answers every request, at its end, with the 13 bytes of {@code Hello, world!}. */
  @ChannelHandler.Sharable
  private static final class Hello extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      boolean last = msg instanceof LastHttpContent;
      ReferenceCountUtil.release(msg);
      if (last) {
        FullHttpResponse r =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(HELLO));
        r.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
            .setInt(HttpHeaderNames.CONTENT_LENGTH, HELLO.length);
        ctx.write(r);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }
  }
}
