package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.portico.config.LimitsConfig;
import io.portico.eventloop.Deadline;
import io.portico.eventloop.DeadlineTimer;
import io.portico.snapshot.SnapshotHolder;
import io.portico.upstream.UpstreamHooks;
import io.portico.upstream.UpstreamPools;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of exchanges: the last handler of an HTTP/1.1 client connection's pipeline, or
 * the host of one HTTP/2 stream's exchange. It turns decoded HTTP/1.1 messages into {@link
 * HttpExchange}s, one at a time, owns the connection's timers and flow control, and is what the
 * exchange writes its response to ({@link #write}, {@link #writeLast}, {@link #flush}).
 *
 * <pre>
 *   [TLS] ─▶ ObsFoldGuard scanner ─▶ ClientCodec ─▶ DownstreamHandler ─▶ HttpExchange
 *                                                                      ─▶ upstream
 *   [TLS] ─▶ Http2FrameGuard ─▶ Http2ClientConnection ─▶ Http2ClientStream n ─▶ DownstreamHandler n
 * </pre>
 *
 * <p>With HTTP/2 one handler serves one stream and runs exactly one exchange: it is no pipeline
 * handler, its {@link Http2ClientStream} hands it the stream's request objects and events ({@link
 * #onClientMessage}, {@link #onClientReadComplete}, {@link #onClientWritable}, {@link
 * #onClientClosed}, which the pipeline events of an HTTP/1.1 connection also call), and its writes
 * go to that stream as frames. The connection's deadlines (header, keep-alive) and its request
 * count then belong to {@link Http2ConnectionGuard}; a stream handler arms only the exchange's
 * deadlines, and the stream ends with its exchange. Over HTTP/1.1 a write is the channel's write,
 * without another hop. Who the client is and how it is written to and read from is the layer {@link
 * ClientChannel}; this class runs the connection: exchanges, pipelining, deadlines.
 *
 * <p>Connection states and the one deadline each arms:
 *
 * <ul>
 *   <li>IDLE (between requests): {@code keep-alive-timeout}, then the connection closes quietly.
 *   <li>HEAD (the first byte of a request arrived, its head is not complete): {@code
 *       header-timeout}, measured from that first byte, then 408 and close. A client that trickles
 *       a header a byte at a time is cut off at the deadline however slowly it sends.
 *   <li>EXCHANGE: the exchange arms its own deadlines (response and idle timeouts).
 * </ul>
 *
 * <p>Pipelined requests that arrive while an exchange is running wait in a queue and start, in
 * order, when it finishes. Each exchange holds a lease on the snapshot it started with from its
 * creation until it finishes, so the snapshot's plugins are not closed under it after a reload.
 * Confined to the channel's event loop.
 */
final class DownstreamHandler extends ClientChannel {

  private static final Logger log = LoggerFactory.getLogger(DownstreamHandler.class);

  private enum State {
    IDLE,
    HEAD,
    EXCHANGE,
    UPGRADED
  }

  private final ProxyContext proxy;
  private final UpstreamPools pools;
  private final LimitsConfig limits;

  private Deadline timer;

  /** Makes this connection's exchange records, one at a time ({@link ExchangeRecords#of}). */
  private final ConnectionReuse reuse = new ConnectionReuse();

  private State state = State.HEAD;
  private @Nullable HttpExchange current;

  /**
   * The last exchange, finished and held by nothing else ({@link HttpExchange#reusable}), which the
   * next request runs in ({@link HttpExchange#reuse}); null when the last one may still be reached
   * (a plugin, a failure, a trace, anything {@code reusable} refuses), and then the next request
   * gets a new exchange. Over HTTP/2 every stream has its own handler and exchange: never set.
   */
  private @Nullable HttpExchange spare;

  /** The running exchange's hold on its snapshot; released when it finishes. */
  private SnapshotHolder.@Nullable Lease snapshotLease;

  private @Nullable ArrayDeque<Object> pipelined;
  private boolean closing;
  private int served;

  /** The handler of an HTTP/1.1 client connection, added to its pipeline. */
  DownstreamHandler(ProxyContext proxy, UpstreamPools pools, LimitsConfig limits, boolean secure) {
    this(proxy, pools, limits, secure, null);
  }

  /** The handler of {@code stream}'s exchange, active at once; without one, as above. */
  DownstreamHandler(
      ProxyContext proxy,
      UpstreamPools pools,
      LimitsConfig limits,
      boolean secure,
      @Nullable Http2ClientStream stream) {
    super(secure, stream);
    this.proxy = proxy;
    this.pools = pools;
    this.limits = limits;
    if (stream != null) {
      this.timer = stream;
      activate();
    }
  }

  // ---------------------------------------------------------------- what the exchange uses

  UpstreamPools pools() {
    return pools;
  }

  UpstreamHooks upstreamHooks() {
    return proxy.upstreamHooks();
  }

  /** The tracer, or null when tracing is off. */
  io.portico.observe.trace.@Nullable Tracing tracing() {
    return proxy.tracing();
  }

  /** What the access log keeps of bodies, or null when it keeps none. */
  io.portico.config.AccessLogConfig.@Nullable BodyCapture bodyCapture() {
    return proxy.bodyCapture();
  }

  boolean draining() {
    return proxy.draining()
        || (!http2
            && limits.maxRequestsPerConnection() > 0
            && served + 1 >= limits.maxRequestsPerConnection());
  }

  /** Whether an exchange is in progress on this connection (or stream). */
  boolean busy() {
    return current != null;
  }

  /** The finished exchange the next request will run in, or null (a new one then). */
  @Nullable HttpExchange spare() {
    return spare;
  }

  /** The connection's clock (the event loop's ticker), for deadlines. */
  long nanoTime() {
    return timer.now();
  }

  /** Arms the connection's deadline for the running exchange; 0 disarms it. */
  void armDeadline(long nanoTime) {
    if (nanoTime == 0) {
      timer.disarm();
    } else {
      timer.armAt(nanoTime);
    }
  }

  void observe(HttpExchange exchange) {
    reuse.observe(proxy.observer(), exchange);
  }

  /** The exchange is done: close, or wait for (or start) the next request. */
  void onExchangeFinished(HttpExchange exchange, boolean close) {
    if (exchange != current) {
      return;
    }
    if (snapshotLease != null) {
      // No plugin of the exchange runs after its end (an upgraded exchange only relays bytes).
      snapshotLease.release();
      snapshotLease = null;
    }
    served++;
    if (exchange.upgraded()) {
      return;
    }
    current = null;
    if (http2) {
      // The stream ends with the exchange: it closes once both sides sent their end of stream, or,
      // when asked to close, through the listener of the exchange's last write (a reset).
      closing = true;
      timer.cancel();
      return;
    }
    if (close) {
      // The last write's listener closes the connection once the response is out; until then
      // anything the client still sends is dropped.
      closing = true;
      state = State.IDLE;
      timer.cancel();
      releasePipelined();
      return;
    }
    state = State.IDLE;
    ConnectionReuse.giveBack(exchange);
    spare = exchange.reusable() ? exchange : null;
    timer.armAt(timer.now() + limits.keepAliveTimeout().toNanos());
    resumeReads();
    if (pipelined != null && !pipelined.isEmpty()) {
      channel.eventLoop().execute(this::drainPipelined);
    }
  }

  /** After a 101 response went out: remove the HTTP codec; {@code relay} gets the bytes. */
  void upgradeTo(UpgradeRelay relay) {
    state = State.UPGRADED;
    timer.cancel();
    ClientCodec codec = channel.pipeline().get(ClientCodec.class);
    if (codec != null) {
      channel.pipeline().remove(codec);
    }
    if (channel.pipeline().get("fold") != null) {
      channel.pipeline().remove("fold");
    }
    resumeReads();
  }

  // ---------------------------------------------------------------- Netty events

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    super.handlerAdded(ctx);
    this.timer = new DeadlineTimer(channel.eventLoop(), this::onDeadline);
    if (channel.isActive()) {
      // Added after the TLS handshake chose HTTP/1.1: the connection is already active.
      activate();
    }
  }

  /** The connection closed, or switched to HTTP/2 (h2c) and no longer needs this handler. */
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    timer.cancel();
    releasePipelined();
    spare = null;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    activate();
    ctx.fireChannelActive();
  }

  private void activate() {
    if (!identifyPeer()) {
      return;
    }
    state = State.HEAD;
    if (!http2) {
      timer.armAt(timer.now() + limits.headerTimeout().toNanos());
    }
  }

  /**
   * Bytes arrived (before decoding; told by the {@link ObsFoldGuard} scanner): an idle connection
   * starts a request head.
   */
  void onBytes() {
    ChannelHandlerContext c = ctx;
    if (state == State.IDLE && current == null && c != null && !c.isRemoved()) {
      state = State.HEAD;
      timer.armAt(timer.now() + limits.headerTimeout().toNanos());
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    onClientMessage(msg);
  }

  /** A message from the client: a request head or body piece (raw bytes once upgraded). */
  void onClientMessage(Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (state == State.UPGRADED) {
      if (msg instanceof ByteBuf data && current != null && current.relay() != null) {
        current.relay().onClientData(data);
      } else {
        ReferenceCountUtil.release(msg);
      }
      return;
    }
    if (current != null || (pipelined != null && !pipelined.isEmpty())) {
      if (current != null
          && !current.requestComplete()
          && (pipelined == null || pipelined.isEmpty())) {
        if (msg instanceof HttpContent content) {
          current.onRequestContent(content);
          return;
        }
      }
      queue(msg);
      return;
    }
    dispatch(msg);
  }

  private void dispatch(Object msg) {
    if (msg instanceof FullHttpRequest full) {
      // The head and the body in one message (an HTTP/2 HEADERS frame ending its stream, or a
      // request the h2c upgrade handler aggregated): split it, since the exchange forwards its
      // head upstream on its own. The body's buffer moves to the last content.
      HttpRequest head =
          new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
      head.setDecoderResult(full.decoderResult());
      LastHttpContent last = new DefaultLastHttpContent(full.content(), full.trailingHeaders());
      dispatch(head);
      if (current != null) {
        current.onRequestContent(last);
      } else {
        last.release();
      }
    } else if (msg instanceof HttpRequest request) {
      state = State.EXCHANGE;
      timer.disarm();
      snapshotLease = proxy.snapshots().acquire();
      HttpExchange reused = spare;
      spare = null;
      HttpExchange ex =
          reused != null
              ? reused.reuse(request, snapshotLease.snapshot())
              : new HttpExchange(this, request, snapshotLease.snapshot(), limits);
      current = ex;
      ex.onHead();
    } else {
      // Body of a request that already ended (the connection is closing): drop it.
      ReferenceCountUtil.release(msg);
    }
  }

  private void queue(Object msg) {
    if (pipelined == null) {
      pipelined = new ArrayDeque<>(4);
    }
    pipelined.add(msg);
  }

  private void drainPipelined() {
    while (current == null && pipelined != null && !pipelined.isEmpty() && channel.isActive()) {
      Object msg = pipelined.poll();
      if (msg instanceof HttpRequest) {
        dispatch(msg);
        while (current != null
            && !current.requestComplete()
            && !pipelined.isEmpty()
            && !(pipelined.peek() instanceof HttpRequest)) {
          current.onRequestContent((HttpContent) pipelined.poll());
        }
      } else {
        ReferenceCountUtil.release(msg);
      }
    }
  }

  private void releasePipelined() {
    if (pipelined != null) {
      pipelined.forEach(ReferenceCountUtil::release);
      pipelined.clear();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ProxyServer.DRAIN && current == null) {
      channel.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    onClientReadComplete();
  }

  /** The client's read burst ended: what the exchange relayed upstream goes out. */
  void onClientReadComplete() {
    HttpExchange ex = current;
    if (ex != null) {
      if (state == State.UPGRADED && ex.relay() != null) {
        ex.relay().flushToUpstream();
      } else {
        ex.flushUpstream();
      }
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (channel.isWritable()) {
      onClientWritable();
    }
    ctx.fireChannelWritabilityChanged();
  }

  /** The client takes more again. */
  void onClientWritable() {
    HttpExchange ex = current;
    if (ex != null) {
      ex.onDownstreamWritable();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    onClientClosed();
    ctx.fireChannelInactive();
  }

  /** The connection (for HTTP/2, the stream) closed. */
  void onClientClosed() {
    timer.cancel();
    releasePipelined();
    spare = null;
    HttpExchange ex = current;
    if (ex != null) {
      ex.onDownstreamClosed();
    }
    current = null;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (ClientFaults.isClientFault(cause)) {
      log.debug("client connection {} failed: {}", peerTextOrNull(), cause.toString());
    } else {
      log.warn("client connection {} failed", peerTextOrNull(), cause);
    }
    ctx.close();
  }

  // ---------------------------------------------------------------- deadlines

  /** The connection's or stream's deadline passed. */
  void onDeadline() {
    switch (state) {
      case IDLE -> closeClient();
      case HEAD -> {
        state = State.IDLE;
        writeLast(LocalAnswers.headerTimeout(channel.alloc(), limits.headerTimeout()), true);
      }
      case EXCHANGE -> {
        if (current != null) {
          current.onDeadline();
        }
      }
      case UPGRADED -> {}
    }
  }
}
