package io.portico.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP/2 client over clear text with prior knowledge (it starts with the connection
 * preface, no upgrade), built from Netty's own codec: one connection, one stream per request.
 * Records the server's SETTINGS and GOAWAY.
 */
public final class H2Client implements AutoCloseable {

  /** A whole response. */
  public record Response(int status, HttpHeaders headers, String body) {}

  private final EventLoopGroup group;
  private final Channel channel;
  private final CompletableFuture<Http2Settings> settings = new CompletableFuture<>();
  private final CompletableFuture<Long> goAway = new CompletableFuture<>();

  private H2Client(InetSocketAddress address) throws InterruptedException {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(
                            Http2FrameCodecBuilder.forClient()
                                .encoderIgnoreMaxHeaderListSize(true)
                                .build())
                        .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                        .addLast(new ConnectionFrames());
                  }
                })
            .connect(address)
            .sync()
            .channel();
  }

  /** Connects with prior knowledge of HTTP/2. */
  public static H2Client connect(InetSocketAddress address) throws InterruptedException {
    return new H2Client(address);
  }

  /** The server's first SETTINGS. */
  public Http2Settings remoteSettings() throws Exception {
    return settings.get(5, TimeUnit.SECONDS);
  }

  /** Completes with the error code of the server's GOAWAY. */
  public CompletableFuture<Long> goAway() {
    return goAway;
  }

  /** Completes when the connection closes. */
  public CompletableFuture<Void> closed() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    channel.closeFuture().addListener(x -> f.complete(null));
    return f;
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  public static FullHttpRequest request(HttpMethod method, String path, String host, byte[] body) {
    FullHttpRequest r =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            method,
            path,
            body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    r.headers().set(HttpHeaderNames.HOST, host);
    if (body.length > 0) {
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    }
    return r;
  }

  /** Sends {@code request} on a new stream. */
  public CompletableFuture<Response> send(FullHttpRequest request) {
    CompletableFuture<Response> response = new CompletableFuture<>();
    new Http2StreamChannelBootstrap(channel)
        .handler(
            new ChannelInitializer<Http2StreamChannel>() {
              @Override
              protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline()
                    .addLast(new Http2StreamFrameToHttpObjectCodec(false))
                    .addLast(new HttpObjectAggregator(16 * 1024 * 1024))
                    .addLast(new Collector(response));
              }
            })
        .open()
        .addListener(
            f -> {
              if (f.isSuccess()) {
                ((Channel) f.getNow()).writeAndFlush(request);
              } else {
                request.release();
                response.completeExceptionally(f.cause());
              }
            });
    return response;
  }

  public Response get(String path, String host) throws Exception {
    return send(request(HttpMethod.GET, path, host, new byte[0])).get(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private static final class Collector extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<Response> response;

    Collector(CompletableFuture<Response> response) {
      this.response = response;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof FullHttpResponse r && r.status().code() >= 200) {
          response.complete(
              new Response(
                  r.status().code(),
                  r.headers().copy(),
                  r.content().toString(StandardCharsets.UTF_8)));
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      response.completeExceptionally(new IllegalStateException("stream closed before a response"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      response.completeExceptionally(cause);
      ctx.close();
    }
  }

  private final class ConnectionFrames extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2SettingsFrame s) {
        settings.complete(s.settings());
      } else if (msg instanceof Http2GoAwayFrame g) {
        goAway.complete(g.errorCode());
      }
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
