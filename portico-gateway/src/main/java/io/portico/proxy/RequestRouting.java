package io.portico.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.portico.config.AccessLogConfig;
import io.portico.config.LimitsConfig;
import io.portico.plugin.PluginChain;
import io.portico.router.PathNormalizer;
import io.portico.router.PathTooComplexException;
import io.portico.router.RequestTarget;
import io.portico.snapshot.Snapshot;
import io.portico.spi.plugin.Reply;
import org.jspecify.annotations.Nullable;

/**
 * The request head's step of an exchange: the head checked ({@link RequestChecks}), its target
 * normalized, the route matched, the route's parts taken (chain, service, captured bodies, gRPC
 * deadline) and the request phases begun on the {@link PhaseRunner}, whose host it is.
 *
 * <pre>
 *  onHead ─▶ start(): checks ─ normalize ─ route ─▶ REWRITE, ACCESS ─▶ onRequestPhasesPassed()
 *                        │ refused       │ no route        │ reply, plugin failed
 *                        ▼               ▼                 ▼
 *                     fail() ───────── fail() ────────── local answer
 * </pre>
 *
 * <p>The layer of {@link HttpExchange} between its response side ({@link ResponseRelay}) and its
 * coordination: the same object, so routing allocates no part of its own. What comes after the
 * request phases (the call, the body going on, the end) is {@link HttpExchange}'s.
 *
 * <p>Threading: the exchange's event loop; the request phases bound by the route's response timeout
 * on the client connection's deadline.
 */
abstract class RequestRouting extends ResponseRelay implements PhaseRunner.Host {

  // what the checks established, beside the facts of the view
  boolean upgradeRequested;
  PluginChain chain = PluginChain.EMPTY;
  @Nullable PhaseRunner phases;

  RequestRouting(
      DownstreamHandler conn, HttpRequest request, Snapshot snapshot, LimitsConfig limits) {
    super(conn, request, snapshot, limits);
  }

  /** Clears what the checks and routing established, for the connection's next request. */
  void resetRouting() {
    upgradeRequested = false;
    chain = PluginChain.EMPTY;
    phases = null;
  }

  // ---------------------------------------------------------------- request head: checks, routing

  /**
   * Whether a head just decoded declares no body: no chunked {@code Transfer-Encoding} and no
   * {@code Content-Length} above 0. A plain head's framing is the codec's, without reading the
   * fields again.
   */
  private static boolean declaresNoBody(HttpRequest request) {
    if (request instanceof ClientCodec.Request decoded && decoded.plainBodyLength() >= 0) {
      return decoded.plainBodyLength() == 0;
    }
    return !HttpUtil.isTransferEncodingChunked(request)
        && HttpUtil.getContentLength(request, 0L) == 0;
  }

  /** Whether the codec's plain parser read this head (so it has no {@code Expect} field). */
  private static boolean isPlain(HttpRequest request) {
    return request instanceof ClientCodec.Request decoded && decoded.plainBodyLength() >= 0;
  }

  /**
   * The request head arrived. A request without a body starts once its (empty) end arrives, which
   * the codec delivers right behind the head, so it is forwarded head and end in one write.
   */
  void onHead() {
    if (request.decoderResult().isSuccess() && declaresNoBody(request)) {
      state = ExchangeState.AWAITING_END;
    } else {
      start();
    }
  }

  /** Checks and routes the request, then runs the request phases. */
  void start() {
    state = ExchangeState.REQUEST_PHASES;
    HttpHeaders headers = request.headers();
    grpc = GrpcCall.of(request, this);
    identifyClient();
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
    RequestChecks.canonicalizeLength(request);
    originalHost = headers.get(HttpHeaderNames.HOST);
    RequestTarget target = PathNormalizer.normalize(originalUri);
    if (target instanceof RequestTarget.Rejected rejected) {
      closeAfter = true;
      fail(Failure.BAD_PATH, LocalAnswers.badTarget(rejected.reason().rule()));
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
      // what the Host header must be, the absolute form's authority must be: it becomes the Host
      if (!RequestChecks.isValidHost(originalHost)) {
        closeAfter = true;
        fail(
            Failure.BAD_REQUEST,
            RequestChecks.hostRefusal("request-target authority", originalHost));
        return;
      }
      headers.set(HttpHeaderNames.HOST, originalHost);
    }
    // A plain head has no Expect field (the codec leaves a head with one to Netty's decoder), and
    // nothing before this point adds one: no lookup for it.
    expectContinue = !isPlain(request) && HttpUtil.is100ContinueExpected(request);
    if (expectContinue) {
      headers.remove(HttpHeaderNames.EXPECT);
    }
    upgradeRequested = RequestChecks.mayUpgrade(request);

    try {
      match =
          snapshot.router().match(originalHost, request.method().name(), path, headers, rawQuery);
    } catch (PathTooComplexException e) {
      chain = snapshot.globalChain();
      closeAfter = true;
      fail(Failure.BAD_REQUEST, "The path is too complex to match against the routes' patterns.");
      return;
    }
    if (match == null) {
      chain = snapshot.globalChain();
      String allow = snapshot.router().allowedMethods(originalHost, path, headers, rawQuery);
      String detail = LocalAnswers.unrouted(request.method().name(), path, originalHost, allow);
      fail(allow == null ? Failure.NO_ROUTE : Failure.METHOD_NOT_ALLOWED, detail);
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
    HopByHopHeaders.stripClientSupplied(headers, upgradeRequested, snapshot.identityHeaders());
    if (!peerTrusted) {
      snapshot.forwarding().removeUnbelieved(headers);
    }
    forwardPath = computeForwardPath();
    if (grpc != null) {
      grpc.routed(
          headers,
          routed().config().grpcOrDefaults(),
          startNanos,
          routed().timeouts().response().toNanos(),
          conn.nanoTime(),
          conn.alloc());
    }
    // The request phases, including any plugin's wait, are bounded by the route's response timeout.
    conn.armDeadline(startNanos + route.timeouts().response().toNanos());
    if (chain == PluginChain.EMPTY) {
      onRequestPhasesPassed(); // no plugin: the request phases pass at once
    } else {
      phases().runRequestPhases();
    }
  }

  @Override
  PhaseRunner phases() {
    if (phases == null) {
      phases = chain == PluginChain.EMPTY ? PhaseRunner.NONE : new PhaseRunner(chain, this);
    }
    return phases;
  }

  // ---------------------------------------------------------------- request phases (PhaseRunner)

  @Override
  boolean inRequestPhases() {
    return state == ExchangeState.REQUEST_PHASES && !phases().requestPhasesOver();
  }

  @Override
  public void onReply(Reply reply) {
    sendLocal(LocalAnswers.forReply(this, grpc, reply));
  }

  @Override
  public void onPluginFailed() {
    fail(Failure.PLUGIN_ERROR, "A plugin failed while handling the request.");
  }
}
