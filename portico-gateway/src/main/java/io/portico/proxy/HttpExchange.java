package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.portico.config.LimitsConfig;
import io.portico.observe.ExchangeRecord;
import io.portico.plugin.PluginChain;
import io.portico.router.PathNormalizer;
import io.portico.router.RequestTarget;
import io.portico.router.RouteMatch;
import io.portico.snapshot.CompiledRoute;
import io.portico.snapshot.Snapshot;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.ExchangeKey;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.Reply;
import io.portico.upstream.AcquireCallback;
import io.portico.upstream.Endpoint;
import io.portico.upstream.UpstreamConnection;
import io.portico.upstream.UpstreamListener;
import io.portico.upstream.UpstreamService;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request/response pair, from its request head to its last response byte: the state machine of
 * the data plane.
 *
 * <pre>
 *  start() ── validate ─ normalize path ─ route ─▶ REWRITE ─▶ ACCESS ─┬─▶ acquire upstream ─▶ forward
 *     │                                            (a Reply or a failure)   head + body (streamed)
 *     ▼                                                    │                      │
 *  problem response ◀──────────────────────────────────────┘      response head ◀─┘
 *     │                                                              RESPONSE phase
 *     └──────────────▶ finish(): LOG phase, observer, release upstream, next request
 * </pre>
 *
 * <p>Threading: everything runs on the downstream channel's event loop; upstream connections are
 * opened on the same loop. Asynchronous plugin results are brought back with {@link
 * EventLoop#execute}.
 *
 * <p>Buffers: request body chunks are owned by the exchange from {@link #onRequestContent} until
 * written upstream (or released when the exchange no longer needs them); response chunks are owned
 * from {@link #onResponseContent} until written downstream. When a request plugin asks for the
 * whole body ({@link #requestBody}), its chunks go into a {@link RequestBodyBuffer} instead, which
 * owns them until the request is forwarded (one write) or the exchange ends (released).
 *
 * <p>Flow control: request chunks that arrive before the upstream is connected are queued and the
 * client's reads are paused; afterwards client reads pause while the upstream is unwritable, and
 * upstream reads pause while the client is unwritable. A body a plugin asked for is read without
 * pause, up to the plugin's limit, bounded by the idle timeout between chunks.
 */
final class HttpExchange implements Exchange, UpstreamListener, AcquireCallback {

  private static final Logger log = LoggerFactory.getLogger(HttpExchange.class);

  /** The body plugins get for a request without one. */
  private static final ByteBuf NO_BODY =
      Unpooled.unreleasableBuffer(Unpooled.EMPTY_BUFFER.asReadOnly());

  private final DownstreamHandler conn;
  private final HttpRequest request;
  private final Snapshot snapshot;
  private final LimitsConfig limits;
  private final long startNanos;
  private final String originalUri;

  private String requestId;
  private InetSocketAddress clientAddress;
  private boolean peerTrusted;
  private String path;
  private String rawQuery;
  private String forwardPath;
  private String originalHost;
  private Map<String, List<String>> queryParameters;
  private RouteMatch<CompiledRoute> match;
  private CompiledRoute route;
  private PluginChain chain = PluginChain.EMPTY;
  private Map<ExchangeKey<?>, Object> attributes;

  // request phases: which phase and plugin run next (for resumption after async work)
  private int phaseIndex;
  private int pluginIndex;

  // request body
  private boolean awaitingEnd;
  private boolean requestComplete;
  private long requestBytes;
  private ArrayDeque<HttpContent> pendingBody;
  private RequestBodyBuffer bodyBuffer;
  private boolean expectContinue;
  private boolean upgradeRequested;
  private boolean hostSetByPlugin;

  // upstream
  private UpstreamService service;
  private UpstreamConnection upstream;
  private Endpoint endpoint;
  private Endpoint failedEndpoint;
  private int attempts;
  private boolean requestHeadSent;
  private boolean bodySent;
  private boolean upstreamKeepAlive;
  private boolean upgraded;
  private long connectedNanos;
  private long requestSentNanos;
  private long responseHeadNanos;

  // response
  private HttpResponse response;
  private boolean responseStarted;
  private boolean responseComplete;
  private long responseBytes;
  private int status;
  private Failure failure;
  private boolean closeAfter;
  private boolean finished;

  HttpExchange(
      DownstreamHandler conn, HttpRequest request, Snapshot snapshot, LimitsConfig limits) {
    this.conn = conn;
    this.request = request;
    this.snapshot = snapshot;
    this.limits = limits;
    this.originalUri = request.uri();
    this.startNanos = conn.nanoTime();
  }

  // ---------------------------------------------------------------- request head

  /**
   * The request head arrived. A request without a body starts once its (empty) end arrives, which
   * the codec delivers right behind the head, so it is forwarded head and end in one write.
   */
  void onHead() {
    boolean bodyless =
        request.decoderResult().isSuccess()
            && !HttpUtil.isTransferEncodingChunked(request)
            && HttpUtil.getContentLength(request, 0L) == 0;
    if (bodyless) {
      awaitingEnd = true;
    } else {
      start();
    }
  }

  /** Validates and routes the request, then runs the request phases. */
  private void start() {
    HttpHeaders headers = request.headers();
    peerTrusted = snapshot.forwarding().isTrusted(conn.peer());
    assignRequestId(headers);
    clientAddress = snapshot.forwarding().clientAddress(conn.peer(), peerTrusted, headers);
    if (conn.draining() || !HttpUtil.isKeepAlive(request)) {
      closeAfter = true;
    }
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      closeAfter = true;
      requestComplete = true;
      Throwable cause = result.cause();
      if (cause instanceof TooLongHttpLineException) {
        fail(
            Failure.URI_TOO_LONG,
            "The request line is longer than " + limits.maxRequestLine() + " bytes.");
      } else if (cause instanceof TooLongHttpHeaderException) {
        fail(
            Failure.HEADERS_TOO_LARGE,
            "The request headers exceed " + limits.maxHeaderSize() + " bytes.");
      } else if (cause instanceof TooLongFrameException) {
        fail(Failure.HEADERS_TOO_LARGE, "The request head is too large.");
      } else {
        fail(Failure.BAD_FRAMING, "The request is malformed: " + describe(cause));
      }
      return;
    }
    if (headers.size() > limits.maxHeaderCount()) {
      closeAfter = true;
      fail(Failure.HEADERS_TOO_LARGE, "More than " + limits.maxHeaderCount() + " header fields.");
      return;
    }
    if (request.method() == HttpMethod.CONNECT) {
      closeAfter = true;
      fail(Failure.METHOD_NOT_ALLOWED, "CONNECT is not supported: Portico is not a forward proxy.");
      return;
    }
    long contentLength = HttpUtil.getContentLength(request, -1L);
    if (limits.maxBodySize() > 0 && contentLength > limits.maxBodySize()) {
      closeAfter = true;
      fail(
          Failure.BODY_TOO_LARGE,
          "The request body of "
              + contentLength
              + " bytes exceeds "
              + limits.maxBodySize()
              + " bytes.");
      return;
    }
    List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1) {
      closeAfter = true;
      fail(Failure.BAD_REQUEST, "A request may carry one Host header, not " + hosts.size() + ".");
      return;
    }
    if (hosts.isEmpty() && request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      closeAfter = true;
      fail(Failure.BAD_REQUEST, "An HTTP/1.1 request needs a Host header.");
      return;
    }
    originalHost = hosts.isEmpty() ? null : hosts.get(0);
    RequestTarget target = PathNormalizer.normalize(originalUri);
    if (target instanceof RequestTarget.Rejected rejected) {
      closeAfter = true;
      fail(
          Failure.BAD_PATH,
          "The request-target is not acceptable (expected: " + rejected.reason().rule() + ").");
      return;
    }
    RequestTarget.Accepted normalized = (RequestTarget.Accepted) target;
    path = normalized.path();
    rawQuery = normalized.rawQuery();
    if ("*".equals(path)) {
      closeAfter = !requestComplete;
      if (request.method() == HttpMethod.OPTIONS) {
        FullHttpResponse ok =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
        ok.headers().set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
        sendLocal(ok);
      } else {
        fail(Failure.BAD_PATH, "The asterisk request-target is only valid with OPTIONS.");
      }
      return;
    }
    if (normalized.authority() != null) {
      originalHost = normalized.authority();
      headers.set(HttpHeaderNames.HOST, originalHost);
    }
    expectContinue = HttpUtil.is100ContinueExpected(request);
    if (expectContinue) {
      headers.remove(HttpHeaderNames.EXPECT);
    }
    upgradeRequested =
        headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
            && headers.contains(HttpHeaderNames.UPGRADE);

    match = snapshot.router().match(originalHost, request.method().name(), path, headers, rawQuery);
    if (match == null) {
      chain = snapshot.globalChain();
      fail(
          Failure.NO_ROUTE,
          "No route matches "
              + request.method()
              + " "
              + path
              + (originalHost == null ? "" : " on host " + stripPort(originalHost))
              + ".");
      return;
    }
    route = match.value();
    chain = route.chain();
    service = route.service();
    List<AsciiString> identityHeaders = snapshot.identityHeaders();
    for (int i = 0, n = identityHeaders.size(); i < n; i++) {
      headers.remove(identityHeaders.get(i));
    }
    forwardPath = computeForwardPath();
    conn.armDeadline(startNanos + route.timeouts().response().toNanos());
    runRequestPhases();
  }

  private void assignRequestId(HttpHeaders headers) {
    String incoming = peerTrusted ? headers.get(snapshot.forwarding().requestIdHeader()) : null;
    requestId =
        incoming != null && RequestIds.isWellFormed(incoming) ? incoming : RequestIds.generate();
  }

  private String computeForwardPath() {
    String p = path;
    if (route.rewrite() != null) {
      p = match.rewrittenPath(route.rewrite());
    } else if (route.config().stripPrefix()) {
      p = match.strippedPath();
    }
    return rawQuery == null ? p : p + "?" + rawQuery;
  }

  // ---------------------------------------------------------------- plugin phases

  private void runRequestPhases() {
    while (phaseIndex < 2) {
      Plugin[] plugins = phaseIndex == 0 ? chain.rewrite() : chain.access();
      while (pluginIndex < plugins.length) {
        Plugin plugin = plugins[pluginIndex++];
        Outcome outcome;
        try {
          outcome = phaseIndex == 0 ? plugin.rewrite(this) : plugin.access(this);
        } catch (RuntimeException e) {
          log.warn("plugin {} failed on request {}", plugin.getClass().getName(), requestId, e);
          fail(Failure.PLUGIN_ERROR, "A plugin failed while handling the request.");
          return;
        }
        if (finished || !handleOutcome(outcome)) {
          // finished: the plugin's request for the body failed the exchange
          return;
        }
      }
      phaseIndex++;
      pluginIndex = 0;
    }
    proceedUpstream();
  }

  /** Returns true to go on with the next plugin. */
  private boolean handleOutcome(Outcome outcome) {
    if (outcome == Outcome.Proceed.INSTANCE) {
      return true;
    }
    if (outcome instanceof Reply reply) {
      replyLocally(reply);
      return false;
    }
    if (outcome instanceof Outcome.Pending pending) {
      EventLoop loop = eventLoop();
      pending
          .stage()
          .whenComplete(
              (next, error) -> {
                if (loop.inEventLoop()) {
                  resume(next, error);
                } else {
                  loop.execute(() -> resume(next, error));
                }
              });
      return false;
    }
    fail(Failure.PLUGIN_ERROR, "A plugin returned an unknown outcome.");
    return false;
  }

  private void resume(Outcome next, Throwable error) {
    if (finished) {
      return;
    }
    if (error != null || next == null) {
      log.warn("asynchronous plugin work failed on request {}", requestId, error);
      fail(Failure.PLUGIN_ERROR, "A plugin failed while handling the request.");
      return;
    }
    if (handleOutcome(next)) {
      runRequestPhases();
    }
  }

  // ---------------------------------------------------------------- upstream

  private void proceedUpstream() {
    if (service == null) {
      fail(Failure.NO_ROUTE, "Route " + route.name() + " has no service and no plugin answered.");
      return;
    }
    if (expectContinue && !requestComplete) {
      conn.writeContinue();
    }
    service.retryBudget().onRequest();
    attempt();
  }

  private void attempt() {
    endpoint = service.pick(failedEndpoint);
    if (endpoint == null) {
      fail(
          Failure.NO_HEALTHY_UPSTREAM, "Service " + service.name() + " has no available endpoint.");
      return;
    }
    attempts++;
    conn.pools().pool(endpoint).acquire(service.pool(), route.timeouts().connect(), this, this);
  }

  @Override
  public void onAcquired(UpstreamConnection connection) {
    if (finished) {
      connection.release(true);
      return;
    }
    try {
      forward(connection);
    } catch (RuntimeException e) {
      log.error("request {} failed while being forwarded", requestId, e);
      fail(Failure.INTERNAL_ERROR, "The gateway failed while forwarding the request.");
    }
  }

  private void forward(UpstreamConnection connection) {
    upstream = connection;
    long now = conn.nanoTime();
    connectedNanos = now;
    prepareUpstreamRequest();
    Channel ch = connection.channel();
    ch.write(request, ch.voidPromise());
    requestHeadSent = true;
    if (bodyBuffer != null && bodyBuffer.holdsBody()) {
      // Read for a plugin: forwarded in one piece; a body still arriving streams on from here.
      HttpContent body = bodyBuffer.forward();
      bodySent |= body.content().isReadable();
      ch.write(body, ch.voidPromise());
    } else if (requestComplete && pendingBody == null) {
      ch.write(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
    } else if (pendingBody != null) {
      HttpContent c;
      while ((c = pendingBody.poll()) != null) {
        bodySent |= c.content().isReadable();
        ch.write(c, ch.voidPromise());
      }
    }
    ch.flush();
    if (requestComplete) {
      onRequestSent(now);
    } else {
      conn.armDeadline(now + route.timeouts().idle().toNanos());
      conn.resumeReads();
    }
  }

  private void prepareUpstreamRequest() {
    if (attempts > 1) {
      // A retry reuses the head prepared for the first attempt; only the target may differ.
      setUpstreamHost();
      return;
    }
    HttpHeaders h = request.headers();
    HopByHopHeaders.strip(h, upgradeRequested);
    snapshot.forwarding().apply(h, peerTrusted, conn.facts(), originalHost);
    h.set(snapshot.forwarding().requestIdHeader(), requestId);
    request.setUri(forwardPath);
    if (!request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      request.setProtocolVersion(HttpVersion.HTTP_1_1);
      if (!h.contains(HttpHeaderNames.CONTENT_LENGTH)
          && !HttpUtil.isTransferEncodingChunked(request)) {
        h.set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
      }
    }
    setUpstreamHost();
  }

  private void setUpstreamHost() {
    if (attempts == 1) {
      String current = request.headers().get(HttpHeaderNames.HOST);
      hostSetByPlugin = current != null && !current.equals(originalHost);
    }
    if (hostSetByPlugin) {
      // A request plugin set the Host (e.g. request-headers): a per-route rewrite that wins.
      return;
    }
    if (route.config().preserveHost() && originalHost != null) {
      request.headers().set(HttpHeaderNames.HOST, originalHost);
    } else if (service.hostHeader() != null) {
      request.headers().set(HttpHeaderNames.HOST, service.hostHeader());
    } else {
      request.headers().set(HttpHeaderNames.HOST, endpoint.authority());
    }
  }

  @Override
  public void onAcquireFailed(AcquireFailure reason, Throwable cause) {
    if (finished) {
      return;
    }
    if (reason == AcquireFailure.POOL_EXHAUSTED) {
      fail(Failure.UPSTREAM_POOL_EXHAUSTED, "Too many requests wait for " + endpoint + ".");
      return;
    }
    // Nothing was sent: always safe to try another endpoint.
    if (canRetry()) {
      failedEndpoint = endpoint;
      attempt();
      return;
    }
    if (reason == AcquireFailure.CONNECT_TIMEOUT) {
      fail(Failure.UPSTREAM_CONNECT_TIMEOUT, "Connecting to " + endpoint + " timed out.");
    } else {
      fail(Failure.UPSTREAM_CONNECT_FAILED, "Could not connect to " + endpoint + ".");
    }
  }

  private boolean canRetry() {
    return attempts <= service.retry().attempts() && service.retryBudget().tryRetry();
  }

  private void onRequestSent(long now) {
    requestSentNanos = now;
    conn.armDeadline(now + route.timeouts().response().toNanos());
  }

  private void armIdleDeadline() {
    conn.armDeadline(conn.nanoTime() + route.timeouts().idle().toNanos());
  }

  /** Called by the connection when the exchange's deadline passes. */
  void onDeadline() {
    if (finished) {
      return;
    }
    if (!requestComplete && (upstream != null || (bodyBuffer != null && bodyBuffer.reading()))) {
      fail(Failure.REQUEST_BODY_TIMEOUT, "The request body stalled.");
    } else if (response == null) {
      fail(
          Failure.UPSTREAM_RESPONSE_TIMEOUT,
          endpoint + " did not answer within " + route.timeouts().response().toMillis() + " ms.");
    } else {
      fail(Failure.UPSTREAM_IDLE_TIMEOUT, endpoint + " stalled while sending the response.");
    }
  }

  // ---------------------------------------------------------------- request body

  /** A piece of the request body from the client. */
  void onRequestContent(HttpContent content) {
    if (awaitingEnd) {
      awaitingEnd = false;
      content.release();
      requestComplete = true;
      start();
      return;
    }
    if (finished || requestComplete) {
      content.release();
      return;
    }
    if (content.decoderResult().isFailure()) {
      content.release();
      requestComplete = true;
      closeAfter = true;
      fail(
          Failure.BAD_FRAMING,
          "The request body is malformed: " + describe(content.decoderResult().cause()));
      return;
    }
    requestBytes += content.content().readableBytes();
    if (limits.maxBodySize() > 0 && requestBytes > limits.maxBodySize()) {
      content.release();
      requestComplete = true;
      closeAfter = true;
      fail(Failure.BODY_TOO_LARGE, "The request body exceeds " + limits.maxBodySize() + " bytes.");
      return;
    }
    boolean last = content instanceof LastHttpContent;
    if (last) {
      requestComplete = true;
    }
    if (bodyBuffer != null && bodyBuffer.reading()) {
      readForPlugins(content, last);
      return;
    }
    if (upstream != null && requestHeadSent) {
      bodySent |= content.content().isReadable();
      Channel ch = upstream.channel();
      ch.write(content, ch.voidPromise());
      if (last) {
        ch.flush();
        onRequestSent(conn.nanoTime());
      } else {
        armIdleDeadline();
        if (!ch.isWritable()) {
          conn.pauseReads();
        }
      }
    } else {
      if (pendingBody == null) {
        pendingBody = new ArrayDeque<>(4);
      }
      pendingBody.add(content);
      if (!last) {
        // Hold the client until the upstream can take the body.
        conn.pauseReads();
      }
    }
  }

  /**
   * A chunk of a body a plugin asked for: held until the body ends, which completes the plugins'
   * stages (and may resume the request phases, and forward the request, from here).
   */
  private void readForPlugins(HttpContent content, boolean last) {
    if (bodyBuffer.size() + (long) content.content().readableBytes() > bodyBuffer.limit()) {
      content.release();
      requestComplete = true;
      closeAfter = true;
      fail(Failure.BODY_TOO_LARGE, "The request body exceeds " + bodyBuffer.limit() + " bytes.");
      return;
    }
    bodyBuffer.append(content);
    if (last) {
      // The request phases go on: they get the response timeout again, as at the start.
      conn.armDeadline(conn.nanoTime() + route.timeouts().response().toNanos());
      bodyBuffer.end();
    } else {
      armIdleDeadline();
    }
  }

  /** Flushes request body chunks written upstream during the client's read burst. */
  void flushUpstream() {
    if (upstream != null && requestHeadSent && !requestComplete) {
      upstream.channel().flush();
    }
  }

  @Override
  public void onUpstreamWritabilityChanged(boolean writable) {
    if (writable && !requestComplete) {
      conn.resumeReads();
    }
  }

  /** The client's connection became writable again: resume reading the upstream response. */
  void onDownstreamWritable() {
    if (upstream != null && !upstream.channel().config().isAutoRead()) {
      upstream.channel().config().setAutoRead(true);
    }
  }

  // ---------------------------------------------------------------- response

  @Override
  public void onResponseHead(HttpResponse head) {
    if (finished) {
      return;
    }
    if (head.decoderResult().isFailure()) {
      upstreamKeepAlive = false;
      fail(Failure.UPSTREAM_PROTOCOL_ERROR, endpoint + " sent a malformed response.");
      return;
    }
    int code = head.status().code();
    if (code == 101 && upgradeRequested) {
      startUpgrade(head);
      return;
    }
    if (code >= 100 && code < 200) {
      // 100 Continue was already answered by the gateway; other interim responses are dropped.
      return;
    }
    long now = conn.nanoTime();
    responseHeadNanos = now;
    upstreamKeepAlive = HttpUtil.isKeepAlive(head);
    response = head;
    status = code;
    HopByHopHeaders.strip(head.headers(), false);
    runResponsePhase();
    prepareDownstreamHead(head);
    conn.channel().write(head, conn.channel().voidPromise());
    responseStarted = true;
    conn.armDeadline(now + route.timeouts().idle().toNanos());
  }

  @Override
  public void onResponseContent(HttpContent content) {
    if (finished || response == null || upgraded) {
      content.release();
      return;
    }
    if (content.decoderResult().isFailure()) {
      content.release();
      upstreamKeepAlive = false;
      fail(Failure.UPSTREAM_PROTOCOL_ERROR, endpoint + " sent a malformed response body.");
      return;
    }
    responseBytes += content.content().readableBytes();
    Channel down = conn.channel();
    if (content instanceof LastHttpContent) {
      responseComplete = true;
      if (conn.draining()) {
        // The head went out before the gateway began to drain: close once the response is out.
        closeAfter = true;
      }
      if (closeAfter) {
        down.writeAndFlush(content).addListener(ChannelFutureListener.CLOSE);
      } else {
        down.writeAndFlush(content, down.voidPromise());
      }
      finish();
      return;
    }
    down.write(content, down.voidPromise());
    armIdleDeadline();
    if (!down.isWritable()) {
      upstream.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void onReadComplete() {
    conn.channel().flush();
  }

  @Override
  public void onUpstreamClosed(Throwable cause) {
    if (finished) {
      return;
    }
    UpstreamConnection lost = upstream;
    upstream = null;
    if (response == null) {
      if (lost != null && lost.reused() && retrySafeAfterSend() && canRetry()) {
        // A pooled connection the upstream had closed: the request never reached it.
        requestHeadSent = false;
        failedEndpoint = null;
        attempt();
        return;
      }
      fail(
          Failure.UPSTREAM_RESET_BEFORE_RESPONSE,
          endpoint + " closed the connection before responding.");
    } else {
      failure = Failure.UPSTREAM_RESET_AFTER_RESPONSE;
      closeAfter = true;
      conn.channel().close();
      finish();
    }
  }

  /**
   * Retrying after the head was written is safe only for a complete, body-less, idempotent request.
   */
  private boolean retrySafeAfterSend() {
    return requestComplete && !bodySent && isIdempotent(request.method());
  }

  private static boolean isIdempotent(HttpMethod m) {
    return m == HttpMethod.GET
        || m == HttpMethod.HEAD
        || m == HttpMethod.OPTIONS
        || m == HttpMethod.PUT
        || m == HttpMethod.DELETE
        || m == HttpMethod.TRACE;
  }

  private void prepareDownstreamHead(HttpResponse head) {
    HttpHeaders h = head.headers();
    boolean clientHttp10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
    head.setProtocolVersion(HttpVersion.HTTP_1_1);
    if (!requestComplete || conn.draining()) {
      // Answering before the request body was read: the connection cannot be reused.
      closeAfter = true;
    }
    if (clientHttp10 && HttpUtil.isTransferEncodingChunked(head)) {
      // HTTP/1.0 clients cannot read chunked bodies: frame the body by closing instead.
      h.remove(HttpHeaderNames.TRANSFER_ENCODING);
      closeAfter = true;
    } else if (mayHaveBody(head)
        && !h.contains(HttpHeaderNames.CONTENT_LENGTH)
        && !HttpUtil.isTransferEncodingChunked(head)) {
      // The upstream delimits the body by closing; the client keeps its connection if it can
      // read chunks.
      if (clientHttp10 || conn.http2()) {
        closeAfter |= clientHttp10;
      } else {
        HttpUtil.setTransferEncodingChunked(head, true);
      }
    }
    if (closeAfter) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (clientHttp10) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
  }

  private boolean mayHaveBody(HttpResponse head) {
    int code = head.status().code();
    return request.method() != HttpMethod.HEAD && code >= 200 && code != 204 && code != 304;
  }

  private void runResponsePhase() {
    Plugin[] plugins = chain.response();
    for (Plugin p : plugins) {
      try {
        p.response(this);
      } catch (RuntimeException e) {
        log.warn(
            "plugin {} failed in the response phase of request {}",
            p.getClass().getName(),
            requestId,
            e);
      }
    }
  }

  // ---------------------------------------------------------------- WebSocket and other upgrades

  private void startUpgrade(HttpResponse head) {
    upgraded = true;
    response = head;
    status = 101;
    responseHeadNanos = conn.nanoTime();
    runResponsePhase();
    Channel down = conn.channel();
    upstream.upgrade();
    conn.armDeadline(0);
    down.writeAndFlush(head)
        .addListener(
            f -> {
              if (f.isSuccess()) {
                conn.upgradeTo(upstream.channel(), this);
              } else {
                failure = Failure.DOWNSTREAM_CLOSED;
                finish();
              }
            });
    responseStarted = true;
  }

  @Override
  public void onUpgradedData(ByteBuf data) {
    Channel down = conn.channel();
    if (!down.isActive()) {
      data.release();
      return;
    }
    responseBytes += data.readableBytes();
    down.write(data, down.voidPromise());
    if (!down.isWritable()) {
      upstream.channel().config().setAutoRead(false);
    }
  }

  /** Bytes from the client after the protocol switch. */
  void onUpgradedClientData(ByteBuf data) {
    if (upstream == null || !upstream.channel().isActive()) {
      data.release();
      return;
    }
    requestBytes += data.readableBytes();
    upstream.channel().write(data, upstream.channel().voidPromise());
    if (!upstream.channel().isWritable()) {
      conn.pauseReads();
    }
  }

  void flushUpgradedToUpstream() {
    if (upstream != null) {
      upstream.channel().flush();
    }
  }

  /** Either side of an upgraded connection closed: close the other and finish. */
  void onUpgradedClosed() {
    if (finished) {
      return;
    }
    responseComplete = true;
    closeAfter = true;
    if (upstream != null) {
      upstream.channel().close();
    }
    conn.channel().close();
    finish();
  }

  // ---------------------------------------------------------------- local replies and failures

  private void replyLocally(Reply reply) {
    FullHttpResponse r;
    if (reply.problem() != null) {
      Reply.ProblemDetail p = reply.problem();
      r =
          ProblemResponses.render(
              conn.channel().alloc(),
              reply.status(),
              p.type(),
              p.title(),
              p.detail(),
              path,
              requestId);
    } else {
      byte[] body = reply.body();
      ByteBuf content = body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
      r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(), content);
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    }
    r.headers().add(reply.headers());
    sendLocal(r);
  }

  /**
   * Records {@code reason} and answers with its problem response, or aborts if that is too late.
   */
  void fail(Failure reason, String detail) {
    if (finished) {
      return;
    }
    failure = reason;
    if (upstream != null) {
      UpstreamConnection u = upstream;
      upstream = null;
      u.release(false);
    } else if (endpoint != null) {
      conn.pools().pool(endpoint).cancel(this);
    }
    if (pendingBody != null) {
      pendingBody.forEach(ReferenceCountUtil::release);
      pendingBody.clear();
    }
    if (responseStarted || !conn.channel().isActive()) {
      closeAfter = true;
      conn.channel().close();
      finish();
      return;
    }
    if (reason.status().code() >= 500) {
      log.debug("request {} failed: {} ({})", requestId, reason.code(), detail);
    }
    sendLocal(
        ProblemResponses.render(
            conn.channel().alloc(), reason, detail, path == null ? null : path, requestId));
  }

  private void sendLocal(FullHttpResponse r) {
    response = r;
    status = r.status().code();
    runResponsePhase();
    if (request.method() == HttpMethod.HEAD) {
      // The codec drops the body of a response to HEAD; keep the length it would have had.
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    }
    if (!requestComplete) {
      closeAfter = true;
    }
    if (closeAfter) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    responseBytes = r.content().readableBytes();
    responseStarted = true;
    responseComplete = true;
    Channel down = conn.channel();
    if (closeAfter) {
      down.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    } else {
      down.writeAndFlush(r, down.voidPromise());
    }
    finish();
  }

  /** The client went away. */
  void onDownstreamClosed() {
    if (finished) {
      return;
    }
    if (failure == null) {
      failure = Failure.DOWNSTREAM_CLOSED;
    }
    if (upstream != null) {
      UpstreamConnection u = upstream;
      upstream = null;
      u.release(false);
    } else if (endpoint != null && service != null) {
      conn.pools().pool(endpoint).cancel(this);
    }
    if (pendingBody != null) {
      pendingBody.forEach(ReferenceCountUtil::release);
      pendingBody.clear();
    }
    closeAfter = true;
    finish();
  }

  // ---------------------------------------------------------------- the end

  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    conn.armDeadline(0);
    if (bodyBuffer != null) {
      bodyBuffer.discard("the exchange ended before the request was forwarded");
    }
    if (upstream != null && !upgraded) {
      UpstreamConnection u = upstream;
      upstream = null;
      u.release(responseComplete && requestComplete && upstreamKeepAlive);
    }
    for (Plugin p : chain.log()) {
      try {
        p.log(this);
      } catch (RuntimeException e) {
        log.warn(
            "plugin {} failed in the log phase of request {}",
            p.getClass().getName(),
            requestId,
            e);
      }
    }
    conn.observe(this);
    conn.onExchangeFinished(this, closeAfter);
  }

  ExchangeRecord record() {
    long end = conn.nanoTime();
    return new ExchangeRecord(
        System.currentTimeMillis() - (end - startNanos) / 1_000_000,
        requestId,
        clientAddress == null ? null : clientAddress.getAddress().getHostAddress(),
        request.method().name(),
        path != null ? path : withoutQuery(originalUri),
        conn.http2() ? "HTTP/2.0" : request.protocolVersion().text(),
        originalHost,
        route == null ? null : route.name(),
        service == null ? null : service.name(),
        endpoint == null ? null : endpoint.authority(),
        status,
        requestBytes,
        responseBytes,
        (end - startNanos) / 1e6,
        connectedNanos == 0 ? -1 : (connectedNanos - startNanos) / 1e6,
        responseHeadNanos == 0 || requestSentNanos == 0
            ? -1
            : (responseHeadNanos - requestSentNanos) / 1e6,
        failure == null ? null : failure.code(),
        attempts,
        request.headers().get(HttpHeaderNames.USER_AGENT));
  }

  boolean isFinished() {
    return finished;
  }

  boolean requestComplete() {
    return requestComplete;
  }

  boolean upgraded() {
    return upgraded;
  }

  private static String describe(Throwable cause) {
    String m = cause == null ? null : cause.getMessage();
    return m == null ? "invalid HTTP/1.1 framing" : m;
  }

  /** The request-target of a request refused before routing, without its query (credentials). */
  private static String withoutQuery(String uri) {
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }

  private static String stripPort(String host) {
    int colon = host.lastIndexOf(':');
    return colon > 0 && host.indexOf(']') < colon ? host.substring(0, colon) : host;
  }

  // ---------------------------------------------------------------- Exchange (plugin view)

  @Override
  public String requestId() {
    return requestId;
  }

  @Override
  public HttpRequest request() {
    return request;
  }

  /**
   * Starts holding the body on the first call: chunks already queued move into the buffer, the
   * client is read again (and sent its 100 Continue), and chunks go to {@link #readForPlugins}
   * instead of the upstream until the body ends or the request is forwarded.
   */
  @Override
  public CompletionStage<ByteBuf> requestBody(long maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: at least 0)");
    }
    if (!eventLoop().inEventLoop()) {
      throw new IllegalStateException("the request body is read on the exchange's event loop");
    }
    if (finished) {
      return CompletableFuture.failedFuture(new CancellationException("the exchange has ended"));
    }
    if (phaseIndex >= 2 || response != null || requestHeadSent) {
      throw new IllegalStateException("the request body is read in the REWRITE and ACCESS phases");
    }
    long limit = Math.min(maxBytes, Integer.MAX_VALUE);
    if (limits.maxBodySize() > 0) {
      limit = Math.min(limit, limits.maxBodySize());
    }
    if (bodyBuffer != null) {
      bodyBuffer.lowerLimit(limit);
      if (bodyBuffer.size() > limit) {
        return refuseBody(limit);
      }
      return bodyBuffer.view();
    }
    if (requestComplete && pendingBody == null) {
      // A request without a body: it started when its empty end arrived.
      return CompletableFuture.completedFuture(NO_BODY);
    }
    long declared = HttpUtil.getContentLength(request, -1L);
    if (declared > limit) {
      return refuseBody(limit);
    }
    bodyBuffer = new RequestBodyBuffer(conn.channel().alloc(), limit);
    if (pendingBody != null) {
      HttpContent c;
      while ((c = pendingBody.poll()) != null) {
        if (bodyBuffer.size() + (long) c.content().readableBytes() > limit) {
          c.release();
          return refuseBody(limit);
        }
        bodyBuffer.append(c);
      }
      // Everything queued is in the buffer now: forward() and retries look at the buffer only.
      pendingBody = null;
    }
    if (!requestComplete) {
      if (expectContinue) {
        expectContinue = false;
        conn.writeContinue();
      }
      armIdleDeadline();
      conn.resumeReads();
    }
    return bodyBuffer.view();
  }

  /** 413 for a body over {@code limit}, decided in a plugin's call: the exchange ends here. */
  private CompletionStage<ByteBuf> refuseBody(long limit) {
    closeAfter = true;
    fail(Failure.BODY_TOO_LARGE, "The request body exceeds " + limit + " bytes.");
    return CompletableFuture.failedFuture(
        new CancellationException("the request body exceeds " + limit + " bytes"));
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String forwardPath() {
    return forwardPath;
  }

  @Override
  public void forwardPath(String pathAndQuery) {
    this.forwardPath = pathAndQuery;
  }

  @Override
  public Map<String, List<String>> queryParameters() {
    if (queryParameters == null) {
      queryParameters =
          rawQuery == null ? Map.of() : new QueryStringDecoder(rawQuery, false).parameters();
    }
    return queryParameters;
  }

  @Override
  public Map<String, String> pathParameters() {
    return match == null ? Map.of() : match.pathParameters();
  }

  @Override
  public HttpResponse response() {
    return response;
  }

  @Override
  public InetSocketAddress clientAddress() {
    return clientAddress;
  }

  @Override
  public InetSocketAddress peerAddress() {
    return conn.peer();
  }

  @Override
  public boolean secure() {
    return conn.secure();
  }

  @Override
  public javax.net.ssl.SSLSession sslSession() {
    return conn.sslSession();
  }

  @Override
  public String routeName() {
    return route == null ? null : route.name();
  }

  @Override
  public String serviceName() {
    return service == null ? null : service.name();
  }

  @Override
  public EventLoop eventLoop() {
    return conn.channel().eventLoop();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T get(ExchangeKey<T> key) {
    return attributes == null ? null : (T) attributes.get(key);
  }

  @Override
  public <T> void set(ExchangeKey<T> key, T value) {
    if (attributes == null) {
      attributes = new IdentityHashMap<>(4);
    }
    attributes.put(key, value);
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public String failureCode() {
    return failure == null ? null : failure.code();
  }

  @Override
  public long elapsedNanos() {
    return conn.nanoTime() - startNanos;
  }

  static HttpResponse continueResponse() {
    return new DefaultFullHttpResponse(
        HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER);
  }
}
