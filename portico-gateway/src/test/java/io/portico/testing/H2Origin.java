package io.portico.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP/2 origin for tests: h2c with prior knowledge, or TLS whose ALPN offers {@code h2}
 * only. It answers by path:
 *
 * <ul>
 *   <li>{@code /slow?ms=N}: 200 after N ms;
 *   <li>{@code /slow-echo?ms=N}: the request body back after N ms;
 *   <li>{@code /trailers}: the request body back, with trailers {@code x-echo-checksum} (the
 *       request's {@code x-checksum} trailer) and {@code x-body-bytes};
 *   <li>{@code /big?bytes=N}: N bytes, written only while the stream is writable (HTTP/2 flow
 *       control), counted in {@link #bigBytesWritten()};
 *   <li>{@code /test.Lying/Unary} and {@code /test.Lying/Compressed}: a gRPC answer whose message
 *       prefix promises 100 bytes and 3 come, or which is flagged compressed without {@code
 *       grpc-encoding}, then trailers with {@code grpc-status: 0};
 *   <li>anything else: 200 {@code h2 <path>}.
 * </ul>
 *
 * It records heads, trailers, connections, the most streams open at once on one connection, the
 * resets and PINGs it received; {@link #goAwayRefusingOpenStreams()} sends GOAWAY with a last
 * stream id below every open stream, which it then drops unanswered; {@link #refuseNext(int)}
 * resets the next streams with {@code REFUSED_STREAM} once their request is complete, {@link
 * #dropConnectionOnNext(int)} closes the connection instead.
 */
public final class H2Origin implements AutoCloseable {

  private final EventLoopGroup group;
  private final Channel server;
  private final SslContext tls;
  private final int maxConcurrentStreams;
  private final ConcurrentLinkedQueue<HttpRequest> requests = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Channel> parents = new ConcurrentLinkedQueue<>();
  private volatile HttpHeaders lastTrailers;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger maxOpenStreams = new AtomicInteger();
  private final AtomicInteger openStreams = new AtomicInteger();
  private final AtomicInteger maxOpenStreamsInAll = new AtomicInteger();
  private final AtomicInteger resets = new AtomicInteger();
  private final AtomicInteger pings = new AtomicInteger();
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicLong bigWritten = new AtomicLong();
  private final AtomicInteger refuseNext = new AtomicInteger();
  private final AtomicInteger dropNext = new AtomicInteger();
  private final AtomicInteger headersEndingStream = new AtomicInteger();
  private final AtomicInteger emptyDataFrames = new AtomicInteger();
  private final ConcurrentLinkedQueue<Integer> bodySizes = new ConcurrentLinkedQueue<>();

  private H2Origin(SslContext tls, int maxConcurrentStreams) throws InterruptedException {
    this.tls = tls;
    this.maxConcurrentStreams = maxConcurrentStreams;
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    connections.incrementAndGet();
                    parents.add(ch);
                    ch.closeFuture().addListener(f -> parents.remove(ch));
                    if (tls == null) {
                      http2(ch.pipeline());
                      return;
                    }
                    ch.pipeline()
                        .addLast(tls.newHandler(ch.alloc()))
                        .addLast(
                            new ApplicationProtocolNegotiationHandler("none") {
                              @Override
                              protected void configurePipeline(
                                  ChannelHandlerContext ctx, String protocol) {
                                if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                                  http2(ctx.pipeline());
                                } else {
                                  ctx.close();
                                }
                              }
                            });
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  /** An h2c origin (prior knowledge) whose SETTINGS allow {@code maxConcurrentStreams}. */
  public static H2Origin cleartext(int maxConcurrentStreams) throws InterruptedException {
    return new H2Origin(null, maxConcurrentStreams);
  }

  /** A TLS origin; {@code tls} must offer {@code h2} by ALPN. */
  public static H2Origin tls(SslContext tls) throws InterruptedException {
    return new H2Origin(tls, 1000);
  }

  private void http2(ChannelPipeline p) {
    AtomicInteger open = new AtomicInteger();
    p.addLast(
            Http2FrameCodecBuilder.forServer()
                .initialSettings(
                    Http2Settings.defaultSettings().maxConcurrentStreams(maxConcurrentStreams))
                .build())
        .addLast(
            new Http2MultiplexHandler(
                new ChannelInitializer<Http2StreamChannel>() {
                  @Override
                  protected void initChannel(Http2StreamChannel ch) {
                    maxOpenStreams.accumulateAndGet(open.incrementAndGet(), Math::max);
                    maxOpenStreamsInAll.accumulateAndGet(openStreams.incrementAndGet(), Math::max);
                    ch.closeFuture()
                        .addListener(
                            f -> {
                              open.decrementAndGet();
                              openStreams.decrementAndGet();
                            });
                    ch.pipeline()
                        .addLast(new FrameCounter())
                        .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                        .addLast(new Stream());
                  }
                }))
        .addLast(
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2PingFrame ping && !ping.ack()) {
                  pings.incrementAndGet();
                }
                ReferenceCountUtil.release(msg);
              }
            });
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  public String authority() {
    return "127.0.0.1:" + port();
  }

  public List<HttpRequest> requests() {
    return List.copyOf(requests);
  }

  public HttpHeaders lastTrailers() {
    return lastTrailers;
  }

  /** Connections accepted. */
  public int connections() {
    return connections.get();
  }

  /** The most streams open at once on one connection. */
  public int maxOpenStreams() {
    return maxOpenStreams.get();
  }

  /** The most streams open at once over every connection. */
  public int maxOpenStreamsInAll() {
    return maxOpenStreamsInAll.get();
  }

  /** RST_STREAM frames received. */
  public int resets() {
    return resets.get();
  }

  /** PING frames received (not acknowledgements). */
  public int pings() {
    return pings.get();
  }

  /** Responses completed. */
  public int answered() {
    return answered.get();
  }

  /** Resets the next {@code n} streams with {@code REFUSED_STREAM} instead of answering them. */
  public void refuseNext(int n) {
    refuseNext.set(n);
  }

  /** HEADERS frames received that ended their stream (requests without a body or trailers). */
  public int headersEndingStream() {
    return headersEndingStream.get();
  }

  /** DATA frames received without a byte of data (such as an empty one ending a stream). */
  public int emptyDataFrames() {
    return emptyDataFrames.get();
  }

  /**
   * Closes the connection (no GOAWAY, no reset) of the next {@code n} complete requests not
   * refused, as a crashed server would.
   */
  public void dropConnectionOnNext(int n) {
    dropNext.set(n);
  }

  /** The size of every complete request body received, in order. */
  public List<Integer> bodySizes() {
    return List.copyOf(bodySizes);
  }

  /** Bytes of {@code /big} bodies written so far. */
  public long bigBytesWritten() {
    return bigWritten.get();
  }

  /**
   * Sends every connection a GOAWAY whose last stream id is below its lowest open stream: the open
   * streams are dropped unanswered, and the client must send them again elsewhere. Returns how many
   * streams were open.
   */
  public int goAwayRefusingOpenStreams() throws Exception {
    AtomicInteger refused = new AtomicInteger();
    for (Channel parent : parents) {
      parent
          .eventLoop()
          .submit(
              () -> {
                refuse(parent, refused);
                return null;
              })
          .get(5, TimeUnit.SECONDS);
    }
    return refused.get();
  }

  private static void refuse(Channel parent, AtomicInteger refused) throws Exception {
    Http2FrameCodec codec = parent.pipeline().get(Http2FrameCodec.class);
    if (codec == null) {
      return;
    }
    int[] lowest = {Integer.MAX_VALUE};
    codec
        .connection()
        .forEachActiveStream(
            s -> {
              lowest[0] = Math.min(lowest[0], s.id());
              refused.incrementAndGet();
              return true;
            });
    int last =
        lowest[0] == Integer.MAX_VALUE
            ? codec.connection().remote().lastStreamCreated()
            : lowest[0] - 2;
    ChannelHandlerContext ctx = parent.pipeline().context(codec);
    codec.goAway(
        ctx,
        Math.max(0, last),
        Http2Error.NO_ERROR.code(),
        Unpooled.EMPTY_BUFFER,
        ctx.newPromise());
    ctx.flush();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Counts the frames of a stream as they arrive. */
  private final class FrameCounter extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2HeadersFrame headers && headers.isEndStream()) {
        headersEndingStream.incrementAndGet();
      } else if (msg instanceof Http2DataFrame data && !data.content().isReadable()) {
        emptyDataFrames.incrementAndGet();
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** One stream: reads the request, then answers by its path. */
  private final class Stream extends ChannelInboundHandlerAdapter {
    private HttpRequest head;
    private final ByteBuf body = Unpooled.buffer();
    private long bigLeft;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpRequest request) {
          head = request;
          requests.add(request);
        }
        if (msg instanceof HttpContent content) {
          body.writeBytes(content.content());
          if (content instanceof LastHttpContent last) {
            lastTrailers = last.trailingHeaders().copy();
            bodySizes.add(body.readableBytes());
            if (refuseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
              ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
              return;
            }
            if (dropNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
              ctx.channel().parent().close();
              return;
            }
            answer(ctx, last.trailingHeaders());
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof Http2ResetFrame) {
        resets.incrementAndGet();
      }
      ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      body.release();
    }

    private void answer(ChannelHandlerContext ctx, HttpHeaders trailers) {
      QueryStringDecoder uri = new QueryStringDecoder(head.uri());
      switch (uri.path()) {
        case "/slow" -> {
          long ms = Long.parseLong(uri.parameters().get("ms").get(0));
          ctx.executor().schedule(() -> text(ctx, "slow " + ms), ms, TimeUnit.MILLISECONDS);
        }
        case "/slow-echo" -> {
          long ms = Long.parseLong(uri.parameters().get("ms").get(0));
          ctx.executor().schedule(() -> echo(ctx), ms, TimeUnit.MILLISECONDS);
        }
        case "/trailers" -> {
          ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
          LastHttpContent last = new DefaultLastHttpContent(body.retainedDuplicate());
          last.trailingHeaders()
              .set("x-echo-checksum", String.valueOf(trailers.get("x-checksum")))
              .set("x-body-bytes", body.readableBytes());
          ctx.writeAndFlush(last);
          answered.incrementAndGet();
        }
        case "/empty" -> {
          // One HEADERS frame that ends the stream, as a gRPC trailers-only answer is sent.
          FullHttpResponse empty =
              new DefaultFullHttpResponse(
                  HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER);
          empty.headers().set("x-whole", "yes");
          ctx.writeAndFlush(empty);
          answered.incrementAndGet();
        }
        case "/big" -> {
          bigLeft = Long.parseLong(uri.parameters().get("bytes").get(0));
          DefaultHttpResponse response =
              new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
          response.headers().set(HttpHeaderNames.CONTENT_LENGTH, bigLeft);
          ctx.writeAndFlush(response);
          writeBig(ctx);
        }
        case "/test.Lying/Unary" -> grpcAnswer(ctx, new byte[] {0, 0, 0, 0, 100, 1, 2, 3});
        case "/test.Lying/Compressed" -> grpcAnswer(ctx, new byte[] {1, 0, 0, 0, 1, 42});
        default -> text(ctx, "h2 " + uri.path());
      }
    }

    /** A gRPC answer of {@code body} as it is, whatever its prefixes say, and status OK. */
    private void grpcAnswer(ChannelHandlerContext ctx, byte[] body) {
      DefaultHttpResponse response =
          new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
      ctx.write(response);
      LastHttpContent last = new DefaultLastHttpContent(Unpooled.wrappedBuffer(body));
      last.trailingHeaders().set("grpc-status", "0");
      ctx.writeAndFlush(last);
      answered.incrementAndGet();
    }

    private void writeBig(ChannelHandlerContext ctx) {
      while (bigLeft > 0 && ctx.channel().isWritable()) {
        int n = (int) Math.min(16 * 1024, bigLeft);
        bigLeft -= n;
        bigWritten.addAndGet(n);
        ByteBuf chunk = ctx.alloc().buffer(n).writeZero(n);
        ctx.writeAndFlush(
            bigLeft == 0 ? new DefaultLastHttpContent(chunk) : new DefaultHttpContent(chunk));
      }
      if (bigLeft == 0) {
        answered.incrementAndGet();
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (bigLeft > 0 && ctx.channel().isWritable()) {
        writeBig(ctx);
      }
    }

    private void echo(ChannelHandlerContext ctx) {
      if (!ctx.channel().isActive()) {
        return;
      }
      DefaultHttpResponse response =
          new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
      ctx.write(response);
      ctx.writeAndFlush(new DefaultLastHttpContent(body.retainedDuplicate()));
      answered.incrementAndGet();
    }

    private void text(ChannelHandlerContext ctx, String text) {
      if (!ctx.channel().isActive()) {
        return;
      }
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      DefaultHttpResponse response =
          new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
      response.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
      ctx.write(response);
      ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(bytes)));
      answered.incrementAndGet();
    }
  }
}
