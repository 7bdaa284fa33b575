package io.portico.upstream.h2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.ssl.SslHandler;
import io.portico.config.UpstreamProtocolConfig;
import io.portico.eventloop.BurstFlushingHttp2Handler;
import io.portico.upstream.AcquireCallback;
import io.portico.upstream.CallGate;
import io.portico.upstream.UpstreamListener;
import io.portico.upstream.UpstreamViolationException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One multiplexed HTTP/2 connection to an upstream endpoint: Netty's {@link Http2ConnectionHandler}
 * (frame codec, HPACK, stream states, flow control both ways) with a frame listener of its own, and
 * its streams as plain {@link H2Stream} objects kept on Netty's {@code Http2Stream}s (a {@link
 * Http2Connection.PropertyKey}), so that a request costs no channel, pipeline or promise of its
 * own.
 *
 * <pre>
 *   socket ─▶ [TLS] ─▶ H2Connection ─┬─ frames of stream n ─▶ H2Stream n ─▶ its call's listener
 *                          ▲         └─ SETTINGS, PING, GOAWAY: here
 *                          └── HEADERS/DATA/RST_STREAM written by the streams, flushed in bursts
 *
 *   connected ─▶ preface + SETTINGS sent, connection window raised
 *        │
 *   peer's SETTINGS ─▶ ready: streams open while fewer than min(peer's MAX_CONCURRENT_STREAMS,
 *        │               the service's max-concurrent-streams) are leased
 *   GOAWAY ─▶ draining: no new stream; streams above its last stream id close as unprocessed;
 *        │              closed once its last stream ends
 *   silent for ping-interval ─▶ PING; no answer within ping-timeout ─▶ closed
 * </pre>
 *
 * <p>What the upstream may send is bounded by the {@link H2FrameGuard} in front of it (control
 * frames, tiny DATA, WINDOW_UPDATE) and by the codec's limits set here (queued control frames,
 * empty DATA, resets, small CONTINUATION frames, the header list size; docs/http2-upstreams.md,
 * "Hostile or broken upstreams"). A connection error ends the connection with GOAWAY and fails its
 * calls with an {@link UpstreamViolationException}.
 *
 * <p>Flushes, windows and stream events as {@link BurstFlushingHttp2Handler} says: the streams'
 * writes are flushed at most once per read burst of this connection or per event-loop turn.
 *
 * <p>Stream ends: Netty's stream-closed event (both ends complete, a reset either way, streams
 * above a GOAWAY's last id, every stream when the connection closes) reaches the stream's {@link
 * H2Stream#onClosed}, the one place its state leaves the connection; {@link #leased()} counts what
 * is left.
 *
 * <p>Confined to its event loop.
 */
public final class H2Connection extends BurstFlushingHttp2Handler<H2Stream> {

  private static final Logger log = LoggerFactory.getLogger(H2Connection.class);

  /** The connection's receive window: streams keep the default 64 KiB each, the sum more. */
  static final int CONNECTION_WINDOW = 16 * 1024 * 1024;

  private static final int DEFAULT_WINDOW = 65_535;

  /**
   * Control frames (SETTINGS and PING acknowledgements, resets) queued but not yet written before
   * the connection ends with GOAWAY {@code ENHANCE_YOUR_CALM}: Envoy's {@code
   * max_outbound_control_frames}. Queued frames pile up only when the upstream does not read.
   */
  static final int MAX_QUEUED_CONTROL_FRAMES = 1000;

  /**
   * DATA frames without payload and without END_STREAM accepted in a row: Envoy's {@code
   * max_consecutive_inbound_frames_with_empty_payload}.
   */
  static final int MAX_CONSECUTIVE_EMPTY_DATA_FRAMES = 1;

  /** RST_STREAM frames received (and sent) per {@link #RESET_WINDOW_SECONDS}: Netty's default. */
  static final int MAX_RESETS_PER_WINDOW = 200;

  /** The window of {@link #MAX_RESETS_PER_WINDOW}. */
  static final int RESET_WINDOW_SECONDS = 30;

  /**
   * CONTINUATION frames of less than 8 KiB without END_HEADERS accepted for one header block
   * (CVE-2024-27316): Netty's default; the whole block is also bounded by the header list size.
   */
  static final int MAX_SMALL_CONTINUATION_FRAMES = 16;

  /**
   * The response header list size the gateway announces ({@code SETTINGS_MAX_HEADER_LIST_SIZE}).
   */
  static final int MAX_HEADER_LIST_SIZE = 64 * 1024;

  private static final int FRAME_SIZE = 16_384;

  private final H2Pool pool;
  private final UpstreamProtocolConfig settings;
  private final CallGate gate;
  private Channel channel;
  private boolean tls;

  /** The header block of the head being written ({@link #writeHead}), empty between heads. */
  private final Http2Headers requestBlock = new DefaultHttp2Headers(true, 32);

  private @Nullable ScheduledFuture<?> keepalive;
  private int peerMaxStreams = Integer.MAX_VALUE;
  private int active;
  private int opened;
  private long streamsWritten;
  private long dataFramesSent;
  private boolean started;
  private boolean ready;
  private boolean draining;
  private boolean closed;
  private int goAwayLastStreamId = -1;
  private long lastReadNanos;
  private long pingSentNanos;
  private boolean pingOutstanding;
  private long idleSince;

  private H2Connection(
      Http2ConnectionDecoder decoder,
      Http2ConnectionEncoder encoder,
      Http2Settings initialSettings,
      H2Pool pool,
      UpstreamProtocolConfig settings,
      CallGate gate) {
    super(decoder, encoder, initialSettings);
    this.pool = pool;
    this.settings = settings;
    this.gate = gate;
    connection().addListener(new Events());
    decoder.frameListener(new Frames());
  }

  /** A client connection's handler for {@code pool}'s endpoint. */
  static H2Connection create(H2Pool pool, UpstreamProtocolConfig settings, CallGate gate) {
    return new Builder(pool, settings, gate).build();
  }

  /** Adds this handler, the connection's last, and its {@link H2FrameGuard} to {@code pipeline}. */
  void addTo(ChannelPipeline pipeline) {
    pipeline.addLast(
        "h2-frames",
        new H2FrameGuard(this, settings.maxControlFrames(), settings.controlFrameWindow()));
    pipeline.addLast("h2-connection", this);
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

  /** Streams leased now (written or not yet). */
  int active() {
    return active;
  }

  /** Streams whose state the connection holds: leased, or closed but not yet told. */
  int leased() {
    int[] n = {0};
    try {
      connection()
          .forEachActiveStream(
              s -> {
                if (streamOf(s) != null) {
                  n[0]++;
                }
                return true;
              });
    } catch (Http2Exception e) {
      throw new IllegalStateException(e);
    }
    return n[0];
  }

  /** Streams whose HEADERS were written, for the WINDOW_UPDATE budget. */
  long streamsWritten() {
    return streamsWritten;
  }

  /** DATA frames written (a piece of body counted in frames of 16 KiB), for the same budget. */
  long dataFramesSent() {
    return dataFramesSent;
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
   * Leases a stream to {@code listener} and hands it to {@code callback}; the caller checked {@link
   * #hasCapacity()}. The stream takes its id when its head is written.
   */
  void openStream(UpstreamListener listener, AcquireCallback callback) {
    active++;
    opened++;
    callback.onAcquired(new H2Stream(this, listener, opened > 1));
  }

  /** A leased stream ended (closed, reset, or released before its head was written). */
  void streamEnded(H2Stream stream) {
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

  // ---------------------------------------------------------------- what the streams write

  /**
   * Writes {@code request}'s HEADERS on a new stream for {@code owner}: the stream, or null when
   * none can be created (the connection is going away or gone).
   */
  @Nullable Http2Stream writeHead(H2Stream owner, HttpRequest request) {
    if (closed || !channel.isActive() || connection().goAwayReceived()) {
      return null;
    }
    boolean whole = H2Messages.wholeRequest(request);
    int id;
    try {
      // The block is encoded within writeHeaders (a new stream has nothing flow-controlled queued
      // before it), so one map serves every head the connection writes.
      Http2Headers headers = H2Messages.requestHeaders(request, tls, requestBlock);
      id = connection().local().incrementAndGetNextStreamId();
      if (id < 0) {
        return null;
      }
      encoder().writeHeaders(ctx, id, headers, 0, whole, ctx.voidPromise());
    } finally {
      requestBlock.clear();
    }
    Http2Stream stream = connection().stream(id);
    if (stream == null || stream.state() == Http2Stream.State.CLOSED) {
      return null;
    }
    attach(stream, owner);
    streamsWritten++;
    return stream;
  }

  /** A piece of the request body as a DATA frame; its buffer passes to the encoder. */
  void writeData(Http2Stream stream, HttpContent content) {
    countData(content.content());
    encoder().writeData(ctx, stream.id(), content.content(), 0, false, ctx.voidPromise());
  }

  /**
   * The request's end: a DATA frame with END_STREAM, or its trailers as a closing HEADERS frame
   * (after a DATA frame when it carries bytes). {@code afterWholeHead}: the end of a {@code
   * FullHttpRequest} whose HEADERS already ended the stream unless it had a body.
   */
  void writeEnd(Http2Stream stream, LastHttpContent last, boolean afterWholeHead) {
    ByteBuf data = last.content();
    boolean trailers = !last.trailingHeaders().isEmpty();
    if (data.isReadable() || (!trailers && !afterWholeHead)) {
      countData(data);
      encoder().writeData(ctx, stream.id(), data, 0, !trailers, ctx.voidPromise());
    } else {
      data.release();
    }
    if (trailers) {
      encoder()
          .writeHeaders(
              ctx,
              stream.id(),
              io.netty.handler.codec.http2.HttpConversionUtil.toHttp2Headers(
                  last.trailingHeaders(), true),
              0,
              true,
              ctx.voidPromise());
    }
  }

  private void countData(ByteBuf data) {
    dataFramesSent += Math.max(1, (data.readableBytes() + FRAME_SIZE - 1) / FRAME_SIZE);
  }

  // ---------------------------------------------------------------- the channel

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    this.channel = ctx.channel();
    this.tls = ctx.pipeline().get(SslHandler.class) != null;
    idleSince = System.nanoTime();
    super.handlerAdded(ctx);
    if (channel.isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    super.channelActive(ctx);
    start(ctx);
  }

  private void start(ChannelHandlerContext ctx) throws Http2Exception {
    if (started) {
      return;
    }
    started = true;
    lastReadNanos = System.nanoTime();
    Http2Stream connectionStream = connection().connectionStream();
    decoder()
        .flowController()
        .incrementWindowSize(connectionStream, CONNECTION_WINDOW - DEFAULT_WINDOW);
    ctx.flush();
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
      encoder()
          .writePing(ctx, false, now, ctx.newPromise())
          .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
      flushNow();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    lastReadNanos = System.nanoTime();
    super.channelRead(ctx, msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    try {
      super.channelInactive(ctx); // closes every stream: each H2Stream learns it
    } finally {
      if (!closed) {
        closed = true;
        if (keepalive != null) {
          keepalive.cancel(false);
        }
        pool.connectionClosed(this);
      }
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    log.debug("HTTP/2 connection to {} failed", pool.endpoint(), cause);
    super.exceptionCaught(ctx, cause);
  }

  /**
   * The connection ends for a protocol error the codec or the {@link H2FrameGuard} found (the
   * upstream broke HTTP/2 or a limit, or stopped reading its control frames): its calls learn it as
   * the upstream's violation, for which an idempotent request is tried again. A plain I/O error is
   * no violation: its calls end as on any lost connection.
   */
  @Override
  protected void onConnectionError(
      ChannelHandlerContext ctx,
      boolean outbound,
      Throwable cause,
      @Nullable Http2Exception http2Ex) {
    if (http2Ex != null) {
      log.debug("HTTP/2 connection to {} broke a limit or the protocol", pool.endpoint(), cause);
      failStreams(
          new UpstreamViolationException(
              pool.endpoint() + " broke HTTP/2: " + http2Ex.getMessage(), cause));
    }
    super.onConnectionError(ctx, outbound, cause, http2Ex);
  }

  private void failStreams(UpstreamViolationException violation) {
    try {
      connection()
          .forEachActiveStream(
              s -> {
                H2Stream h = streamOf(s);
                if (h != null) {
                  h.onError(violation);
                }
                return true;
              });
    } catch (Http2Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected void onStreamError(
      ChannelHandlerContext ctx,
      boolean outbound,
      Throwable cause,
      Http2Exception.StreamException error) {
    H2Stream s = stream(error.streamId());
    if (s != null) {
      s.onError(cause);
    }
    super.onStreamError(ctx, outbound, cause, error);
    flushSoon();
  }

  @Nullable H2Stream lease(int streamId) {
    return stream(streamId);
  }

  // ---------------------------------------------------------------- what the peer sends

  /**
   * The connection's own frames; a stream's go to its {@link H2Stream} ({@link H2StreamFrames}).
   */
  private final class Frames extends H2StreamFrames {

    Frames() {
      super(H2Connection.this);
    }

    @Override
    public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings peer) {
      Long max = peer.maxConcurrentStreams();
      if (max != null) {
        peerMaxStreams = (int) Math.min(Integer.MAX_VALUE, max);
      }
      if (!ready) {
        ready = true;
        pool.connectionReady(H2Connection.this);
      } else {
        pool.streamClosed(H2Connection.this); // the limit may have grown
      }
    }

    @Override
    public void onPingAckRead(ChannelHandlerContext ctx, long data) {
      pingOutstanding = false;
    }

    @Override
    public void onGoAwayRead(
        ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
      drain();
      pool.connectionDraining(H2Connection.this);
    }
  }

  /**
   * Netty's connection events: a GOAWAY's last stream id, taken before Netty closes the streams
   * above it. A stream's close and writability reach its {@link H2Stream} through the base class.
   */
  private final class Events extends Http2ConnectionAdapter {

    @Override
    public void onGoAwayReceived(int lastStreamId, long errorCode, ByteBuf debugData) {
      if (!draining) {
        log.debug("{} sent GOAWAY (last stream {})", pool.endpoint(), lastStreamId);
      }
      goAwayLastStreamId =
          goAwayLastStreamId < 0 ? lastStreamId : Math.min(goAwayLastStreamId, lastStreamId);
      draining = true;
    }
  }

  /** Netty's builder, for its limits and validation; the handler is this class. */
  private static final class Builder
      extends AbstractHttp2ConnectionHandlerBuilder<H2Connection, Builder> {

    private final H2Pool pool;
    private final UpstreamProtocolConfig settings;
    private final CallGate gate;

    Builder(H2Pool pool, UpstreamProtocolConfig settings, CallGate gate) {
      this.pool = pool;
      this.settings = settings;
      this.gate = gate;
      connection(uniformlyDistributed(false));
      validateHeaders(true);
      initialSettings(
          Http2Settings.defaultSettings()
              .pushEnabled(false)
              .maxHeaderListSize(MAX_HEADER_LIST_SIZE));
      encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES);
      decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_CONSECUTIVE_EMPTY_DATA_FRAMES);
      decoderEnforceMaxRstFramesPerWindow(MAX_RESETS_PER_WINDOW, RESET_WINDOW_SECONDS);
      encoderEnforceMaxRstFramesPerWindow(MAX_RESETS_PER_WINDOW, RESET_WINDOW_SECONDS);
      decoderEnforceMaxSmallContinuationFrames(MAX_SMALL_CONTINUATION_FRAMES);
      gracefulShutdownTimeoutMillis(0);
    }

    @Override
    protected H2Connection build() {
      return super.build();
    }

    @Override
    protected H2Connection build(
        Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings initial) {
      return new H2Connection(decoder, encoder, initial, pool, settings, gate);
    }
  }
}
