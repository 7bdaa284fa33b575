package io.portico.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.util.AsciiString;
import io.portico.config.LimitsConfig;
import io.portico.config.ListenerConfig;
import io.portico.snapshot.Snapshot;
import io.portico.tls.ServerTls;
import io.portico.upstream.DeferredTrailers;
import io.portico.upstream.UpstreamPools;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the pipeline of each accepted client connection. The limits, the certificates and whether
 * HTTP/2 is offered are taken from the snapshot active when the connection is accepted, so a reload
 * applies them to new connections; whether the listener uses TLS is fixed when it is bound.
 *
 * <pre>
 *   plain, http2: false   ObsFoldGuard scanner ─▶ ClientCodec ─▶ DownstreamHandler
 *                           (the codec tells the ObsFoldGuard of each head and content by a call)
 *   plain, http2: true    ObsFoldGuard scanner ─▶ H2cPriorKnowledge
 *                           ─▶ ClientCodec ─▶ upgrade handler ─▶ DownstreamHandler
 *                           ├ connection preface ─▶ HTTP/2 handlers
 *                           ├ Upgrade: h2c ─▶ 101 ─▶ HTTP/2 handlers (the request is stream 1)
 *                           └ otherwise ─▶ HTTP/1.1 as above
 *   TLS                   PlainHttpToTls (first bytes only) ─▶ SniHandler ─▶ SslHandler
 *                           ─▶ ALPN: h2 ─▶ HTTP/2 handlers
 *                                    http/1.1 ─▶ HTTP/1.1 as above
 *   HTTP/2 handlers       Http2FrameGuard ─▶ Http2ClientConnection
 *                           ─▶ Http2ConnectionGuard (which installs the Http2FrameGuard)
 *                         (per stream, no channel: Http2ClientStream ─▶ DownstreamHandler)
 * </pre>
 */
final class DownstreamInitializer extends ChannelInitializer<Channel> {

  private static final Logger log = LoggerFactory.getLogger(DownstreamInitializer.class);

  /**
   * Control frames (SETTINGS and PING acks, RST_STREAM) that may wait to be written, because the
   * client does not read them, before the connection is closed.
   */
  static final int MAX_QUEUED_CONTROL_FRAMES = 10_000;

  /** DATA frames without payload and without end of stream accepted in a row. */
  static final int MAX_CONSECUTIVE_EMPTY_DATA_FRAMES = 2;

  private final ProxyServer server;
  private final ListenerConfig bound;
  private final @Nullable ServerTls boundTls;

  DownstreamInitializer(ProxyServer server, ListenerConfig listener) {
    this.server = server;
    this.bound = listener;
    this.boundTls = server.context().snapshots().current().tls().get(listener.name());
  }

  /** What one connection is built with, read once when it is accepted. */
  private record Setup(
      LimitsConfig limits, UpstreamPools pools, boolean secure, Duration gracefulShutdown) {}

  @Override
  protected void initChannel(Channel ch) {
    Snapshot snapshot = server.context().snapshots().current();
    ListenerConfig listener = current(snapshot);
    Setup setup =
        new Setup(
            snapshot.config().limits(),
            server.pools(ch.eventLoop()),
            bound.tls() != null,
            snapshot.config().runtime().shutdownTimeout());
    ChannelPipeline p = ch.pipeline();
    if (bound.tls() != null) {
      ServerTls tls =
          Objects.requireNonNull(
              snapshot.tls().getOrDefault(bound.name(), boundTls),
              "a TLS listener has its server TLS in the snapshot or from its bind");
      p.addLast("plain-http", PlainHttpToTls.INSTANCE)
          .addLast("tls", tls.newHandler(setup.limits().headerTimeout().toMillis()))
          .addLast("alpn", new ProtocolNegotiation(setup));
    } else if (listener.http2()) {
      DownstreamHandler handler = http1Handler(setup);
      ObsFoldGuard fold = new ObsFoldGuard(setup.limits(), handler);
      ClientCodec codec = httpCodec(setup.limits(), fold);
      p.addLast("fold", fold.scanner())
          .addLast(
              "h2c",
              new H2cPriorKnowledge(
                  codec, new H2cUpgrade(codec, h2cUpgradeCodecs(setup)), new Http2Installer(setup)))
          .addLast("proxy", handler);
    } else {
      addHttp1(p, null, setup);
    }
  }

  /** The bound listener's settings as the snapshot has them, when it still has that listener. */
  private ListenerConfig current(Snapshot snapshot) {
    for (ListenerConfig l : snapshot.config().listeners()) {
      if (l.name().equals(bound.name()) && (l.tls() == null) == (bound.tls() == null)) {
        return l;
      }
    }
    return bound;
  }

  /**
   * The HTTP/1.1 codec of a client connection; the trailers of a request with a body are {@link
   * DeferredTrailers}, a map only when the request has trailers.
   *
   * @param fold told of each head and content the codec decodes; null only where a codec decodes
   *     heads outside a connection (the request-head benchmark)
   */
  static ClientCodec httpCodec(LimitsConfig limits, @Nullable ObsFoldGuard fold) {
    return new ClientCodec(
        new HttpDecoderConfig()
            .setMaxInitialLineLength(limits.maxRequestLine())
            .setMaxHeaderSize(limits.maxHeaderSize())
            .setMaxChunkSize(64 * 1024)
            .setValidateHeaders(true)
            .setTrailersFactory(DeferredTrailers.FACTORY)
            .setAllowDuplicateContentLengths(false)
            .setAllowPartialChunks(true),
        16,
        fold);
  }

  // ---------------------------------------------------------------- HTTP/1.1

  private DownstreamHandler http1Handler(Setup setup) {
    return new DownstreamHandler(server.context(), setup.pools(), setup.limits(), setup.secure());
  }

  /** Adds the HTTP/1.1 handlers after {@code after}, or last when it is null. */
  private void addHttp1(ChannelPipeline p, @Nullable String after, Setup setup) {
    DownstreamHandler handler = http1Handler(setup);
    ObsFoldGuard fold = new ObsFoldGuard(setup.limits(), handler);
    if (after == null) {
      p.addLast("fold", fold.scanner())
          .addLast("http", httpCodec(setup.limits(), fold))
          .addLast("proxy", handler);
    } else {
      p.addAfter(after, "proxy", handler)
          .addAfter(after, "http", httpCodec(setup.limits(), fold))
          .addAfter(after, "fold", fold.scanner());
    }
  }

  // ---------------------------------------------------------------- HTTP/2

  /**
   * The connection-level HTTP/2 handlers, in pipeline order: the connection, its guard. Each stream
   * the client opens gets a {@link DownstreamHandler} of its own for its exchange.
   */
  private Http2ClientConnection http2Connection(Setup setup) {
    return Http2ClientConnection.create(
        setup.limits(),
        setup.gracefulShutdown(),
        stream ->
            new DownstreamHandler(
                server.context(), setup.pools(), setup.limits(), setup.secure(), stream));
  }

  /** Adds the HTTP/2 handlers right after the handler of {@code ctx}. */
  private void addHttp2(ChannelHandlerContext ctx, Setup setup) {
    Http2ClientConnection connection = http2Connection(setup);
    ctx.pipeline()
        .addAfter(ctx.name(), "h2", connection)
        .addAfter("h2", "h2-guard", connection.guard());
  }

  /** The codec that switches a connection to HTTP/2 after {@code Upgrade: h2c}. */
  private HttpServerUpgradeHandler.UpgradeCodecFactory h2cUpgradeCodecs(Setup setup) {
    return protocol -> {
      if (!AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)) {
        return null;
      }
      Http2ClientConnection connection = http2Connection(setup);
      return new Http2ServerUpgradeCodec("h2", connection, connection.guard());
    };
  }

  /** Replaces itself with the HTTP/2 handlers: h2c by prior knowledge. */
  private final class Http2Installer extends ChannelInboundHandlerAdapter {
    private final Setup setup;

    Http2Installer(Setup setup) {
      this.setup = setup;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      addHttp2(ctx, setup);
      ctx.pipeline().remove(this);
    }
  }

  /**
   * {@code Upgrade: h2c} on the first request of a plain connection. Only a request with one {@code
   * Host} and without a body is upgraded, so that no body is ever buffered here; any other request
   * (including other upgrades, such as WebSocket) passes through untouched, and the handler removes
   * itself after the first request either way.
   */
  private static final class H2cUpgrade extends HttpServerUpgradeHandler {

    H2cUpgrade(SourceCodec codec, UpgradeCodecFactory codecs) {
      super(
          codec,
          codecs,
          0,
          DefaultHttpHeadersFactory.headersFactory(),
          DefaultHttpHeadersFactory.trailersFactory(),
          true);
    }

    @Override
    protected boolean shouldHandleUpgradeRequest(HttpRequest request) {
      // Two Host fields (or none) would be one :authority after the upgrade: the HTTP/1.1 checks
      // refuse such a request instead.
      return request.headers().getAll(HttpHeaderNames.HOST).size() == 1
          && !HttpUtil.isTransferEncodingChunked(request)
          && HttpUtil.getContentLength(request, 0L) == 0
          && AsciiString.containsIgnoreCase(
              request.headers().get(HttpHeaderNames.UPGRADE, ""),
              Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME);
    }
  }

  /** After the TLS handshake: HTTP/2 or HTTP/1.1, as ALPN decided (HTTP/1.1 without ALPN). */
  private final class ProtocolNegotiation extends ApplicationProtocolNegotiationHandler {
    private final Setup setup;

    ProtocolNegotiation(Setup setup) {
      super(ApplicationProtocolNames.HTTP_1_1);
      this.setup = setup;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        addHttp2(ctx, setup);
      } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
        addHttp1(ctx.pipeline(), ctx.name(), setup);
      } else {
        ctx.close();
      }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      log.debug(
          "TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
      if (ClientFaults.isClientFault(cause)) {
        log.debug(
            "client connection {} failed during the TLS handshake: {}",
            ctx.channel().remoteAddress(),
            cause.toString());
        ctx.close();
        return;
      }
      super.exceptionCaught(ctx, cause);
    }
  }
}
