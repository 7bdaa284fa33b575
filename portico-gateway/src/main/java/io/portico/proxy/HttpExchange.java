package io.portico.proxy;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.portico.aggregate.AggregatePlan;
import io.portico.ai.AiPlan;
import io.portico.ai.AiRun;
import io.portico.config.LimitsConfig;
import io.portico.config.TimeoutsConfig;
import io.portico.plugin.PluginChain;
import io.portico.snapshot.Snapshot;
import io.portico.traffic.MirrorCall;
import io.portico.traffic.RouteTraffic;
import io.portico.traffic.SplitTarget;
import io.portico.upstream.CallFailure;
import io.portico.upstream.Endpoint;
import io.portico.upstream.UpstreamCall;
import io.portico.upstream.UpstreamConnection;
import java.util.Objects;
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
 * <p>Layers of one object, so that a plain exchange allocates no part of its own: {@link
 * ExchangeView} (the facts, and what plugins see), {@link RequestBody} (the body before and while
 * it goes on, and its buffers), {@link ResponseRelay} (the answer to the client, its buffers and
 * flow control), {@link RequestRouting} (the head's checks, routing and the request phases) and
 * this class, which coordinates them from the request phases' end: the call, the body going on,
 * failures and the end. Parts that only some exchanges need are made when they do: {@link
 * GrpcCall}, {@link CapturedBodies}, {@link AggregateStep}, {@link AiHost}, {@link UpgradeRelay};
 * stateless steps are {@link RequestChecks}, {@link UpstreamHead}, {@link LocalAnswers} and {@link
 * ExchangeRecords}.
 *
 * <p>Buffers: request body chunks are owned by the exchange from {@link #onRequestContent} until
 * handed to the upstream call (or released when no longer needed); response chunks as {@link
 * ResponseRelay} says. Flow control: while no upstream connection takes the request body, its
 * chunks queue and the client's reads pause; afterwards client reads pause while the upstream is
 * unwritable.
 */
final class HttpExchange extends RequestRouting implements UpstreamCall.Receiver {

  private static final Logger log = LoggerFactory.getLogger(HttpExchange.class);

  // what the request phases left for the call
  private boolean hostSetByPlugin;

  // the request body
  private boolean startDeferred;

  // the upstream
  @Nullable UpstreamCall call;
  private @Nullable MirrorCall mirror;
  @Nullable AggregateStep aggregate;
  private @Nullable AiRun aiRun;

  /**
   * The call of the previous request on this connection, ended with its response and referenced by
   * nothing else ({@link UpstreamCall#reusable}), which the next call of this exchange reuses.
   */
  private @Nullable UpstreamCall spareCall;

  HttpExchange(
      DownstreamHandler conn, HttpRequest request, Snapshot snapshot, LimitsConfig limits) {
    super(conn, request, snapshot, limits);
  }

  /**
   * Whether the connection may run its next request in this finished exchange ({@link #reuse}):
   * nothing holds it any more. It ended cleanly over HTTP/1.1 on a connection that stays open
   * ({@link #requestUnshared}): no plugin (so no phase runner, awaited stage, body callback or
   * plugin that kept the {@code Exchange}), mirror, aggregation, AI call, gRPC call, trace or
   * upgrade took it, and its observers read it only while it finished. Its upstream call, if it
   * made one, ended with its response ({@link UpstreamCall#reusable}), so neither the pool nor a
   * connection still reports to it, and through it to this exchange. The client connection's own
   * deadline and writes reach an exchange only as its current one.
   */
  boolean reusable() {
    return state == ExchangeState.DONE
        && !http2()
        && requestUnshared()
        && (call == null || call.reusable());
  }

  /**
   * This exchange, set for the connection's next request as a new one would be: every field of
   * every layer cleared or set from {@code request}; its upstream call kept for the next call. Only
   * when {@link #reusable}, and only by its connection when the next request arrives, so that no
   * method of the finished exchange is still running.
   */
  HttpExchange reuse(HttpRequest request, Snapshot snapshot) {
    if (!reusable()) {
      throw new IllegalStateException("the exchange is still in use");
    }
    UpstreamCall answered = call;
    if (answered != null) {
      spareCall = answered;
    }
    resetView(request, snapshot);
    resetBody();
    resetRelay();
    resetRouting();
    hostSetByPlugin = false;
    startDeferred = false;
    call = null;
    mirror = null;
    aggregate = null;
    aiRun = null;
    return this;
  }

  /** Every request plugin proceeded: call the upstream, handing it the body as it stands. */
  @Override
  public void onRequestPhasesPassed() {
    AggregatePlan aggregatePlan = routed().aggregate();
    if (aggregatePlan != null) {
      state = ExchangeState.UPSTREAM;
      aggregate = new AggregateStep(this, aggregatePlan);
      aggregate.start();
      return;
    }
    if (routed().ai() != null) {
      startAi();
      return;
    }
    TimeoutsConfig callTimeouts = routed().timeouts();
    RouteTraffic traffic = routed().traffic();
    if (traffic != null && traffic.split() != null) {
      SplitTarget chosen = chooseSplit(traffic.split());
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
    continueIfExpected();
    state = ExchangeState.UPSTREAM;
    hostSetByPlugin = UpstreamHead.prepare(this);
    if (traffic != null && traffic.mirror() != null && !upgradeRequested) {
      mirror =
          traffic
              .mirror()
              .begin(
                  request,
                  routed().config().preserveHost() ? originalHost : null,
                  conn.pools(),
                  conn.alloc());
    }
    UpstreamCall spare = spareCall;
    spareCall = null;
    call =
        spare != null
            ? spare.reuse(
                service,
                callTimeouts,
                request,
                upgradeRequested,
                upstreamHooks(request.method().name()))
            : new UpstreamCall(
                conn.pools(),
                service,
                callTimeouts,
                request,
                upgradeRequested,
                upstreamHooks(request.method().name()),
                this);
    if (service.hashKey() != null) {
      call.affinity(hashOf(service.hashKey()));
    }
    for (HttpContent held = firstHeld(); held != null; held = nextHeld()) {
      sendUpstream(held);
    }
    if (state == ExchangeState.DONE) {
      return; // a plugin's transform refused the body
    }
    if (requestComplete) {
      conn.armDeadline(0);
    } else {
      armBodyDeadline();
    }
    if (!requestComplete
        && !bodyChunkSeen
        && !http2()
        && HttpUtil.isTransferEncodingChunked(request)) {
      // Nothing goes upstream before the first chunk decoded: a request whose chunked framing is
      // broken from the start is refused without the upstream ever seeing its head. An HTTP/2
      // client's body comes in frames, with no chunked framing to break, and may never come before
      // the upstream answers (a gRPC call whose server speaks first): its head goes at once.
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
   * An AI route: the AI gateway reads the body and answers, calling providers on this loop's pools;
   * its answer goes through the response phases like an upstream's.
   */
  private void startAi() {
    state = ExchangeState.UPSTREAM;
    continueIfExpected();
    AiPlan plan = Objects.requireNonNull(routed().ai(), "an AI route has its AI options");
    aiRun = new AiRun(plan, request.method(), headPath(), new AiHost(this, conn));
    AiRun run = aiRun;
    for (HttpContent held = firstHeld(); held != null; held = nextHeld()) {
      run.onRequestContent(held);
    }
    if (state == ExchangeState.UPSTREAM) {
      readRestOfBody();
    }
  }

  // ---------------------------------------------------------------- the upstream call (Receiver)

  /** Sets the Host for the attempt's endpoint, unless a request plugin set one. */
  @Override
  public void prepareHead(HttpRequest head, Endpoint endpoint, int attempt) {
    if (grpc != null) {
      grpc.prepareHead(head, conn.nanoTime());
    }
    if (!hostSetByPlugin) {
      UpstreamHead.host(this, head, endpoint);
    }
  }

  @Override
  public void onResponseHead(HttpResponse head) {
    if (state != ExchangeState.UPSTREAM) {
      return;
    }
    int code = head.status().code();
    if (code == 101) {
      UpstreamConnection upgraded = upstreamCall().takeUpgradedConnection();
      if (!UpgradeAnswer.accepts(request, head)) {
        upgraded.release(false);
        fail(
            Failure.UPSTREAM_PROTOCOL_ERROR,
            "The upstream service switched protocols without accepting the requested upgrade.");
        return;
      }
      startUpgrade(head, upgraded);
      return;
    }
    relayHead(head);
  }

  @Override
  public void onFailed(CallFailure reason, String detail) {
    if (state == ExchangeState.DONE
        || (grpc != null && grpc.failedAtDeadline(reason, conn.nanoTime()))) {
      return;
    }
    Failure mapped = UpstreamFailures.failure(reason);
    log.debug(
        "request {} to service {}: {} ({})",
        requestIdOrNull(),
        upstreamService().name(),
        mapped.code(),
        detail);
    fail(mapped, UpstreamFailures.clientDetail(reason));
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
    if (!admit(content)) {
      return;
    }
    boolean last = content instanceof LastHttpContent;
    if (bodyBuffer != null && bodyBuffer.reading()) {
      readForPlugins(content, last);
      return;
    }
    if (aiRun != null) {
      aiRun.onRequestContent(content);
      if (state == ExchangeState.UPSTREAM) {
        armForBody(last);
      }
      return;
    }
    if (aggregate != null && aggregate.running()) {
      aggregate.onRequestContent(content, last);
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
    queue(content);
    if (!last) {
      // Hold the client until the upstream can take the body.
      conn.pauseReads();
    }
  }

  @Override
  void pauseUpstream() {
    if (call != null) {
      call.pauseResponse();
    } else if (aiRun != null) {
      aiRun.pauseResponse();
    }
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

  // ---------------------------------------------------------------- local answers and failures

  /**
   * Records {@code reason} and answers with its problem response, or, once the response has
   * started, closes the client connection.
   */
  @Override
  void fail(Failure reason, String detail) {
    if (state == ExchangeState.DONE || endTransformedGrpc(reason, detail)) {
      return;
    }
    failure = reason;
    releaseUpstreamSide();
    if (state == ExchangeState.RESPONDING
        || state == ExchangeState.UPGRADED
        || !conn.clientActive()) {
      if (grpc != null
          && state == ExchangeState.RESPONDING
          && conn.clientActive()
          && grpc.endWithTrailers(reason, detail, headDeferred ? null : response)) {
        return;
      }
      closeAfter = true;
      conn.closeClient();
      finish();
      return;
    }
    if (reason.status().code() >= 500) {
      log.debug("request {} failed: {} ({})", requestIdOrNull(), reason.code(), detail);
    }
    sendLocal(LocalAnswers.forFailure(this, grpc, reason, detail));
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
  @Override
  void releaseUpstreamSide() {
    if (call != null) {
      call.abort();
    }
    if (aggregate != null) {
      aggregate.abort();
    }
    if (aiRun != null) {
      aiRun.abort();
    }
    releaseQueued();
    discardResponseStages();
  }

  // ---------------------------------------------------------------- the end

  @Override
  void finish() {
    if (state == ExchangeState.DONE) {
      return;
    }
    state = ExchangeState.DONE;
    conn.armDeadline(0);
    if (grpc != null) {
      grpc.close();
    }
    discardHeld();
    if (mirror != null) {
      mirror.abandon();
    }
    if (call != null) {
      call.abort();
    }
    if (aggregate != null) {
      aggregate.abort();
    }
    discardResponseStages();
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

  /** {@link #endedCleanly}, and no plugin, mirror, aggregation or AI call saw the request. */
  boolean requestUnshared() {
    return endedCleanly()
        && chain == PluginChain.EMPTY
        && mirror == null
        && aggregate == null
        && aiRun == null;
  }

  // ---------------------------------------------------------------- parts set during the exchange

  @Override
  UpstreamCall upstreamCall() {
    return Objects.requireNonNull(call, "the upstream call has started");
  }
}
