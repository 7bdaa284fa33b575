package io.portico.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An h2c gRPC origin that answers every call with one message and the trailers the test sets, as
 * they are: names and values are not validated, so it can send what a broken or hostile server
 * sends (pseudo-headers among the trailers, a {@code grpc-status} that is not a number, control
 * characters in a value). Its codec does not validate what it receives either.
 *
 * <p>Threading: one event loop serves every connection; {@link #trailers(List)} may be called from
 * the test thread between calls.
 */
public final class GrpcTrailersOrigin implements AutoCloseable {

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final AtomicReference<List<String>> trailers =
      new AtomicReference<>(List.of("grpc-status", "0"));
  private final AtomicReference<byte[]> message = new AtomicReference<>(new byte[0]);
  private final AtomicInteger calls = new AtomicInteger();

  private GrpcTrailersOrigin() throws InterruptedException {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(Http2FrameCodecBuilder.forServer().validateHeaders(false).build())
                        .addLast(
                            new Http2MultiplexHandler(
                                new ChannelInitializer<Http2StreamChannel>() {
                                  @Override
                                  protected void initChannel(Http2StreamChannel stream) {
                                    stream.pipeline().addLast(new Answer());
                                  }
                                }));
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  public static GrpcTrailersOrigin start() throws InterruptedException {
    return new GrpcTrailersOrigin();
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** The trailers of the next answers: {@code name, value, name, value...}. */
  public void trailers(List<String> fields) {
    trailers.set(List.copyOf(fields));
  }

  /** The message (a serialized protobuf, without its prefix) of the next answers. */
  public void message(byte[] bytes) {
    message.set(bytes.clone());
  }

  /** Calls answered so far. */
  public int calls() {
    return calls.get();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Answer extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      boolean end =
          (msg instanceof Http2HeadersFrame h && h.isEndStream())
              || (msg instanceof Http2DataFrame d && d.isEndStream());
      ReferenceCountUtil.release(msg);
      if (!end) {
        return;
      }
      calls.incrementAndGet();
      Http2Headers head = new DefaultHttp2Headers(false);
      head.status("200").add("content-type", "application/grpc");
      ctx.write(new DefaultHttp2HeadersFrame(head));
      byte[] m = message.get();
      ctx.write(
          new DefaultHttp2DataFrame(
              Unpooled.buffer(5 + m.length).writeByte(0).writeInt(m.length).writeBytes(m)));
      Http2Headers t = new DefaultHttp2Headers(false);
      List<String> fields = trailers.get();
      for (int i = 0; i < fields.size(); i += 2) {
        t.add(fields.get(i), fields.get(i + 1));
      }
      ctx.writeAndFlush(new DefaultHttp2HeadersFrame(t, true));
    }
  }
}
