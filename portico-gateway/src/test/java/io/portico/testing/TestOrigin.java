package io.portico.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSession;

/**
 * An in-process origin server for end-to-end tests, on real sockets. Paths:
 *
 * <ul>
 *   <li>{@code /hello}: 200 {@code Hello, World!}
 *   <li>{@code /headers}: 200, body = the request line and headers as received, one per line
 *   <li>{@code /echo}: streams the request body back (chunked), as it arrives
 *   <li>{@code /count}: reads the body without keeping it, answers its length
 *   <li>{@code /sha256}: reads the body without keeping it, answers {@code <length> <hex SHA-256>}
 *   <li>{@code /download?bytes=N}: streams N zero bytes, honouring backpressure
 *   <li>{@code /status/CODE}: an empty response with that status
 *   <li>{@code /delay/MS}: 200 after MS milliseconds
 *   <li>{@code /slow-body/MS}: 200 with a chunked body: {@code first,} at once, {@code second} MS
 *       milliseconds later
 *   <li>{@code /events/MS}: a {@code text/event-stream} of three events cut across chunks, the last
 *       MS milliseconds after the first two
 *   <li>{@code /many-headers?count=N}: 200 with N header fields
 *   <li>{@code /head-with-body}: 200 with {@code Content-Length: 5}, followed by 5 body bytes even
 *       for HEAD (a broken upstream)
 *   <li>{@code /reset}: closes the connection without answering
 *   <li>{@code /half}: sends the head and part of a body, then closes
 *   <li>{@code /stall}: sends the head and part of a body, then nothing, keeping the connection
 *   <li>{@code /ws}: a WebSocket endpoint that echoes text frames
 * </ul>
 *
 * Every request head is recorded in {@link #requests()}, and the trailers of the last request in
 * {@link #lastTrailers()}. A {@link #builder()} gives an origin with connection behaviours that
 * upset a proxy's connection pool: closing idle connections, or closing a reused connection instead
 * of answering it.
 */
public final class TestOrigin implements AutoCloseable {

  private final EventLoopGroup group;
  private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Channel server;
  private final ConcurrentLinkedQueue<HttpRequest> requests = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<HttpRequest> wholeRequests = new ConcurrentLinkedQueue<>();
  private volatile HttpHeaders lastTrailers = EmptyHttpHeaders.INSTANCE;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final String name;
  private final Duration closeIdleAfter;
  private final boolean closeOnSecondRequest;
  private final SslContext tls;
  private final ConcurrentLinkedQueue<SSLSession> tlsSessions = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> alpn = new ConcurrentLinkedQueue<>();

  private TestOrigin(Builder b) throws InterruptedException {
    this.name = b.name;
    this.closeIdleAfter = b.closeIdleAfter;
    this.closeOnSecondRequest = b.closeOnSecondRequest;
    this.tls = b.tls;
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
                    open.incrementAndGet();
                    children.add(ch);
                    ch.closeFuture().addListener(f -> open.decrementAndGet());
                    if (tls != null) {
                      SslHandler ssl = tls.newHandler(ch.alloc());
                      ssl.handshakeFuture()
                          .addListener(
                              f -> {
                                if (f.isSuccess()) {
                                  tlsSessions.add(ssl.engine().getSession());
                                  alpn.add(String.valueOf(ssl.applicationProtocol()));
                                }
                              });
                      ch.pipeline().addLast("tls", ssl);
                    }
                    ch.pipeline()
                        .addLast("http", new HttpServerCodec())
                        .addLast("origin", new Handler());
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  public static TestOrigin start() throws InterruptedException {
    return builder().start();
  }

  /** An origin whose {@code /hello} answers with its name, to tell origins apart. */
  public static TestOrigin start(String name) throws InterruptedException {
    return builder().name(name).start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options of an origin; each one a behaviour real servers have. */
  public static final class Builder {
    private String name = "origin";
    private Duration closeIdleAfter;
    private boolean closeOnSecondRequest;
    private SslContext tls;

    private Builder() {}

    /** Serves HTTPS with {@code context} (a server context) instead of plain HTTP. */
    public Builder tls(SslContext context) {
      this.tls = context;
      return this;
    }

    /** {@code /hello} answers with this name. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** Closes a connection that has been idle (no request in progress) for this long. */
    public Builder closeIdleAfter(Duration idle) {
      this.closeIdleAfter = idle;
      return this;
    }

    /**
     * Closes a connection, without answering, when its second request arrives: what a server does
     * when its keep-alive timeout fires just as a request is on the way.
     */
    public Builder closeOnSecondRequest() {
      this.closeOnSecondRequest = true;
      return this;
    }

    public TestOrigin start() throws InterruptedException {
      return new TestOrigin(this);
    }
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

  /**
   * The requests whose body reached its end, in order. A request whose head arrived but whose body
   * was cut (the connection closed mid-body) is in {@link #requests()} only.
   */
  public List<HttpRequest> wholeRequests() {
    return List.copyOf(wholeRequests);
  }

  public HttpRequest lastRequest() {
    HttpRequest last = null;
    for (HttpRequest r : requests) {
      last = r;
    }
    return last;
  }

  /** The trailers of the last request body that ended (empty when it had none). */
  public HttpHeaders lastTrailers() {
    return lastTrailers;
  }

  public int requestCount() {
    return requests.size();
  }

  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** The TLS sessions of the handshakes that succeeded, in order (HTTPS origins only). */
  public List<SSLSession> tlsSessions() {
    return List.copyOf(tlsSessions);
  }

  /** The protocol ALPN chose on each TLS connection ({@code "null"} when none). */
  public List<String> alpnProtocols() {
    return List.copyOf(alpn);
  }

  /** Connections open now. */
  public int openConnections() {
    return open.get();
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly();
    // Like a process that dies: every accepted connection is closed now, answered or not.
    children.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private final class Handler extends ChannelInboundHandlerAdapter {
    private String mode;
    private HttpRequest current;
    private long counted;
    private MessageDigest sha256;
    private int served;
    private boolean dropping;
    private ScheduledFuture<?> idleClose;
    private Downloader downloader;

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable() && downloader != null) {
        downloader.run();
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      armIdleClose(ctx);
      ctx.fireChannelActive();
    }

    private void armIdleClose(ChannelHandlerContext ctx) {
      if (closeIdleAfter != null) {
        Runnable close = ctx::close;
        idleClose = ctx.executor().schedule(close, closeIdleAfter.toNanos(), TimeUnit.NANOSECONDS);
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (dropping) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpRequest req) {
        requests.add(req);
        current = req;
        if (idleClose != null) {
          idleClose.cancel(false);
          idleClose = null;
        }
        if (closeOnSecondRequest && ++served >= 2) {
          dropping = true;
          ReferenceCountUtil.release(msg);
          ctx.close();
          return;
        }
        QueryStringDecoder q = new QueryStringDecoder(req.uri());
        String path = q.path();
        mode = path;
        counted = 0;
        sha256 = newSha256();
        if (path.equals("/ws")) {
          ctx.pipeline().addAfter("origin", "ws", new WebSocketServerProtocolHandler("/ws"));
          ctx.pipeline().addAfter("ws", "wsecho", new WsEcho());
          ctx.pipeline()
              .addBefore("ws", "agg", new io.netty.handler.codec.http.HttpObjectAggregator(65536));
          ctx.pipeline().remove(this);
          ctx.pipeline().context("http").fireChannelRead(msg);
          return;
        }
        if (path.equals("/echo")) {
          HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
          HttpUtil.setTransferEncodingChunked(head, true);
          ctx.write(head);
        } else if (path.equals("/reset")) {
          ctx.close();
        }
      }
      if (msg instanceof HttpContent content) {
        if ("/echo".equals(mode)) {
          if (content instanceof LastHttpContent) {
            ctx.writeAndFlush(content);
          } else {
            ctx.writeAndFlush(new DefaultHttpContent(content.content()));
          }
          return;
        }
        counted += content.content().readableBytes();
        for (ByteBuffer part : content.content().nioBuffers()) {
          sha256.update(part);
        }
        if (content instanceof LastHttpContent last) {
          lastTrailers = last.trailingHeaders().copy();
          wholeRequests.add(current);
        }
        content.release();
        if (content instanceof LastHttpContent) {
          respond(ctx);
        }
      }
    }

    /**
     * A {@code text/event-stream} of three events ({@code data: one}, {@code two}, {@code three}),
     * cut across chunks so that no chunk holds exactly one event, the last one {@code ms} later.
     */
    private void events(ChannelHandlerContext ctx, long ms) {
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
      HttpUtil.setTransferEncodingChunked(head, true);
      ctx.write(head);
      ctx.writeAndFlush(
          new DefaultHttpContent(Unpooled.copiedBuffer("data: one\n\nda", StandardCharsets.UTF_8)));
      ctx.writeAndFlush(
          new DefaultHttpContent(Unpooled.copiedBuffer("ta: two\r\n\r", StandardCharsets.UTF_8)));
      ctx.executor()
          .schedule(
              () -> {
                ctx.write(
                    new DefaultHttpContent(
                        Unpooled.copiedBuffer("\ndata: three\n\n", StandardCharsets.UTF_8)));
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
              },
              ms,
              TimeUnit.MILLISECONDS);
    }

    private void respond(ChannelHandlerContext ctx) {
      HttpRequest req = current;
      QueryStringDecoder q = new QueryStringDecoder(req.uri());
      String path = q.path();
      if (path.equals("/hello")) {
        full(ctx, HttpResponseStatus.OK, name.equals("origin") ? "Hello, World!" : name);
      } else if (path.equals("/headers")) {
        StringBuilder sb = new StringBuilder();
        sb.append(req.method())
            .append(' ')
            .append(req.uri())
            .append(' ')
            .append(req.protocolVersion())
            .append('\n');
        for (Map.Entry<String, String> h : req.headers()) {
          sb.append(h.getKey().toLowerCase()).append(": ").append(h.getValue()).append('\n');
        }
        full(ctx, HttpResponseStatus.OK, sb.toString());
      } else if (path.equals("/count")) {
        full(ctx, HttpResponseStatus.OK, Long.toString(counted));
      } else if (path.equals("/sha256")) {
        full(ctx, HttpResponseStatus.OK, counted + " " + HexFormat.of().formatHex(sha256.digest()));
      } else if (path.equals("/download")) {
        long bytes = Long.parseLong(q.parameters().get("bytes").get(0));
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setContentLength(head, bytes);
        ctx.write(head);
        downloader = new Downloader(ctx, bytes);
        downloader.run();
      } else if (path.startsWith("/status/")) {
        int code = Integer.parseInt(path.substring(8));
        full(ctx, HttpResponseStatus.valueOf(code), "");
      } else if (path.startsWith("/delay/")) {
        long ms = Long.parseLong(path.substring(7));
        ctx.executor()
            .schedule(() -> full(ctx, HttpResponseStatus.OK, "late"), ms, TimeUnit.MILLISECONDS);
      } else if (path.startsWith("/slow-body/")) {
        long ms = Long.parseLong(path.substring(11));
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.write(head);
        ctx.writeAndFlush(
            new DefaultHttpContent(Unpooled.copiedBuffer("first,", StandardCharsets.UTF_8)));
        ctx.executor()
            .schedule(
                () -> {
                  ctx.write(
                      new DefaultHttpContent(
                          Unpooled.copiedBuffer("second", StandardCharsets.UTF_8)));
                  ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                },
                ms,
                TimeUnit.MILLISECONDS);
      } else if (path.startsWith("/events/")) {
        events(ctx, Long.parseLong(path.substring(8)));
      } else if (path.equals("/stall")) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setContentLength(head, 1000);
        ctx.write(head);
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[100])));
      } else if (path.equals("/unframed")) {
        // A response delimited by closing the connection (no Content-Length, not chunked).
        ctx.pipeline()
            .context("http")
            .writeAndFlush(
                Unpooled.copiedBuffer(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil close",
                    StandardCharsets.US_ASCII))
            .addListener(ChannelFutureListener.CLOSE);
      } else if (path.equals("/many-headers")) {
        int count = Integer.parseInt(q.parameters().get("count").get(0));
        FullHttpResponse r =
            new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        for (int i = 0; i < count; i++) {
          r.headers().add("x-h" + i, "v");
        }
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        ctx.writeAndFlush(r);
      } else if (path.equals("/head-with-body")) {
        // Wrong on purpose: after the head of a response to HEAD, body bytes follow.
        FullHttpResponse r =
            new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 5);
        ctx.write(r);
        ctx.pipeline()
            .context("http")
            .writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII));
      } else if (path.equals("/half")) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setContentLength(head, 1000);
        ctx.write(head);
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[100])))
            .addListener(ChannelFutureListener.CLOSE);
      } else if (!path.equals("/reset")) {
        full(ctx, HttpResponseStatus.NOT_FOUND, "no such origin path " + path);
      }
    }

    private void full(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
      if (!ctx.channel().isActive()) {
        return;
      }
      FullHttpResponse r =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
      HttpUtil.setContentLength(r, r.content().readableBytes());
      ctx.writeAndFlush(r);
      armIdleClose(ctx);
    }
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes a large body in 64 KiB chunks while the channel is writable, and goes on when it becomes
   * writable again.
   */
  private static final class Downloader implements Runnable {
    private final ChannelHandlerContext ctx;
    private long remaining;

    Downloader(ChannelHandlerContext ctx, long bytes) {
      this.ctx = ctx;
      this.remaining = bytes;
    }

    @Override
    public void run() {
      while (remaining > 0 && ctx.channel().isActive()) {
        if (!ctx.channel().isWritable()) {
          ctx.flush();
          return;
        }
        int n = (int) Math.min(64 * 1024, remaining);
        // Zeros, not the pooled buffer's old contents: a body read as text must decode to N chars.
        ByteBuf chunk = ctx.alloc().buffer(n).writeZero(n);
        remaining -= n;
        ctx.write(new DefaultHttpContent(chunk));
      }
      if (remaining == 0) {
        remaining = -1;
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      }
    }
  }

  private static final class WsEcho extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof TextWebSocketFrame frame) {
        ctx.writeAndFlush(new TextWebSocketFrame("echo: " + frame.text()));
        frame.release();
      } else {
        ctx.fireChannelRead(msg);
      }
    }
  }
}
