package io.portico.upstream.h2;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.portico.config.UpstreamProtocolConfig;
import io.portico.eventloop.BurstFlush;
import io.portico.upstream.AcquireCallback;
import io.portico.upstream.CallGate;
import io.portico.upstream.UpstreamListener;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One multiplexed HTTP/2 connection to an upstream endpoint: the handler after Netty's {@code
 * Http2FrameCodec}, the {@link BurstFlush} that turns the streams' flushes into one socket write
 * per read or event-loop turn, and Netty's {@code Http2MultiplexHandler} on the connection's
 * pipeline; it sees the connection's own frames and opens its streams, each a stream channel with
 * the one shared {@code Http2StreamFrameToHttpObjectCodec} and its {@link H2Stream}.
 *
 * <pre>
 *   connected ─▶ preface + SETTINGS sent, connection window raised
 *        │
 *   peer's SETTINGS ─▶ ready: streams open while fewer than min(peer's MAX_CONCURRENT_STREAMS,
 *        │               the service's max-concurrent-streams) are active
 *   GOAWAY ─▶ draining: no new stream; streams above its last stream id close as unprocessed;
 *        │              closed once its last stream ends
 *   silent for ping-interval ─▶ PING; no answer within ping-timeout ─▶ closed
 * </pre>
 *
 * <p>Confined to its event loop.
 */
public final class H2Connection extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(H2Connection.class);

  /** The connection's receive window: streams keep the default 64 KiB each, the sum more. */
  static final int CONNECTION_WINDOW = 16 * 1024 * 1024;

  private static final int DEFAULT_WINDOW = 65_535;

  /** Each stream's first handler, one for all: stateless ({@code @Sharable}). */
  private static final Http2StreamFrameToHttpObjectCodec CODEC =
      new Http2StreamFrameToHttpObjectCodec(false);

  private final H2Pool pool;
  private final UpstreamProtocolConfig settings;
  private final CallGate gate;
  private Channel channel;
  private Http2StreamChannelBootstrap streams;
  private @Nullable ScheduledFuture<?> keepalive;
  private int peerMaxStreams = Integer.MAX_VALUE;
  private int active;
  private int opened;
  private boolean started;
  private boolean ready;
  private boolean draining;
  private boolean closed;
  private int goAwayLastStreamId = -1;
  private long lastReadNanos;
  private long pingSentNanos;
  private boolean pingOutstanding;
  private long idleSince;

  H2Connection(H2Pool pool, UpstreamProtocolConfig settings, CallGate gate) {
    this.pool = pool;
    this.settings = settings;
    this.gate = gate;
  }

  /** The handlers of an HTTP/2 client connection, this one last. */
  void addTo(io.netty.channel.ChannelPipeline pipeline) {
    Http2FrameCodec codec =
        Http2FrameCodecBuilder.forClient()
            .initialSettings(
                Http2Settings.defaultSettings().pushEnabled(false).maxHeaderListSize(64 * 1024))
            .validateHeaders(true)
            .build();
    pipeline
        .addLast("h2", codec)
        .addLast("h2-flush", BurstFlush.after(codec))
        .addLast("h2-multiplex", new Http2MultiplexHandler(RefusePush.INSTANCE))
        .addLast("h2-connection", this);
  }

  H2Pool pool() {
    return pool;
  }

  CallGate gate() {
    return gate;
  }

  Channel channel() {
    return channel;
  }

  /** Streams open now. */
  int active() {
    return active;
  }

  long idleSince() {
    return idleSince;
  }

  boolean ready() {
    return ready;
  }

  boolean draining() {
    return draining;
  }

  /**
   * Whether the connection is open but the peer's first SETTINGS has not arrived: it will take
   * streams soon, so the pool counts it as capacity on the way.
   */
  boolean awaitingSettings() {
    return !ready && !draining && !closed;
  }

  /** How many streams may be open at once: the peer's limit, capped by the service's. */
  int limit() {
    return Math.min(peerMaxStreams, settings.maxConcurrentStreams());
  }

  /** Whether a new stream may open now. */
  boolean hasCapacity() {
    return ready && !draining && !closed && active < limit() && channel.isActive();
  }

  /**
   * Whether stream {@code id} never reached the peer's processing: the peer sent GOAWAY with a
   * lower last stream id, or the stream was never created ({@code id} not positive) on a connection
   * going away.
   */
  boolean refusedByGoAway(int id) {
    return goAwayLastStreamId >= 0 && (id <= 0 || id > goAwayLastStreamId);
  }

  /**
   * Opens a stream for {@code listener} and hands it to {@code callback}; the caller checked {@link
   * #hasCapacity()}.
   */
  void openStream(UpstreamListener listener, AcquireCallback callback) {
    active++;
    opened++;
    H2Stream stream = new H2Stream(this, listener, opened > 1);
    Future<Http2StreamChannel> f = streams.open();
    if (f.isDone()) {
      opened(f, stream, callback);
    } else {
      f.addListener(done -> opened(f, stream, callback));
    }
  }

  private void opened(Future<Http2StreamChannel> f, H2Stream stream, AcquireCallback callback) {
    if (f.isSuccess()) {
      Http2StreamChannel ch = f.getNow();
      if (ch.isActive()) {
        // Registered, and silent until the request's HEADERS go out: the lease joins its
        // pipeline directly, after the shared codec the bootstrap put there.
        ch.pipeline().addLast("upstream", stream);
        callback.onAcquired(stream);
        return;
      }
    }
    streamClosed();
    Throwable cause = f.cause();
    callback.onAcquireFailed(
        AcquireCallback.AcquireFailure.CONNECT_FAILED,
        cause != null ? cause : new ClosedChannelException());
  }

  /** A stream of this connection closed. */
  void streamClosed() {
    active--;
    if (active == 0) {
      idleSince = System.nanoTime();
      if (draining) {
        channel.close();
      }
    }
    pool.streamClosed(this);
  }

  /** Closes the connection once no stream is open (retirement, idle sweep). */
  void drain() {
    draining = true;
    if (active == 0) {
      channel.close();
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    streams = new Http2StreamChannelBootstrap(channel).handler(CODEC);
    idleSince = System.nanoTime();
    if (channel.isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start(ctx);
    ctx.fireChannelActive();
  }

  private void start(ChannelHandlerContext ctx) {
    if (started) {
      return;
    }
    started = true;
    lastReadNanos = System.nanoTime();
    ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - DEFAULT_WINDOW))
        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    long tick = Math.min(settings.pingInterval().toNanos(), settings.pingTimeout().toNanos());
    keepalive =
        ctx.executor().scheduleWithFixedDelay(this::keepalive, tick, tick, TimeUnit.NANOSECONDS);
  }

  private void keepalive() {
    long now = System.nanoTime();
    if (pingOutstanding) {
      if (now - pingSentNanos >= settings.pingTimeout().toNanos()) {
        log.debug(
            "{} did not answer a PING within {}: closing", pool.endpoint(), settings.pingTimeout());
        channel.close();
      }
      return;
    }
    if (now - lastReadNanos >= settings.pingInterval().toNanos()) {
      pingOutstanding = true;
      pingSentNanos = now;
      channel.writeAndFlush(new DefaultHttp2PingFrame(now));
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastReadNanos = System.nanoTime();
    try {
      if (msg instanceof Http2SettingsFrame s) {
        Long max = s.settings().maxConcurrentStreams();
        if (max != null) {
          peerMaxStreams = (int) Math.min(Integer.MAX_VALUE, max);
        }
        if (!ready) {
          ready = true;
          pool.connectionReady(this);
        } else {
          pool.streamClosed(this); // the limit may have grown
        }
      } else if (msg instanceof Http2GoAwayFrame goAway) {
        int last = goAway.lastStreamId();
        goAwayLastStreamId = goAwayLastStreamId < 0 ? last : Math.min(goAwayLastStreamId, last);
        if (!draining) {
          log.debug("{} sent GOAWAY (last stream {})", pool.endpoint(), last);
        }
        drain();
        pool.connectionDraining(this);
      } else if (msg instanceof Http2PingFrame ping && ping.ack()) {
        pingOutstanding = false;
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!closed) {
      closed = true;
      if (keepalive != null) {
        keepalive.cancel(false);
      }
      pool.connectionClosed(this);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("HTTP/2 connection to {} failed", pool.endpoint(), cause);
    ctx.close();
  }

  /** Refuses streams the server opens (push is off in the client's SETTINGS). */
  @ChannelHandler.Sharable
  static final class RefusePush extends ChannelInboundHandlerAdapter {
    static final RefusePush INSTANCE = new RefusePush();

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      ctx.close();
    }
  }
}
