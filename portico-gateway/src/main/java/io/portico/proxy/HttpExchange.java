package io.portico.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
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
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.portico.aggregate.AggregatePlan;
import io.portico.aggregate.AggregateResult;
import io.portico.aggregate.Aggregation;
import io.portico.ai.AiPlan;
import io.portico.ai.AiRun;
import io.portico.config.AccessLogConfig;
import io.portico.config.LimitsConfig;
import io.portico.config.TimeoutsConfig;
import io.portico.observe.ExchangeRecord;
import io.portico.observe.trace.Tracing;
import io.portico.plugin.PluginChain;
import io.portico.router.PathNormalizer;
import io.portico.router.PathTemplate;
import io.portico.router.RequestTarget;
import io.portico.snapshot.Snapshot;
import io.portico.spi.plugin.BodyTransform;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.Reply;
import io.portico.spi.plugin.RequestBodyTransform;
import io.portico.traffic.MirrorCall;
import io.portico.traffic.RouteTraffic;
import io.portico.traffic.SplitTarget;
import io.portico.upstream.CallFailure;
import io.portico.upstream.Endpoint;
import io.portico.upstream.UpstreamCall;
import io.portico.upstream.UpstreamConnection;
import io.portico.upstream.UpstreamHooks;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and its response, from the request head to the last response byte: the stream of the
 * data plane, which hands each step to the part named for it.
 *
 * <pre>
 *  onHead ─▶ {@link RequestChecks} ─ normalize ─ route ─▶ {@link PhaseRunner}: REWRITE, ACCESS
 *               │ refused                      │ no route           │ reply / failure   │ passed
 *               ▼                              ▼                    ▼                   ▼
 *           problem response ◀─────────────────┴────────────── local answer    {@link UpstreamCall}
 *               │                                                               │ response head
 *               │                                     RESPONSE, RESPONSE_BODY ◀─┘ (or 101 ─▶
 *               │                                     body chunks ─▶ client      {@link UpgradeRelay})
 *               └─────────────────▶ finish(): LOG phase, observer, next request ◀┘
 * </pre>
 *
 * <p>The exchange's progress is one {@link ExchangeState}; beside it only whether the request body
 * has fully arrived.
 *
 * <p>Threading: everything runs on the client connection's event loop; the upstream call uses the
 * same loop's pools. Asynchronous plugin results come back through {@link PhaseRunner}.
 *
 * <p>Timeouts: the client connection's deadline bounds, in turn, the request phases (the route's
 * {@code response} timeout from the head: {@code plugin_timeout}), silence in the request body
 * ({@code idle}: {@code request_body_timeout}) and a client that stops reading the response ({@code
 * idle}: {@code downstream_write_timeout}); the upstream call bounds the upstream's side itself,
 * its response timeout running from the request being sent.
 *
 * <p>Buffers: request body chunks are owned by the exchange from {@link #onRequestContent} until
 * handed to the upstream call (or released when no longer needed); a body held for plugins is owned
 * by its {@link RequestBodyBuffer}, a replacement body by the exchange until forwarded. Response
 * chunks are owned from {@link #onResponseContent} until written to the client, passing through the
 * {@link ResponseBodyPipeline} when plugins transform the body.
 *
 * <p>Flow control: while no upstream connection takes the request body, its chunks queue and the
 * client's reads pause; afterwards client reads pause while the upstream is unwritable, and
 * upstream reads pause while the client is unwritable.
 */
final class HttpExchange extends ExchangeView
    implements PhaseRunner.Host, UpstreamCall.Receiver, UpgradeRelay.Ended, Aggregation.Host {

  private static final Logger log = LoggerFactory.getLogger(HttpExchange.class);

  /** Names the backends of an aggregate that failed, comma-separated. */
  static final AsciiString AGGREGATE_FAILED = AsciiString.cached("x-portico-aggregate-failed");

  /** The body plugins get for a request without one. */
  private static final ByteBuf NO_BODY =
      Unpooled.unreleasableBuffer(Unpooled.EMPTY_BUFFER.asReadOnly());

  private @Nullable ExchangeState state;
  private boolean requestComplete;

  // what the checks established, beside the facts of the view
  private boolean peerTrusted;
  private boolean expectContinue;
  private boolean upgradeRequested;
  private boolean hostSetByPlugin;
  private PluginChain chain = PluginChain.EMPTY;
  @Nullable PhaseRunner phases;

  /** The gRPC call this exchange is, or null. */
  @Nullable GrpcCall grpc;

  /** What the access log keeps of this exchange's bodies; null when nothing (no byte copied). */
  @Nullable CapturedBodies captured;

  // the request body
  private boolean bodyChunkSeen;
  private boolean startDeferred;
  private @Nullable ArrayDeque<HttpContent> pendingBody;
  private @Nullable RequestBodyBuffer bodyBuffer;
  private @Nullable ByteBuf replacedBody;
  private @Nullable TransformedRequestBody requestTransform;

  // the upstream
  @Nullable UpstreamCall call;
  private @Nullable MirrorCall mirror;
  @Nullable Aggregation aggregation;
  private @Nullable AggregateRequestJson aggregateBody;
  private @Nullable AiRun aiRun;
  private @Nullable UpgradeRelay relay;

  // the response
  private @Nullable ResponseBodyPipeline bodyPipeline;
  private boolean headDeferred;
  private @Nullable ResponseDecoding decoding;

  /** The upstream's Content-Encoding, before plugins could change it (or null). */
  private @Nullable String upstreamCoding;

  private boolean clientPaused;
  private boolean closeAfter;

  HttpExchange(
      DownstreamHandler conn, HttpRequest request, Snapshot snapshot, LimitsConfig limits) {
    super(conn, request, snapshot, limits);
  }

  // ---------------------------------------------------------------- request head: checks, routing

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
      state = ExchangeState.AWAITING_END;
    } else {
      start();
    }
  }

  /** Checks and routes the request, then runs the request phases. */
  private void start() {
    state = ExchangeState.REQUEST_PHASES;
    HttpHeaders headers = request.headers();
    grpc = GrpcCall.of(request, this);
    peerTrusted = snapshot.forwarding().isTrusted(conn.peer());
    assignRequestId(headers);
    clientAddress = snapshot.forwarding().clientAddress(conn.peer(), peerTrusted, headers);
    Tracing tracing = conn.tracing();
    if (tracing != null) {
      beginTrace(tracing);
    }
    if (conn.draining() || !HttpUtil.isKeepAlive(request)) {
      closeAfter = true;
    }
    RequestChecks.Refusal refusal =
        RequestChecks.check(request, limits, snapshot.identityHeaders());
    if (refusal != null) {
      if (request.decoderResult().isFailure()) {
        requestComplete = true;
      }
      closeAfter = true;
      fail(refusal.failure(), refusal.detail());
      return;
    }
    String declaredLength = headers.get(HttpHeaderNames.CONTENT_LENGTH);
    if (declaredLength != null) {
      // Canonical digits upstream ("010" is 10), so no upstream reads the length differently.
      headers.set(
          HttpHeaderNames.CONTENT_LENGTH, Long.toString(HttpUtil.getContentLength(request, 0L)));
    }
    originalHost = headers.get(HttpHeaderNames.HOST);
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
      answerAsterisk();
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
    // Only a GET without a body on HTTP/1.1 may switch protocols (RFC 6455 4.1, RFC 9110 7.8);
    // any other request asking for it is forwarded as a plain request, its Upgrade removed.
    upgradeRequested =
        headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
            && headers.contains(HttpHeaderNames.UPGRADE)
            && request.method() == HttpMethod.GET
            && request.protocolVersion().equals(HttpVersion.HTTP_1_1)
            && !HttpUtil.isTransferEncodingChunked(request)
            && HttpUtil.getContentLength(request, 0L) == 0;

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
    if (trace != null) {
      trace.routed(route.name());
    }
    AccessLogConfig.BodyCapture bodies = conn.bodyCapture();
    if (bodies != null) {
      captured = CapturedBodies.forRoute(bodies, route.config(), headers);
    }
    chain = route.chain();
    service = route.service();
    // What the client sent for one hop (and the headers its Connection names) goes now, before
    // any plugin runs, so that nothing a plugin sets can be removed by the client's Connection.
    HopByHopHeaders.strip(headers, upgradeRequested);
    List<AsciiString> identityHeaders = snapshot.identityHeaders();
    for (int i = 0, n = identityHeaders.size(); i < n; i++) {
      headers.remove(identityHeaders.get(i));
    }
    forwardPath = computeForwardPath();
    if (grpc != null) {
      grpc.routed(
          headers,
          routed().config().grpcOrDefaults(),
          startNanos,
          routed().timeouts().response().toNanos(),
          conn.nanoTime(),
          conn.channel().alloc());
    }
    // The request phases, including any plugin's wait, are bounded by the route's response timeout.
    conn.armDeadline(startNanos + route.timeouts().response().toNanos());
    phases().runRequestPhases();
  }

  private void answerAsterisk() {
    closeAfter |= !requestComplete;
    if (request.method() == HttpMethod.OPTIONS) {
      FullHttpResponse ok =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
      ok.headers().set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
      sendLocal(ok);
    } else {
      fail(Failure.BAD_PATH, "The asterisk request-target is only valid with OPTIONS.");
    }
  }

  private void beginTrace(Tracing tracing) {
    trace =
        tracing.begin(
            request.headers(),
            request.method().name(),
            originalUri,
            request.headers().get(HttpHeaderNames.HOST),
            conn.peer(),
            conn.secure(),
            conn.http2() ? "2" : clientHttp10 ? "1.0" : "1.1");
    if (trace.recording()) {
      trace.requestId(requestId());
      String client = clientAddressText();
      if (client != null) {
        trace.clientAddress(client);
      }
    }
  }

  /** The hooks of one upstream call: the shared ones, and its client spans when tracing is on. */
  private UpstreamHooks upstreamHooks(String method) {
    UpstreamHooks shared = conn.upstreamHooks();
    return trace == null ? shared : new TracedAttempts(trace, shared, method);
  }

  private void assignRequestId(HttpHeaders headers) {
    String incoming = peerTrusted ? headers.get(snapshot.forwarding().requestIdHeader()) : null;
    requestId =
        incoming != null && RequestIds.isWellFormed(incoming) ? incoming : RequestIds.generate();
  }

  private String computeForwardPath() {
    String p = headPath();
    PathTemplate rewrite = routed().rewrite();
    if (rewrite != null) {
      p = routeMatch().rewrittenPath(rewrite);
    } else if (routed().config().stripPrefix()) {
      p = routeMatch().strippedPath();
    }
    return rawQuery == null ? p : p + "?" + rawQuery;
  }

  private PhaseRunner phases() {
    if (phases == null) {
      phases = new PhaseRunner(chain, this);
    }
    return phases;
  }

  // ---------------------------------------------------------------- request phases (PhaseRunner)

  @Override
  public Exchange exchange() {
    return this;
  }

  @Override
  public boolean ended() {
    return state == ExchangeState.DONE;
  }

  @Override
  public void onReply(Reply reply) {
    replyLocally(reply);
  }

  @Override
  public void onPluginFailed() {
    fail(Failure.PLUGIN_ERROR, "A plugin failed while handling the request.");
  }

  /** Every request plugin proceeded: call the upstream, handing it the body as it stands. */
  @Override
  public void onRequestPhasesPassed() {
    if (routed().aggregate() != null) {
      startAggregate();
      return;
    }
    if (routed().ai() != null) {
      startAi();
      return;
    }
    TimeoutsConfig callTimeouts = routed().timeouts();
    RouteTraffic traffic = routed().traffic();
    if (traffic != null && traffic.split() != null) {
      Identity identity = get(Identity.KEY);
      SplitTarget chosen =
          traffic
              .split()
              .choose(
                  request.headers(),
                  rawQuery,
                  clientAddress,
                  identity == null ? null : identity.consumer(),
                  this::pathParameters);
      if (chosen != null) {
        service = chosen.service();
        callTimeouts = chosen.timeouts();
      }
    }
    if (service == null) {
      fail(
          Failure.NO_ROUTE, "Route " + routed().name() + " has no service and no plugin answered.");
      return;
    }
    if (expectContinue && !requestComplete) {
      conn.writeContinue();
    }
    state = ExchangeState.UPSTREAM;
    prepareUpstreamRequest();
    if (traffic != null && traffic.mirror() != null && !upgradeRequested) {
      mirror =
          traffic
              .mirror()
              .begin(
                  request,
                  routed().config().preserveHost() ? originalHost : null,
                  conn.pools(),
                  conn.channel().alloc());
    }
    call =
        new UpstreamCall(
            conn.pools(),
            service,
            callTimeouts,
            request,
            upgradeRequested,
            upstreamHooks(request.method().name()),
            this);
    if (service.hashKey() != null) {
      Identity identity = get(Identity.KEY);
      call.affinity(
          service
              .hashKey()
              .hash(
                  request.headers(),
                  clientAddress,
                  identity == null ? null : identity.consumer(),
                  pathParameters()));
    }
    if (replacedBody != null) {
      ByteBuf body = replacedBody;
      replacedBody = null;
      sendUpstream(new DefaultLastHttpContent(body));
    } else if (bodyBuffer != null && bodyBuffer.holdsBody()) {
      // Read for a plugin: forwarded in one piece; a body still arriving streams on from here.
      sendUpstream(bodyBuffer.forward());
    } else if (pendingBody != null) {
      HttpContent c;
      while ((c = pendingBody.poll()) != null) {
        sendUpstream(c);
      }
    } else if (requestComplete) {
      sendUpstream(LastHttpContent.EMPTY_LAST_CONTENT);
    }
    if (state == ExchangeState.DONE) {
      return; // a plugin's transform refused the body
    }
    if (requestComplete) {
      conn.armDeadline(0);
    } else {
      armBodyDeadline();
    }
    if (!requestComplete && !bodyChunkSeen && HttpUtil.isTransferEncodingChunked(request)) {
      // Nothing goes upstream before the first chunk decoded: a request whose chunked framing is
      // broken from the start is refused without the upstream ever seeing its head.
      startDeferred = true;
      return;
    }
    call.start();
  }

  /** Request content to the upstream call, copied first for the mirror when there is one. */
  private void sendUpstream(HttpContent content) {
    if (requestTransform != null) {
      HttpContent out = transformRequest(requestTransform, content);
      if (out == null) {
        return;
      }
      content = out;
    }
    if (mirror != null) {
      mirror.copy(content);
    }
    upstreamCall().send(content);
  }

  /**
   * An aggregate route: the backends are called instead of one upstream. The client's body is not
   * forwarded (each backend has its own); what still arrives of it is read and dropped.
   */
  private void startAggregate() {
    state = ExchangeState.UPSTREAM;
    boolean readsBody = aggregateOf().readsRequestBody();
    if (readsBody) {
      aggregateBody =
          new AggregateRequestJson(conn.channel().alloc(), aggregateOf().config().maxBodySize());
      if (!collectHeldBody()) {
        return;
      }
    }
    if (pendingBody != null) {
      pendingBody.forEach(ReferenceCountUtil::release);
      pendingBody = null;
    }
    if (requestComplete) {
      conn.armDeadline(0);
    } else {
      armBodyDeadline();
      conn.resumeReads();
    }
    aggregation =
        new Aggregation(
            aggregateOf(), conn.pools(), conn.upstreamHooks(), conn.channel().alloc(), this);
    if (!readsBody) {
      aggregation.start();
    } else if (requestComplete) {
      startAggregationWithBody();
    }
  }

  /**
   * Moves the part of the client's body already read (replaced by a plugin, read for one, or
   * queued) into {@link #aggregateBody}; false when it is over the limit (the exchange failed).
   */
  private boolean collectHeldBody() {
    boolean fits = true;
    if (replacedBody != null) {
      fits = aggregateBody().append(replacedBody);
      replacedBody = null;
    } else if (bodyBuffer != null && bodyBuffer.holdsBody()) {
      fits = aggregateBody().append(bodyBuffer.forward().content());
    }
    if (pendingBody != null) {
      HttpContent c;
      while ((c = pendingBody.poll()) != null) {
        if (fits) {
          fits = aggregateBody().append(c.content());
        } else {
          c.release();
        }
      }
    }
    if (!fits) {
      aggregateBodyTooLarge();
    }
    return fits;
  }

  private void aggregateBodyTooLarge() {
    closeAfter = true;
    fail(
        Failure.BODY_TOO_LARGE,
        "The request body exceeds the " + aggregateBody().limit() + " bytes the aggregate reads.");
  }

  /** The client's body is complete: parsed once, then the aggregation starts. */
  private void startAggregationWithBody() {
    JsonNode json = aggregateBody().parse();
    aggregateBody = null;
    runningAggregation().start(json);
  }

  /**
   * An AI route: the AI gateway reads the body and answers, calling providers on this loop's pools;
   * its answer goes through the response phases like an upstream's.
   */
  private void startAi() {
    state = ExchangeState.UPSTREAM;
    if (expectContinue && !requestComplete) {
      conn.writeContinue();
    }
    aiRun = new AiRun(aiOptions(), request.method(), headPath(), new AiHost(this, conn));
    AiRun run = aiRun;
    if (replacedBody != null) {
      ByteBuf body = replacedBody;
      replacedBody = null;
      run.onRequestContent(new DefaultLastHttpContent(body));
    } else if (bodyBuffer != null && bodyBuffer.holdsBody()) {
      run.onRequestContent(bodyBuffer.forward());
    } else if (pendingBody != null) {
      HttpContent c;
      while ((c = pendingBody.poll()) != null) {
        run.onRequestContent(c);
      }
    } else if (requestComplete) {
      run.onRequestContent(LastHttpContent.EMPTY_LAST_CONTENT);
    }
    if (state != ExchangeState.UPSTREAM) {
      return;
    }
    if (requestComplete) {
      conn.armDeadline(0);
    } else {
      armBodyDeadline();
      conn.resumeReads();
    }
  }

  @Override
  public UpstreamHooks backendHooks(UpstreamHooks shared, HttpRequest head) {
    return trace == null ? shared : new TracedAttempts(trace, shared, head.method().name());
  }

  /** A backend's head: forwarding headers, the request id and the identity headers plugins set. */
  @Override
  public void prepareBackendHead(HttpRequest head) {
    HttpHeaders h = head.headers();
    snapshot.forwarding().apply(h, peerTrusted, conn.facts(), originalHost);
    h.set(snapshot.forwarding().requestIdHeader(), requestId);
    List<AsciiString> identityHeaders = snapshot.identityHeaders();
    HttpHeaders client = request.headers();
    for (int i = 0, n = identityHeaders.size(); i < n; i++) {
      List<String> values = client.getAll(identityHeaders.get(i));
      if (!values.isEmpty()) {
        h.set(identityHeaders.get(i), values);
      }
    }
  }

  /**
   * The aggregate's outcome: an answer goes through the response phases like an upstream's response
   * (so response plugins see the merged body); a failure is a problem naming each failed backend.
   */
  @Override
  public void onAggregated(AggregateResult result) {
    if (state != ExchangeState.UPSTREAM) {
      if (result instanceof AggregateResult.Answer answer) {
        answer.body().release();
      }
      return;
    }
    if (result instanceof AggregateResult.Failed failed) {
      Failure reason =
          failed.timeout() ? Failure.AGGREGATE_TIMEOUT : Failure.AGGREGATE_BACKEND_FAILED;
      log.debug("request {} on route {}: {}", requestId, routed().name(), failed.detail());
      failure = reason;
      FullHttpResponse problem =
          ProblemResponses.render(
              conn.channel().alloc(),
              reason.status(),
              reason.type(),
              reason.title(),
              failed.detail(),
              path,
              requestId,
              traceId(),
              "failures",
              failed.failuresJson());
      problem.headers().set(AGGREGATE_FAILED, String.join(",", failed.failed()));
      sendLocal(problem);
      return;
    }
    AggregateResult.Answer answer = (AggregateResult.Answer) result;
    HttpResponse head =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(answer.status()));
    if (answer.contentType() != null) {
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
    }
    head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().readableBytes());
    if (!answer.failed().isEmpty()) {
      head.headers().set(AGGREGATE_FAILED, String.join(",", answer.failed()));
    }
    onResponseHead(head);
    onResponseContent(new DefaultLastHttpContent(answer.body()));
  }

  /**
   * The head as it goes upstream: forwarding headers in, the new URI (hop-by-hop went at start).
   */
  private void prepareUpstreamRequest() {
    HttpHeaders h = request.headers();
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
    String current = h.get(HttpHeaderNames.HOST);
    hostSetByPlugin = current != null && !current.equals(originalHost);
  }

  // ---------------------------------------------------------------- the upstream call (Receiver)

  /** Sets the Host for the attempt's endpoint, unless a request plugin set one. */
  @Override
  public void prepareHead(HttpRequest head, Endpoint endpoint, int attempt) {
    if (grpc != null) {
      grpc.prepareHead(head, conn.nanoTime());
    }
    if (hostSetByPlugin) {
      return;
    }
    if (routed().config().preserveHost() && originalHost != null) {
      head.headers().set(HttpHeaderNames.HOST, originalHost);
    } else {
      String hostHeader = upstreamService().hostHeader();
      head.headers()
          .set(HttpHeaderNames.HOST, hostHeader != null ? hostHeader : endpoint.authority());
    }
  }

  @Override
  public void onRequestFlowChanged(boolean accepting) {
    if (requestComplete) {
      return;
    }
    if (accepting) {
      conn.resumeReads();
    } else {
      conn.pauseReads();
    }
  }

  @Override
  public void onResponseHead(HttpResponse head) {
    if (state != ExchangeState.UPSTREAM) {
      return;
    }
    int code = head.status().code();
    if (code == 101) {
      startUpgrade(head);
      return;
    }
    response = head;
    status = code;
    boolean grpcTrailersOnly = grpc != null && grpc.onResponseHead(head, conn.channel().alloc());
    HopByHopHeaders.strip(head.headers(), false);
    phases().runResponsePhase();
    if (ResponseFraming.mayHaveBody(request.method(), head)) {
      List<BodyTransform> transforms;
      upstreamCoding = head.headers().get(HttpHeaderNames.CONTENT_ENCODING);
      try {
        transforms = phases().responseBodyTransforms();
      } catch (RuntimeException e) {
        fail(Failure.PLUGIN_ERROR, "A plugin failed while handling the response.");
        return;
      }
      if (transforms != null) {
        bodyPipeline =
            ResponseBodyPipeline.of(
                transforms,
                conn.channel().alloc(),
                head.headers().get(HttpHeaderNames.CONTENT_TYPE),
                decoding);
        decoding = null;
      }
    }
    prepareDownstreamHead(head);
    if (captured != null) {
      captured.responseHead(head.headers());
    }
    if (snapshot.config().metrics().serverTiming()) {
      long sent = upstreamCall().requestSentNanos();
      long headAt = upstreamCall().responseHeadNanos();
      ServerTiming.add(
          head.headers(),
          conn.nanoTime() - startNanos,
          sent == 0 || headAt == 0 ? -1 : headAt - sent);
    }
    if (headDeferred || grpcTrailersOnly) {
      return;
    }
    writeResponseHead();
  }

  /** Writes the response head as it stands; the response has started. */
  void writeResponseHead() {
    conn.channel()
        .write(Objects.requireNonNull(response, "the head is set"), conn.channel().voidPromise());
    state = ExchangeState.RESPONDING;
  }

  @Override
  public void onResponseContent(HttpContent content) {
    if (response == null
        || (state != ExchangeState.RESPONDING && state != ExchangeState.UPSTREAM)) {
      content.release();
      return;
    }
    boolean last = content instanceof LastHttpContent;
    if (grpc != null && grpc.takesResponseContent(content, last)) {
      return;
    }
    if (bodyPipeline != null) {
      content = transformed(content, last);
      if (content == null) {
        return;
      }
    }
    responseBytes += content.content().readableBytes();
    if (captured != null) {
      captured.response(content.content());
    }
    Channel down = conn.channel();
    if (headDeferred && (last || content.content().isReadable())) {
      closeAfter =
          ResponseFraming.frameDeferred(
              response,
              last,
              content.content().readableBytes(),
              clientHttp10,
              conn.http2(),
              closeAfter);
      headDeferred = false;
      // A body step may have changed the status (a transcoder mapping gRPC's status to HTTP's).
      status = response.status().code();
      down.write(response, down.voidPromise());
      state = ExchangeState.RESPONDING;
    }
    if (last) {
      if (responseTrailers == null) {
        responseTrailers = ((LastHttpContent) content).trailingHeaders();
      }
      if (conn.draining()) {
        // The head went out before the gateway began to drain: close once the response is out.
        closeAfter = true;
      }
      writeLast(content);
      return;
    }
    if (!content.content().isReadable()) {
      content.release();
      return;
    }
    down.write(content, down.voidPromise());
    if (!down.isWritable()) {
      // The client cannot take more: stop reading the upstream, and bound the client's stall.
      clientPaused = true;
      if (call != null) {
        call.pauseResponse();
      } else if (aiRun != null) {
        aiRun.pauseResponse();
      }
      armIdleDeadline();
    }
  }

  /** The response's last message: written and flushed, then the exchange finishes. */
  private void writeLast(Object last) {
    Channel down = conn.channel();
    if (closeAfter) {
      down.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
    } else {
      down.writeAndFlush(last, down.voidPromise());
    }
    finish();
  }

  /** An answer that came as one message (a trailers-only gRPC answer), written as one. */
  void sendWhole(FullHttpResponse whole) {
    response = whole;
    state = ExchangeState.RESPONDING;
    if (conn.draining()) {
      closeAfter = true;
    }
    writeLast(whole);
  }

  /** A started response's end written by a part (trailers with a failure's gRPC status). */
  void endStarted(LastHttpContent end) {
    if (!requestComplete) {
      // The client is still sending: its stream (or connection) cannot carry another call.
      closeAfter = true;
    }
    writeLast(end);
  }

  /** Whether response chunks go to the client as they come (started, no body transforms). */
  boolean relaysUntransformed() {
    return state == ExchangeState.RESPONDING && bodyPipeline == null;
  }

  /** A piece of the response body written to the client and counted. */
  void writeBody(HttpContent content) {
    responseBytes += content.content().readableBytes();
    conn.channel().write(content, conn.channel().voidPromise());
  }

  /**
   * The chunk through the body pipeline: the content to write (maybe empty), or null when the
   * pipeline failed and the exchange with it.
   */
  private @Nullable HttpContent transformed(HttpContent content, boolean last) {
    HttpHeaders trailers = last ? ((LastHttpContent) content).trailingHeaders() : null;
    if (last) {
      // before the last step runs: it may read them (a gRPC status) and change them
      responseTrailers = trailers;
    }
    ByteBuf out;
    try {
      out =
          Objects.requireNonNull(bodyPipeline, "a transformed chunk has its pipeline")
              .feed(content.content(), last);
    } catch (ResponseBodyPipeline.BodyLimitExceeded e) {
      log.debug("request {}: {}", requestId, e.getMessage());
      fail(Failure.UPSTREAM_RESPONSE_TOO_LARGE, "The upstream response is too large to transform.");
      return null;
    } catch (ResponseDecoding.Corrupt e) {
      log.debug("request {}: {}", requestId, e.getMessage());
      fail(Failure.UPSTREAM_BODY_INVALID, "The upstream's response body could not be decoded.");
      return null;
    } catch (BodyTransform.InvalidBody e) {
      String reason = e.getMessage();
      fail(
          Failure.UPSTREAM_BODY_INVALID,
          reason != null ? reason : "A plugin found the response body invalid.");
      return null;
    } catch (RuntimeException e) {
      log.warn("a plugin failed transforming the response body of request {}", requestId, e);
      fail(Failure.PLUGIN_ERROR, "A plugin failed while handling the response.");
      return null;
    }
    if (!last) {
      return new DefaultHttpContent(out);
    }
    bodyPipeline = null;
    return headDeferred || trailers == null || trailers.isEmpty()
        ? new DefaultLastHttpContent(out)
        : new DefaultLastHttpContent(out, trailers);
  }

  @Override
  public void onResponseReadComplete() {
    conn.channel().flush();
  }

  @Override
  public void onFailed(CallFailure reason, String detail) {
    if (state == ExchangeState.DONE) {
      return;
    }
    Failure mapped = UpstreamFailures.failure(reason);
    log.debug(
        "request {} to service {}: {} ({})",
        requestId,
        upstreamService().name(),
        mapped.code(),
        detail);
    fail(mapped, UpstreamFailures.clientDetail(reason));
  }

  @Override
  public void onFirstBodyTransform() {
    if (upstreamCoding != null) {
      decoding =
          ResponseDecoding.forResponse(
              Objects.requireNonNull(response, "transforms start after the head").headers(),
              limits,
              conn.channel().alloc());
    }
  }

  /** Frames the upstream's head for the client ({@link ResponseFraming}). */
  private void prepareDownstreamHead(HttpResponse head) {
    if (!requestComplete || conn.draining()) {
      // Answering before the request body was read: the connection cannot be reused.
      closeAfter = true;
    }
    int flags =
        ResponseFraming.frame(
            head, request.method(), clientHttp10, conn.http2(), closeAfter, bodyPipeline);
    closeAfter = (flags & ResponseFraming.CLOSE) != 0;
    headDeferred = (flags & ResponseFraming.DEFER_HEAD) != 0;
  }

  // ---------------------------------------------------------------- WebSocket and other upgrades

  private void startUpgrade(HttpResponse head) {
    UpstreamConnection upstream = upstreamCall().takeUpgradedConnection();
    state = ExchangeState.UPGRADED;
    response = head;
    status = 101;
    phases().runResponsePhase();
    relay = new UpgradeRelay(conn, upstream, this);
    relay.attach();
    conn.armDeadline(0);
    UpgradeRelay r = relay;
    conn.channel()
        .writeAndFlush(head)
        .addListener(
            f -> {
              if (f.isSuccess()) {
                conn.upgradeTo(r);
              } else {
                failure = Failure.DOWNSTREAM_CLOSED;
                r.close();
              }
            });
  }

  @Override
  public void onRelayEnded(long clientBytes, long upstreamBytes) {
    requestBytes += clientBytes;
    responseBytes += upstreamBytes;
    closeAfter = true;
    finish();
  }

  /** The upgraded connection's relay, or null. */
  @Nullable UpgradeRelay relay() {
    return relay;
  }

  // ---------------------------------------------------------------- the request body

  /** A piece of the request body from the client. */
  void onRequestContent(HttpContent content) {
    if (state == ExchangeState.AWAITING_END) {
      content.release();
      requestComplete = true;
      start();
      return;
    }
    if (state == ExchangeState.DONE || requestComplete) {
      content.release();
      return;
    }
    if (content.decoderResult().isFailure()) {
      Throwable cause = content.decoderResult().cause();
      content.release();
      requestComplete = true;
      closeAfter = true;
      if (cause instanceof TooLongHttpHeaderException) {
        fail(
            Failure.HEADERS_TOO_LARGE,
            "The request trailers exceed " + limits.maxHeaderSize() + " bytes.");
      } else {
        fail(
            Failure.BAD_FRAMING, "The request body is malformed: " + RequestChecks.describe(cause));
      }
      return;
    }
    if (content instanceof LastHttpContent lastContent) {
      RequestChecks.Refusal refusal = RequestChecks.checkTrailers(lastContent, limits);
      if (refusal != null) {
        refuseRequest(content, refusal.failure(), refusal.detail());
        return;
      }
    }
    bodyChunkSeen = true;
    requestBytes += content.content().readableBytes();
    if (limits.maxBodySize() > 0 && requestBytes > limits.maxBodySize()) {
      refuseRequest(
          content,
          Failure.BODY_TOO_LARGE,
          "The request body exceeds " + limits.maxBodySize() + " bytes.");
      return;
    }
    if (captured != null) {
      captured.request(content.content());
    }
    boolean last = content instanceof LastHttpContent;
    if (grpc != null && grpc.refusesRequest(content, last)) {
      return;
    }
    if (last) {
      requestComplete = true;
    }
    if (bodyBuffer != null && bodyBuffer.reading()) {
      readForPlugins(content, last);
      return;
    }
    if (aiRun != null) {
      aiRun.onRequestContent(content);
      if (state == ExchangeState.UPSTREAM) {
        if (last) {
          conn.armDeadline(0);
        } else {
          armBodyDeadline();
        }
      }
      return;
    }
    if (aggregation != null) {
      // The client's body is not forwarded on an aggregate route; its templates may read it.
      if (aggregateBody != null) {
        if (!aggregateBody.append(content.content())) {
          requestComplete = true;
          aggregateBodyTooLarge();
          return;
        }
        if (last) {
          conn.armDeadline(0);
          startAggregationWithBody();
        } else {
          armBodyDeadline();
        }
        return;
      }
      content.release();
      if (last) {
        conn.armDeadline(0);
      } else {
        armBodyDeadline();
      }
      return;
    }
    if (call != null) {
      sendUpstream(content);
      if (state == ExchangeState.DONE) {
        return;
      }
      if (startDeferred) {
        startDeferred = false;
        call.start();
      }
      if (last) {
        if (!clientPaused) {
          conn.armDeadline(0);
        }
      } else {
        armBodyDeadline();
      }
      return;
    }
    if (pendingBody == null) {
      pendingBody = new ArrayDeque<>(4);
    }
    pendingBody.add(content);
    if (!last) {
      // Hold the client until the upstream can take the body.
      conn.pauseReads();
    }
  }

  /**
   * A chunk of a body a plugin asked for: held until the body ends, which completes the plugins'
   * stages (and may resume the request phases, and call the upstream, from here).
   */
  private void readForPlugins(HttpContent content, boolean last) {
    RequestBodyBuffer buffer = bodyBuffer();
    if (buffer.size() + (long) content.content().readableBytes() > buffer.limit()) {
      refuseRequest(
          content,
          Failure.BODY_TOO_LARGE,
          "The request body exceeds " + buffer.limit() + " bytes.");
      return;
    }
    buffer.append(content);
    if (last) {
      // The request phases go on: they get the response timeout again, as at the start.
      conn.armDeadline(conn.nanoTime() + routed().timeouts().response().toNanos());
      buffer.end();
    } else {
      armBodyDeadline();
    }
  }

  /**
   * Refuses the request at one of its body chunks: the chunk released, nothing more read, and the
   * connection closed after the answer.
   */
  void refuseRequest(HttpContent content, Failure reason, String detail) {
    content.release();
    requestComplete = true;
    closeAfter = true;
    fail(reason, detail);
  }

  /** Flushes request body chunks written upstream during the client's read burst. */
  void flushUpstream() {
    if (call != null) {
      call.flush();
    }
  }

  /** The client's connection became writable again: resume reading the upstream response. */
  void onDownstreamWritable() {
    if (relay != null) {
      relay.onClientWritable();
    } else if (clientPaused && (call != null || aiRun != null)) {
      clientPaused = false;
      if (call != null) {
        call.resumeResponse();
      } else if (aiRun != null) {
        aiRun.resumeResponse();
      }
      if (requestComplete) {
        conn.armDeadline(0);
      }
    }
  }

  private void armIdleDeadline() {
    conn.armDeadline(conn.nanoTime() + routed().timeouts().idle().toNanos());
  }

  /**
   * While the request body arrives: the route's idle timeout from now, but never past {@code
   * limits.body-timeout} from the head, so a body trickled byte by byte is cut off too.
   */
  private void armBodyDeadline() {
    long idle = conn.nanoTime() + routed().timeouts().idle().toNanos();
    conn.armDeadline(Math.min(idle, startNanos + limits.bodyTimeout().toNanos()));
  }

  /** The client connection's deadline for this exchange passed. */
  void onDeadline() {
    switch (Objects.requireNonNull(state, "a deadline is armed once the exchange started")) {
      case REQUEST_PHASES -> {
        if (bodyBuffer != null && bodyBuffer.reading()) {
          fail(Failure.REQUEST_BODY_TIMEOUT, "The request body stalled.");
        } else {
          fail(
              Failure.PLUGIN_TIMEOUT,
              "The request was not handled within "
                  + routed().timeouts().response().toMillis()
                  + " ms.");
        }
      }
      case UPSTREAM, RESPONDING -> {
        if (!requestComplete) {
          fail(Failure.REQUEST_BODY_TIMEOUT, "The request body stalled.");
        } else if (clientPaused) {
          fail(Failure.DOWNSTREAM_WRITE_TIMEOUT, "The client stopped reading the response.");
        }
      }
      default -> {}
    }
  }

  // ---------------------------------------------------------------- local answers and failures

  private void replyLocally(Reply reply) {
    if (grpc != null) {
      FullHttpResponse answer = grpc.reply(reply);
      if (answer != null) {
        sendLocal(answer);
        return;
      }
    }
    if (reply.problem() != null && openAiErrors()) {
      sendLocal(
          anthropicErrors()
              ? ProblemResponses.renderAnthropic(conn.channel().alloc(), reply)
              : ProblemResponses.renderOpenAi(conn.channel().alloc(), reply));
      return;
    }
    sendLocal(ProblemResponses.render(conn.channel().alloc(), reply, path, requestId, traceId()));
  }

  /** Whether the route answers errors in OpenAI's shape rather than as problems. */
  private boolean openAiErrors() {
    return route != null && route.ai() != null && route.ai().openAiErrors();
  }

  /** Whether the route's API errors take Anthropic's shape: a Messages API path. */
  private boolean anthropicErrors() {
    return path != null && route != null && route.ai() != null && route.ai().anthropicErrors(path);
  }

  /**
   * Records {@code reason} and answers with its problem response, or, once the response has
   * started, closes the client connection.
   */
  void fail(Failure reason, String detail) {
    if (state == ExchangeState.DONE) {
      return;
    }
    failure = reason;
    releaseUpstreamSide();
    if (state == ExchangeState.RESPONDING
        || state == ExchangeState.UPGRADED
        || !conn.channel().isActive()) {
      if (grpc != null
          && state == ExchangeState.RESPONDING
          && conn.channel().isActive()
          && grpc.endWithTrailers(reason, detail, headDeferred ? null : response)) {
        return;
      }
      closeAfter = true;
      conn.channel().close();
      finish();
      return;
    }
    if (reason.status().code() >= 500) {
      log.debug("request {} failed: {} ({})", requestId, reason.code(), detail);
    }
    if (grpc != null) {
      sendLocal(grpc.reply(reason, detail));
      return;
    }
    if (openAiErrors()) {
      sendLocal(
          anthropicErrors()
              ? ProblemResponses.renderAnthropic(conn.channel().alloc(), reason.status(), detail)
              : ProblemResponses.renderOpenAi(
                  conn.channel().alloc(), reason.status(), reason.code(), detail));
      return;
    }
    sendLocal(
        ProblemResponses.render(
            conn.channel().alloc(),
            reason,
            detail,
            path == null ? null : path,
            requestId,
            traceId()));
  }

  private void sendLocal(FullHttpResponse r) {
    response = r;
    status = r.status().code();
    headDeferred = false;
    phases().runResponsePhase();
    if (request.method() == HttpMethod.HEAD) {
      // The codec drops the body of a response to HEAD; keep the length it would have had.
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    }
    if (!requestComplete) {
      closeAfter = true;
    }
    if (closeAfter) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (clientHttp10) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    if (snapshot.config().metrics().serverTiming()) {
      ServerTiming.add(r.headers(), conn.nanoTime() - startNanos, -1);
    }
    responseBytes = r.content().readableBytes();
    if (captured != null) {
      captured.responseHead(r.headers());
      captured.response(r.content());
    }
    state = ExchangeState.RESPONDING;
    writeLast(r);
  }

  /** The client went away. */
  void onDownstreamClosed() {
    if (state == ExchangeState.DONE) {
      return;
    }
    if (relay != null) {
      relay.close();
      return;
    }
    if (failure == null) {
      failure = Failure.DOWNSTREAM_CLOSED;
    }
    releaseUpstreamSide();
    closeAfter = true;
    finish();
  }

  /** Ends the upstream call (if any) and releases every body buffer still held. */
  private void releaseUpstreamSide() {
    if (call != null) {
      call.abort();
    }
    if (aggregation != null) {
      aggregation.abort();
    }
    if (aggregateBody != null) {
      aggregateBody.discard();
      aggregateBody = null;
    }
    if (aiRun != null) {
      aiRun.abort();
    }
    if (pendingBody != null) {
      pendingBody.forEach(ReferenceCountUtil::release);
      pendingBody.clear();
    }
    if (bodyPipeline != null) {
      bodyPipeline.discard();
      bodyPipeline = null;
    }
    if (decoding != null) {
      decoding.close();
      decoding = null;
    }
  }

  // ---------------------------------------------------------------- the end

  private void finish() {
    if (state == ExchangeState.DONE) {
      return;
    }
    state = ExchangeState.DONE;
    conn.armDeadline(0);
    if (grpc != null) {
      grpc.close();
    }
    if (bodyBuffer != null) {
      bodyBuffer.discard("the exchange ended before the request was forwarded");
    }
    if (replacedBody != null) {
      replacedBody.release();
      replacedBody = null;
    }
    if (requestTransform != null) {
      requestTransform.close();
    }
    if (pendingBody != null) {
      // Body that arrived while a plugin phase waited, for a request answered locally.
      pendingBody.forEach(ReferenceCountUtil::release);
      pendingBody = null;
    }
    if (mirror != null) {
      mirror.abandon();
    }
    if (call != null) {
      call.abort();
    }
    if (aggregation != null) {
      aggregation.abort();
    }
    if (aggregateBody != null) {
      aggregateBody.discard();
      aggregateBody = null;
    }
    if (bodyPipeline != null) {
      // Every stage is closed once, whichever way the exchange ended.
      bodyPipeline.discard();
      bodyPipeline = null;
    }
    if (aiRun != null) {
      aiRun.abort();
    }
    phases().runLogPhase();
    if (trace != null) {
      trace.end(status, failure == null ? null : failure.code());
    }
    conn.observe(this);
    conn.onExchangeFinished(this, closeAfter);
  }

  /**
   * The exchange's record: made only when an observer takes it ({@link DownstreamHandler#observe}).
   */
  ExchangeRecord record() {
    return ExchangeRecords.of(this);
  }

  boolean isFinished() {
    return state == ExchangeState.DONE;
  }

  /** Where the exchange is; null before it started. */
  @Nullable ExchangeState state() {
    return state;
  }

  /** Whether the client speaks HTTP/2 (a stream of its connection). */
  boolean http2() {
    return conn.http2();
  }

  boolean requestComplete() {
    return requestComplete;
  }

  boolean upgraded() {
    return relay != null;
  }

  private static String stripPort(String host) {
    int colon = host.lastIndexOf(':');
    return colon > 0 && host.indexOf(']') < colon ? host.substring(0, colon) : host;
  }

  // ---------------------------------------------------------------- the request body for plugins

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
    if (state == ExchangeState.DONE) {
      return CompletableFuture.failedFuture(new CancellationException("the exchange has ended"));
    }
    if (state != ExchangeState.REQUEST_PHASES || phases().requestPhasesOver()) {
      throw new IllegalStateException("the request body is read in the REWRITE and ACCESS phases");
    }
    if (replacedBody != null) {
      return CompletableFuture.completedFuture(
          Unpooled.unreleasableBuffer(replacedBody.duplicate().asReadOnly()));
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
      // Everything queued is in the buffer now: the upstream call gets the buffer only.
      pendingBody = null;
    }
    if (!requestComplete) {
      if (expectContinue) {
        expectContinue = false;
        conn.writeContinue();
      }
      armBodyDeadline();
      conn.resumeReads();
    } else {
      bodyBuffer.end();
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
  public void replaceRequestBody(ByteBuf body) {
    if (!eventLoop().inEventLoop()) {
      body.release();
      throw new IllegalStateException("the request body is replaced on the exchange's event loop");
    }
    if (state != ExchangeState.REQUEST_PHASES || phases().requestPhasesOver()) {
      body.release();
      throw new IllegalStateException(
          "the request body is replaced in the REWRITE and ACCESS phases");
    }
    if (!requestComplete) {
      body.release();
      throw new IllegalStateException(
          "the client's body has not been read yet: wait for the stage of requestBody first");
    }
    if (bodyBuffer != null) {
      bodyBuffer.discard("the request body was replaced");
    }
    if (pendingBody != null) {
      pendingBody.forEach(ReferenceCountUtil::release);
      pendingBody = null;
    }
    if (replacedBody != null) {
      replacedBody.release();
    }
    replacedBody = body;
    HttpHeaders h = request.headers();
    h.remove(HttpHeaderNames.TRANSFER_ENCODING);
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
  }

  @Override
  public void transformRequestBody(RequestBodyTransform transform) {
    if (!eventLoop().inEventLoop()) {
      throw new IllegalStateException(
          "the request body is transformed on the exchange's event loop");
    }
    if (state != ExchangeState.REQUEST_PHASES || phases().requestPhasesOver()) {
      throw new IllegalStateException(
          "the request body is transformed in the REWRITE and ACCESS phases");
    }
    if (bodyBuffer != null || replacedBody != null || requestTransform != null) {
      throw new IllegalStateException(
          "the request body was read, replaced or given a transform already");
    }
    requestTransform = new TransformedRequestBody(transform);
    HttpHeaders h = request.headers();
    h.remove(HttpHeaderNames.CONTENT_LENGTH);
    h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
  }

  /**
   * A piece of the client's body through the plugin's transform: what to send upstream, or null
   * (nothing yet, or the transform refused the body and the exchange answered).
   */
  private @Nullable HttpContent transformRequest(TransformedRequestBody t, HttpContent content) {
    try {
      return t.apply(content, conn.channel().alloc());
    } catch (RequestBodyTransform.Refused e) {
      t.close();
      requestComplete = true;
      closeAfter = true;
      releaseUpstreamSide();
      if (state == ExchangeState.RESPONDING) {
        fail(Failure.PLUGIN_ERROR, String.valueOf(e.getMessage()));
      } else {
        replyLocally(e.reply());
      }
      return null;
    } catch (RuntimeException e) {
      t.close();
      log.warn("a plugin failed transforming the request body of request {}", requestId, e);
      requestComplete = true;
      closeAfter = true;
      fail(Failure.PLUGIN_ERROR, "A plugin failed while handling the request body.");
      return null;
    }
  }

  static HttpResponse continueResponse() {
    return new DefaultFullHttpResponse(
        HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER);
  }

  // ---------------------------------------------------------------- parts set during the exchange

  /** The upstream call; set when the exchange called its upstream. */
  private UpstreamCall upstreamCall() {
    return Objects.requireNonNull(call, "the upstream call has started");
  }

  private AggregatePlan aggregateOf() {
    return Objects.requireNonNull(routed().aggregate(), "an aggregate route has its aggregate");
  }

  private AiPlan aiOptions() {
    return Objects.requireNonNull(routed().ai(), "an AI route has its AI options");
  }

  private AggregateRequestJson aggregateBody() {
    return Objects.requireNonNull(aggregateBody, "an aggregate reading the body holds its reader");
  }

  private Aggregation runningAggregation() {
    return Objects.requireNonNull(aggregation, "the aggregate has started");
  }

  private RequestBodyBuffer bodyBuffer() {
    return Objects.requireNonNull(bodyBuffer, "a plugin asked for the body");
  }
}
