package io.portico.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-process origin whose answers the test scripts per path: each path maps to a {@link Script}
 * that writes whatever response it likes (encoded bodies, streams cut at chosen places, a reset in
 * the middle). Requests are aggregated (bodies up to 1 MiB). Unknown paths get 404.
 */
public final class ScriptedOrigin implements AutoCloseable {

  /** Writes the answer to one request. */
  @FunctionalInterface
  public interface Script {
    void answer(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception;
  }

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Map<String, Script> scripts = new ConcurrentHashMap<>();
  private final Channel server;

  private ScriptedOrigin() throws InterruptedException {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(1 << 20))
                        .addLast(new Handler());
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  public static ScriptedOrigin start() throws InterruptedException {
    return new ScriptedOrigin();
  }

  /** Answers {@code path} with {@code script}. */
  public ScriptedOrigin on(String path, Script script) {
    scripts.put(path, script);
    return this;
  }

  public String authority() {
    return "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** A complete response with {@code body} and the given header pairs. */
  public static FullHttpResponse full(int status, byte[] body, String... headers) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
    for (int i = 0; i < headers.length; i += 2) {
      r.headers().add(headers[i], headers[i + 1]);
    }
    HttpUtil.setContentLength(r, body.length);
    return r;
  }

  /** A chunked response head with the given header pairs. */
  public static HttpResponse chunkedHead(int status, String... headers) {
    HttpResponse r =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    for (int i = 0; i < headers.length; i += 2) {
      r.headers().add(headers[i], headers[i + 1]);
    }
    HttpUtil.setTransferEncodingChunked(r, true);
    return r;
  }

  /** One chunk of a body. */
  public static DefaultHttpContent chunk(byte[] bytes) {
    return new DefaultHttpContent(Unpooled.wrappedBuffer(bytes));
  }

  /** The end of a chunked body. */
  public static LastHttpContent end() {
    return LastHttpContent.EMPTY_LAST_CONTENT;
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request)
        throws Exception {
      Script script = scripts.get(new QueryStringDecoder(request.uri()).path());
      if (script == null) {
        ctx.writeAndFlush(full(404, new byte[0]));
        return;
      }
      script.answer(ctx, request);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** The header name for content encoding, for brevity in scripts. */
  public static final String CONTENT_ENCODING = HttpHeaderNames.CONTENT_ENCODING.toString();
}
