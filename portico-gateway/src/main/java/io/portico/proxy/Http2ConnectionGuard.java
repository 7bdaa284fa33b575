package io.portico.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;
import io.portico.config.LimitsConfig;
import io.portico.eventloop.DeadlineTimer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an HTTP/2 client connection: owns what belongs to the connection rather than
 * to a stream.
 *
 * <pre>
 *   [TLS] ─▶ Http2FrameGuard ─▶ Http2ClientConnection ─▶ Http2ConnectionGuard
 *                                     │ one Http2ClientStream per stream (no channel)
 *                                     ▼
 *                               DownstreamHandler ─▶ HttpExchange
 * </pre>
 *
 * <p>Deadlines, one at a time:
 *
 * <ul>
 *   <li>PREFACE (from the switch to HTTP/2 until the client's first SETTINGS frame): {@code
 *       header-timeout}, then the connection closes. A client that opens h2c, or finishes a TLS
 *       handshake, and then sends nothing or trickles its preface is cut off.
 *   <li>IDLE (no stream open): {@code keep-alive-timeout}, then GOAWAY and close.
 *   <li>BUSY (at least one stream open): none here; each stream's exchange arms its own.
 * </ul>
 *
 * <p>It also closes the connection gracefully when the gateway drains (once the streams in flight
 * have ended, then GOAWAY) or the connection has served {@code max-requests-per-connection} streams
 * (GOAWAY, then close once open streams end), and logs connection errors. The frame-level
 * protections (concurrent streams, header list size, resets received and sent, queued control
 * frames, empty DATA in a row) are enforced by the {@link Http2ClientConnection}; control-frame,
 * tiny-DATA and WINDOW_UPDATE floods and reused stream identifiers by the {@link Http2FrameGuard}
 * this guard installs in front of the codec (whichever way the connection became HTTP/2); each
 * violation is answered with GOAWAY.
 *
 * <p>When HTTP/2 replaces HTTP/1.1 on a connection (h2c), the guard removes the HTTP/1.1 handlers
 * left behind it. Confined to the connection's event loop.
 */
final class Http2ConnectionGuard extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(Http2ConnectionGuard.class);

  private enum State {
    PREFACE,
    IDLE,
    BUSY
  }

  private final Http2ClientConnection codec;
  private final Http2Connection connection;
  private final LimitsConfig limits;
  private ChannelHandlerContext ctx;
  private DeadlineTimer timer;
  private State state = State.PREFACE;
  private int streams;
  private boolean closing;
  private boolean draining;

  Http2ConnectionGuard(Http2ClientConnection codec, LimitsConfig limits) {
    this.codec = codec;
    this.connection = codec.connection();
    this.limits = limits;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    ChannelPipeline pipeline = ctx.pipeline();
    if (pipeline.get(DownstreamHandler.class) != null) {
      pipeline.remove(DownstreamHandler.class);
    }
    if (pipeline.get("fold") != null) {
      // The HTTP/1.1 scanner, which also told the removed handler of each read.
      pipeline.remove("fold");
    }
    ChannelHandlerContext codecCtx = pipeline.context(codec);
    if (codecCtx != null && pipeline.get(Http2FrameGuard.class) == null) {
      pipeline.addBefore(codecCtx.name(), "h2-frames", new Http2FrameGuard(codec, limits));
    }
    liftCodecStreamLimit();
    timer = new DeadlineTimer(ctx.channel().eventLoop(), this::onDeadline);
    timer.armAt(timer.now() + limits.headerTimeout().toNanos());
    connection.addListener(
        new Http2ConnectionAdapter() {
          @Override
          public void onStreamActive(Http2Stream stream) {
            if (state == State.IDLE) {
              state = State.BUSY;
              timer.disarm();
            }
          }

          @Override
          public void onStreamClosed(Http2Stream stream) {
            if (connection.numActiveStreams() == 0) {
              if (draining) {
                ctx.executor().execute(Http2ConnectionGuard.this::closeGracefully);
              } else if (state == State.BUSY) {
                idle();
              }
            }
          }
        });
  }

  private void idle() {
    state = State.IDLE;
    timer.armAt(timer.now() + limits.keepAliveTimeout().toNanos());
  }

  /**
   * Whether a stream the client just opened (counted among the active ones) goes beyond {@code
   * http2-max-concurrent-streams}, to be refused with REFUSED_STREAM.
   */
  boolean overConcurrencyLimit() {
    return connection.numActiveStreams() > limits.http2MaxConcurrentStreams();
  }

  /**
   * Lifts the codec's own limit on concurrent streams above the gateway's ({@link
   * #overConcurrencyLimit}), when the connection starts and again each time the client acknowledges
   * the gateway's SETTINGS (which sets it back). A stream the codec refuses is one it never
   * created, so the DATA a client sent along with it (a client that had not yet read the SETTINGS)
   * would be a connection error, "stream does not exist", ending every stream of the connection;
   * the gateway refuses such a stream after the codec created it, and its late DATA is that of a
   * closed stream. The margin is the resets the gateway may send before it ends the connection, so
   * that the codec's limit never trips first.
   */
  void liftCodecStreamLimit() {
    long lifted = (long) limits.http2MaxConcurrentStreams() + limits.http2MaxResetsPerWindow() + 1;
    connection.remote().maxActiveStreams((int) Math.min(Integer.MAX_VALUE, lifted));
  }

  /** A stream opened: counts it against {@code max-requests-per-connection}. */
  void onStream() {
    streams++;
    if (!closing
        && limits.maxRequestsPerConnection() > 0
        && streams >= limits.maxRequestsPerConnection()) {
      // Let the stream being opened start first: the GOAWAY names it as the last one served.
      ctx.executor().execute(this::closeGracefully);
    }
  }

  private void closeGracefully() {
    if (!closing) {
      closing = true;
      ctx.channel().close();
    }
  }

  /** The client sent SETTINGS: the first one ends the PREFACE deadline. */
  void onSettings() {
    if (state == State.PREFACE) {
      if (connection.numActiveStreams() == 0) {
        idle();
      } else {
        state = State.BUSY;
        timer.disarm();
      }
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ProxyServer.DRAIN) {
      // Streams in flight finish before the GOAWAY: some clients (the JDK 17 HttpClient among
      // them) fail every open stream when a GOAWAY arrives, whatever its last stream id.
      draining = true;
      if (connection.numActiveStreams() == 0) {
        closeGracefully();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    timer.cancel();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
      // A protocol violation: the codec answers it with its own GOAWAY (ENHANCE_YOUR_CALM for a
      // flood, PROTOCOL_ERROR...) and closes; closing here would send NO_ERROR first.
      log.debug(
          "HTTP/2 connection {} violated the protocol: {}",
          ctx.channel().remoteAddress(),
          cause.toString());
      return;
    }
    if (ClientFaults.isClientFault(cause)) {
      log.debug("HTTP/2 connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    } else {
      log.warn("HTTP/2 connection {} failed", ctx.channel().remoteAddress(), cause);
    }
    ctx.close();
  }

  private void onDeadline() {
    switch (state) {
      case PREFACE -> {
        log.debug(
            "HTTP/2 connection {} sent no SETTINGS within {} ms",
            ctx.channel().remoteAddress(),
            limits.headerTimeout().toMillis());
        closing = true;
        ctx.channel().close();
      }
      case IDLE -> closeGracefully();
      case BUSY -> {}
    }
  }
}
