package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.portico.config.LimitsConfig;
import io.portico.eventloop.BurstFlushingHttp2Handler;
import io.portico.upstream.DeferredTrailers;
import java.time.Duration;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/2 client connection: Netty's {@link Http2ConnectionHandler} (frame codec, HPACK, stream
 * states, flow control both ways, the limits on resets, queued control frames and empty DATA) with
 * a frame listener of its own, and each request stream a plain {@link Http2ClientStream} kept on
 * Netty's {@code Http2Stream} (a {@link Http2Connection.PropertyKey}), so that a request costs no
 * channel, pipeline or promise of its own, and is converted once, from frames to the HTTP/1.1
 * objects the exchange reads and back.
 *
 * <pre>
 *   [TLS] ─▶ Http2FrameGuard ─▶ Http2ClientConnection ─▶ Http2ConnectionGuard
 *                                  │  ▲
 *         frames of stream n ──────┘  └── HEADERS/DATA/trailers written by the streams,
 *         ─▶ Http2ClientStream n ─▶ DownstreamHandler n ─▶ HttpExchange   flushed in bursts
 * </pre>
 *
 * <p>A request head is checked ({@link Http2RequestHeadCheck}) and converted when its HEADERS
 * arrive; a malformed one is refused with RST_STREAM PROTOCOL_ERROR, as are the stream errors the
 * codec finds (a body longer or shorter than its {@code content-length}, a forbidden field), each
 * with its own error code and logged at DEBUG: never CANCEL, which would hide the reset from {@code
 * http2-max-resets-per-window}. The request of an {@code Upgrade: h2c} becomes stream 1.
 *
 * <p>Flushes, windows and stream events as {@link BurstFlushingHttp2Handler} says: the streams'
 * writes are flushed at most once per read burst of this connection or per event-loop turn.
 *
 * <p>Confined to its event loop.
 */
final class Http2ClientConnection extends BurstFlushingHttp2Handler<Http2ClientStream> {

  private static final Logger log = LoggerFactory.getLogger(Http2ClientConnection.class);

  private static final int FRAME_SIZE = Http2CodecUtil.DEFAULT_MAX_FRAME_SIZE;

  private final Function<Http2ClientStream, DownstreamHandler> exchanges;
  private final Http2ConnectionGuard guard;
  private final int connectionWindow;
  private long dataFramesSent;
  private boolean windowRaised;
  private @Nullable ClientPeer peer;

  private Http2ClientConnection(
      Http2ConnectionDecoder decoder,
      Http2ConnectionEncoder encoder,
      Http2Settings initialSettings,
      LimitsConfig limits,
      Function<Http2ClientStream, DownstreamHandler> exchanges) {
    super(decoder, encoder, initialSettings);
    this.exchanges = exchanges;
    this.guard = new Http2ConnectionGuard(this, limits);
    this.connectionWindow = limits.http2ConnectionWindow();
    decoder.frameListener(new Frames());
  }

  /**
   * The handler of one client connection; {@code exchanges} makes the handler that runs a new
   * stream's exchange.
   */
  static Http2ClientConnection create(
      LimitsConfig limits,
      Duration gracefulShutdown,
      Function<Http2ClientStream, DownstreamHandler> exchanges) {
    return new Builder(limits, gracefulShutdown, exchanges).build();
  }

  /** The connection's guard, the handler to put after this one. */
  Http2ConnectionGuard guard() {
    return guard;
  }

  Channel channel() {
    return ctx.channel();
  }

  ChannelPromise voidPromise() {
    return ctx.voidPromise();
  }

  ChannelPromise newPromise() {
    return ctx.newPromise();
  }

  /** The client's address and forwarding facts, made for the first stream and shared by all. */
  ClientPeer peer(boolean secure) {
    ClientPeer p = peer;
    if (p == null) {
      p = ClientPeer.of(ctx.channel(), secure, true);
      peer = p;
    }
    return p;
  }

  /** Exchanges in progress: the streams open now. */
  int activeStreams() {
    return connection().numActiveStreams();
  }

  // ---------------------------------------------------------------- what the streams write

  void writeHeaders(Http2Stream stream, Http2Headers headers, boolean end, ChannelPromise p) {
    encoder().writeHeaders(ctx, stream.id(), headers, 0, end, p);
  }

  void writeData(Http2Stream stream, ByteBuf data, boolean end, ChannelPromise p) {
    dataFramesSent += Math.max(1, (data.readableBytes() + FRAME_SIZE - 1) / FRAME_SIZE);
    encoder().writeData(ctx, stream.id(), data, 0, end, p);
  }

  /**
   * The DATA frames written to the client so far, as many as the bodies written would take at
   * HTTP/2's default frame size (16384 bytes), and at least one per write: the measure of {@link
   * Http2FrameGuard}'s WINDOW_UPDATE budget. A client that grants its windows a byte at a time
   * makes the gateway write more, smaller frames than this, and is not given more budget for it.
   */
  long dataFramesSent() {
    return dataFramesSent;
  }

  // ---------------------------------------------------------------- the channel

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    if (ctx.channel().isActive()) {
      raiseConnectionWindow(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    super.channelActive(ctx);
    raiseConnectionWindow(ctx);
  }

  /**
   * Grants the connection's receive window ({@code limits.http2-connection-window}) with one
   * WINDOW_UPDATE right after the SETTINGS of the preface: HTTP/2 starts every connection at 64
   * KiB, which would hold a client's streams together to that much per round trip.
   */
  private void raiseConnectionWindow(ChannelHandlerContext ctx) throws Http2Exception {
    if (windowRaised) {
      return;
    }
    windowRaised = true;
    int more = connectionWindow - LimitsConfig.HTTP2_DEFAULT_WINDOW;
    if (more > 0) {
      decoder().flowController().incrementWindowSize(connection().connectionStream(), more);
      ctx.flush();
    }
  }

  /** The request of an {@code Upgrade: h2c}, which Netty made stream 1, runs as that stream. */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent upgrade) {
      try {
        // A request without a body (H2cUpgrade upgrades no other): its HEADERS end the stream.
        FullHttpRequest request = upgrade.upgradeRequest();
        request.headers().set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), "http");
        Http2Stream stream = connection().stream(Http2CodecUtil.HTTP_UPGRADE_STREAM_ID);
        if (stream != null) {
          open(ctx, stream, HttpConversionUtil.toHttp2Headers(request, true), true);
        }
      } catch (Http2Exception e) {
        onError(ctx, false, e);
      } finally {
        upgrade.release();
      }
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  protected void onStreamError(
      ChannelHandlerContext ctx,
      boolean outbound,
      Throwable cause,
      Http2Exception.StreamException error) {
    log.debug(
        "HTTP/2 stream {} of {} reset with {}: {}",
        error.streamId(),
        ctx.channel().remoteAddress(),
        error.error(),
        cause.toString());
    super.onStreamError(ctx, outbound, cause, error);
    flushSoon();
  }

  // ---------------------------------------------------------------- what the client sends

  /** Request frames, each handed to its stream as the HTTP/1.1 objects the exchange reads. */
  private final class Frames extends Http2FrameAdapter {

    @Override
    public int onDataRead(
        ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean end) {
      Http2ClientStream s = stream(streamId);
      if (s == null) {
        return data.readableBytes() + padding;
      }
      int bytes = data.readableBytes();
      data.retain();
      s.onRequest(
          end
              ? new DefaultLastHttpContent(data, DeferredTrailers.FACTORY)
              : new DefaultHttpContent(data),
          bytes);
      // The padding's window goes back at once; the data's when the exchange took it.
      return padding;
    }

    @Override
    public void onHeadersRead(
        ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean end)
        throws Http2Exception {
      Http2Stream stream = connection().stream(streamId);
      if (stream == null) {
        return;
      }
      Http2ClientStream s = streamOf(stream);
      if (s != null) {
        if (!end) {
          throw Http2Exception.streamError(
              streamId, Http2Error.PROTOCOL_ERROR, "HEADERS after the request head, not its end");
        }
        LastHttpContent trailers =
            new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, DeferredTrailers.FACTORY);
        HttpConversionUtil.addHttp2ToHttpHeaders(
            streamId, headers, trailers.trailingHeaders(), HttpVersion.HTTP_1_1, true, true);
        s.onRequest(trailers, 0);
        return;
      }
      open(ctx, stream, headers, end);
    }

    @Override
    public void onHeadersRead(
        ChannelHandlerContext ctx,
        int streamId,
        Http2Headers headers,
        int streamDependency,
        short weight,
        boolean exclusive,
        int padding,
        boolean end)
        throws Http2Exception {
      onHeadersRead(ctx, streamId, headers, padding, end);
    }

    @Override
    public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
      guard.onSettings();
    }

    @Override
    public void onSettingsAckRead(ChannelHandlerContext ctx) {
      guard.liftCodecStreamLimit();
    }
  }

  /** A new request stream: its head checked and converted, then its exchange starts. */
  private void open(
      ChannelHandlerContext ctx, Http2Stream stream, Http2Headers headers, boolean end)
      throws Http2Exception {
    if (guard.overConcurrencyLimit()) {
      refuse(stream, Http2Error.REFUSED_STREAM);
      return;
    }
    guard.onStream();
    String problem = Http2RequestHeadCheck.problem(headers);
    if (problem != null) {
      log.debug(
          "HTTP/2 stream {} of {} refused: {}",
          stream.id(),
          ctx.channel().remoteAddress(),
          problem);
      refuse(stream, Http2Error.PROTOCOL_ERROR);
      return;
    }
    HttpRequest request;
    try {
      request = Http2HeadConversion.request(stream.id(), headers);
    } catch (Http2Exception e) {
      throw Http2Exception.streamError(stream.id(), e.error(), e, "%s", e.getMessage());
    }
    HttpHeaders fields = request.headers();
    if (!end && !HttpUtil.isContentLengthSet(request)) {
      fields.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    Http2ClientStream s =
        new Http2ClientStream(this, stream, HttpMethod.HEAD.equals(request.method()));
    attach(stream, s);
    s.attach(exchanges.apply(s));
    s.onRequest(request, 0);
    if (end) {
      s.onRequest(new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, DeferredTrailers.FACTORY), 0);
    }
  }

  /**
   * Resets a stream refused before its exchange started, through the encoder: a reset written that
   * way counts against {@code http2-max-resets-per-window}, so that a client cannot make the
   * gateway refuse stream after stream without end ("MadeYouReset").
   */
  private void refuse(Http2Stream stream, Http2Error error) {
    encoder().writeRstStream(ctx, stream.id(), error.code(), ctx.voidPromise());
    flushSoon();
  }

  /** Netty's builder, for its limits and validation; the handler is this class. */
  private static final class Builder
      extends AbstractHttp2ConnectionHandlerBuilder<Http2ClientConnection, Builder> {

    private final LimitsConfig limits;
    private final Function<Http2ClientStream, DownstreamHandler> exchanges;

    Builder(
        LimitsConfig limits,
        Duration gracefulShutdown,
        Function<Http2ClientStream, DownstreamHandler> exchanges) {
      this.limits = limits;
      this.exchanges = exchanges;
      int resetWindow = wholeSeconds(limits.http2ResetWindow());
      connection(uniformlyDistributed(true));
      validateHeaders(true);
      validateRequiredPseudoHeaders(true);
      Http2Settings settings =
          Http2Settings.defaultSettings()
              .maxConcurrentStreams(limits.http2MaxConcurrentStreams())
              .maxHeaderListSize(limits.maxHeaderSize());
      if (limits.http2StreamWindow() != LimitsConfig.HTTP2_DEFAULT_WINDOW) {
        settings.initialWindowSize(limits.http2StreamWindow());
      }
      initialSettings(settings);
      decoderEnforceMaxRstFramesPerWindow(limits.http2MaxResetsPerWindow(), resetWindow);
      encoderEnforceMaxRstFramesPerWindow(limits.http2MaxResetsPerWindow(), resetWindow);
      encoderEnforceMaxQueuedControlFrames(DownstreamInitializer.MAX_QUEUED_CONTROL_FRAMES);
      decoderEnforceMaxConsecutiveEmptyDataFrames(
          DownstreamInitializer.MAX_CONSECUTIVE_EMPTY_DATA_FRAMES);
      gracefulShutdownTimeoutMillis(gracefulShutdown.toMillis());
    }

    private static int wholeSeconds(Duration d) {
      return (int) Math.min(Integer.MAX_VALUE, Math.max(1, (d.toMillis() + 999) / 1000));
    }

    @Override
    protected Http2ClientConnection build() {
      return super.build();
    }

    @Override
    protected Http2ClientConnection build(
        Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings initial) {
      return new Http2ClientConnection(decoder, encoder, initial, limits, exchanges);
    }
  }
}
