package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.portico.config.LimitsConfig;
import io.portico.grpc.GrpcContentType;
import io.portico.grpc.GrpcMessage;
import io.portico.snapshot.Snapshot;
import io.portico.spi.plugin.BodyTransform;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.GatewayAnswerHeaders;
import io.portico.upstream.UpstreamCall;
import io.portico.upstream.UpstreamConnection;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response side of an exchange: the answer to its client, whoever made it. An upstream's (or an
 * aggregate's, or an AI run's) head is read ({@code grpc-status}, hop-by-hop headers), run through
 * the RESPONSE phase, given its body stage when RESPONSE_BODY plugins transform the body, framed
 * for the client ({@link ResponseFraming}) and written; its chunks follow as they come, through the
 * {@link ResponseBodyPipeline} when there is one. The gateway's own answers ({@link #sendLocal}) go
 * out whole. Each answer is captured for the access log when the route keeps bodies ({@link
 * CapturedBodies}), and its end finishes the exchange.
 *
 * <p>The layer of {@link HttpExchange} between its request body ({@link RequestBody}) and its
 * coordination: the same object, so a plain exchange allocates nothing for it and each chunk is
 * relayed without another call.
 *
 * <p>Timeouts: the client connection's deadline bounds, in turn, the request phases (the route's
 * {@code response} timeout from the head: {@code plugin_timeout}), silence in the request body
 * ({@code idle}: {@code request_body_timeout}) and a client that stops reading the response ({@code
 * idle}: {@code downstream_write_timeout}); the upstream call bounds the upstream's side itself,
 * its response timeout running from the request being sent.
 *
 * <p>Threading: the exchange's event loop. Buffers: a response chunk is owned from {@link
 * #onResponseContent} until written to the client (or released when the exchange ends first); the
 * body pipeline owns what it holds until its end or {@link ResponseBodyPipeline#discard}. Flow
 * control: when the client is not writable, the upstream's reads pause ({@link #pauseUpstream}) and
 * the client's stall is bounded by the route's idle timeout.
 */
abstract class ResponseRelay extends RequestBody implements UpgradeRelay.Ended {

  private static final Logger log = LoggerFactory.getLogger(ResponseRelay.class);

  /** Where the exchange is; null before it started. */
  @Nullable ExchangeState state;

  // the response
  @Nullable ResponseBodyPipeline bodyPipeline;
  boolean headDeferred;
  @Nullable ResponseDecoding decoding;

  /** Whether the upstream answered gRPC (its head's Content-Type), before plugins changed it. */
  private boolean upstreamGrpc;

  /** Set while {@link #endTransformedGrpc} ends the body, so a failure meanwhile closes instead. */
  private boolean endingAsGrpc;

  /** The upstream's Content-Encoding, before plugins could change it (or null). */
  @Nullable String upstreamCoding;

  boolean clientPaused;

  /** The upgraded connection's relay, once a {@code 101} switched protocols. */
  @Nullable UpgradeRelay relay;

  ResponseRelay(
      DownstreamHandler conn, HttpRequest request, Snapshot snapshot, LimitsConfig limits) {
    super(conn, request, snapshot, limits);
  }

  /**
   * Clears the answer's state for the connection's next request: only after an exchange that ended
   * cleanly, whose response went out whole, with no body stage, decoder or relay left.
   */
  void resetRelay() {
    state = null;
    bodyPipeline = null;
    headDeferred = false;
    decoding = null;
    upstreamGrpc = false;
    endingAsGrpc = false;
    upstreamCoding = null;
    clientPaused = false;
    relay = null;
  }

  /**
   * A response head to relay (not a {@code 101}): read, run through the response phases, framed,
   * and written unless its body stage or a trailers-only gRPC answer holds it back.
   */
  void relayHead(HttpResponse head) {
    int code = head.status().code();
    response = head;
    status = code;
    boolean grpcTrailersOnly = grpc != null && grpc.onResponseHead(head, conn.alloc());
    upstreamGrpc =
        GrpcContentType.of(head.headers().get(HttpHeaderNames.CONTENT_TYPE))
            == GrpcContentType.GRPC;
    HopByHopHeaders.strip(head.headers(), false);
    GatewayCookies.stripSetCookie(head.headers());
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
                conn.alloc(),
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
    conn.write(Objects.requireNonNull(response, "the head is set"));
    state = ExchangeState.RESPONDING;
  }

  /** A piece of the response body to relay; a {@link LastHttpContent} ends the exchange. */
  public void onResponseContent(HttpContent content) {
    if (response == null
        || (state != ExchangeState.RESPONDING && state != ExchangeState.UPSTREAM)) {
      content.release();
      return;
    }
    boolean last = content instanceof LastHttpContent;
    if (last) {
      stripTrailers(((LastHttpContent) content).trailingHeaders());
    }
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
      conn.write(response);
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
    conn.write(content);
    if (!conn.clientWritable()) {
      // The client cannot take more: stop reading the upstream, and bound the client's stall.
      clientPaused = true;
      pauseUpstream();
      armIdleDeadline();
    }
  }

  /**
   * Removes from the upstream's trailers what its head would have lost: the connection's own fields
   * ({@link HopByHopHeaders}), which an HTTP/2 client takes as a malformed stream, and a {@code
   * Set-Cookie} for the gateway's session, which the head's check would otherwise miss when the
   * upstream sends it after the body.
   */
  private static void stripTrailers(HttpHeaders trailers) {
    if (trailers.isEmpty()) {
      return;
    }
    HopByHopHeaders.strip(trailers, false);
    GatewayCookies.stripSetCookie(trailers);
  }

  /** The response's last message: written and flushed, then the exchange finishes. */
  void writeLast(Object last) {
    conn.writeLast(last, closeAfter);
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

  /**
   * Ends a started response that a plugin turns from the upstream's gRPC into the client's form
   * (gRPC-Web frames, transcoded JSON) when the upstream fails mid-answer (a reset, trailers it
   * could not read): trailers with the failure's gRPC status go through the body stages as the
   * upstream's own would have, so the client reads a status in its form (gRPC-Web's trailer frame,
   * an error line) instead of a cut connection. Native gRPC calls end through {@link
   * GrpcCall#endWithTrailers}. False, with nothing done, when the response is not such a one.
   */
  boolean endTransformedGrpc(Failure reason, String detail) {
    if (!upstreamGrpc
        || grpc != null
        || endingAsGrpc
        || bodyPipeline == null
        || state != ExchangeState.RESPONDING
        || !conn.clientActive()) {
      return false;
    }
    endingAsGrpc = true;
    failure = reason;
    LastHttpContent end = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
    end.trailingHeaders().set("grpc-status", GrpcCall.statusOf(reason).codeText());
    end.trailingHeaders().set("grpc-message", GrpcMessage.encode(detail));
    if (!requestComplete) {
      closeAfter = true;
    }
    onResponseContent(end);
    return state == ExchangeState.DONE;
  }

  /** Whether response chunks go to the client as they come (started, no body transforms). */
  boolean relaysUntransformed() {
    return state == ExchangeState.RESPONDING && bodyPipeline == null;
  }

  /** A piece of the response body written to the client and counted. */
  void writeBody(HttpContent content) {
    responseBytes += content.content().readableBytes();
    conn.write(content);
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
      log.debug("request {}: {}", requestIdOrNull(), e.getMessage());
      fail(Failure.UPSTREAM_RESPONSE_TOO_LARGE, "The upstream response is too large to transform.");
      return null;
    } catch (ResponseDecoding.Corrupt e) {
      log.debug("request {}: {}", requestIdOrNull(), e.getMessage());
      fail(Failure.UPSTREAM_BODY_INVALID, "The upstream's response body could not be decoded.");
      return null;
    } catch (BodyTransform.InvalidBody e) {
      String reason = e.getMessage();
      fail(
          Failure.UPSTREAM_BODY_INVALID,
          reason != null ? reason : "A plugin found the response body invalid.");
      return null;
    } catch (RuntimeException e) {
      log.warn(
          "a plugin failed transforming the response body of request {}", requestIdOrNull(), e);
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

  /** The read burst of the response's source ended: what was written goes out. */
  public void onResponseReadComplete() {
    conn.flush();
  }

  /** A RESPONSE_BODY plugin transforms the body: an encoded one is decoded for it first. */
  public void onFirstBodyTransform() {
    if (upstreamCoding != null) {
      decoding =
          ResponseDecoding.forResponse(
              Objects.requireNonNull(response, "transforms start after the head").headers(),
              limits,
              conn.alloc());
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

  void sendLocal(FullHttpResponse r) {
    response = r;
    status = r.status().code();
    headDeferred = false;
    // before the response phase, so a route's response-headers plugin may still change it
    GatewayAnswerHeaders.mark(r.headers());
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

  private void armIdleDeadline() {
    conn.armDeadline(conn.nanoTime() + routed().timeouts().idle().toNanos());
  }

  /** Closes the body stages still open, once, whichever way the exchange ended. */
  void discardResponseStages() {
    if (bodyPipeline != null) {
      bodyPipeline.discard();
      bodyPipeline = null;
    }
    if (decoding != null) {
      decoding.close();
      decoding = null;
    }
  }

  // ---------------------------------------------------------------- WebSocket and other upgrades

  /**
   * A {@code 101}: the response phase runs on its head, then an {@link UpgradeRelay} takes both
   * connections, the client's once the head is out.
   */
  void startUpgrade(HttpResponse head, UpstreamConnection upstream) {
    state = ExchangeState.UPGRADED;
    response = head;
    status = 101;
    GatewayCookies.stripSetCookie(head.headers());
    phases().runResponsePhase();
    relay = new UpgradeRelay(conn, upstream, this, routed().timeouts().idle().toNanos());
    conn.armDeadline(0);
    relay.start(head);
  }

  @Override
  public void onClientLost() {
    failure = Failure.DOWNSTREAM_CLOSED;
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

  boolean upgraded() {
    return relay != null;
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

  // ---------------------------------------------------------------- where the exchange is

  /** Whether the exchange has ended. */
  @Override
  public boolean ended() {
    return state == ExchangeState.DONE;
  }

  /** The exchange as plugins see it. */
  public Exchange exchange() {
    return this;
  }

  boolean isFinished() {
    return state == ExchangeState.DONE;
  }

  @Override
  @Nullable ExchangeState state() {
    return state;
  }

  // ---------------------------------------------------------------- what the exchange provides

  /** The exchange's plugin phases. */
  abstract PhaseRunner phases();

  /** The upstream call; set when the exchange called its upstream. */
  abstract UpstreamCall upstreamCall();

  /** Ends the exchange, once: the LOG phase, the record, the next request or the close. */
  abstract void finish();

  /** The asterisk request-target: answered by the gateway, for OPTIONS only. */
  void answerAsterisk() {
    closeAfter |= !requestComplete;
    if (request.method() == HttpMethod.OPTIONS) {
      sendLocal(LocalAnswers.asteriskOptions());
    } else {
      fail(Failure.BAD_PATH, "The asterisk request-target is only valid with OPTIONS.");
    }
  }

  /**
   * Whether the finished exchange may give its request back to its codec as far as this layer knows
   * ({@code HttpExchange.requestUnshared} adds its own parts): it succeeded, with its request
   * complete, on a connection that stays open, and no gRPC call, trace or upgrade took the request.
   * Observers read it only while the exchange finishes ({@code ExchangeRecord}'s headers rule), so
   * they do not keep it.
   */
  boolean endedCleanly() {
    return failure == null
        && requestComplete
        && !closeAfter
        && grpc == null
        && trace == null
        && relay == null;
  }

  /** Stops reading what the response comes from (the client cannot take more). */
  abstract void pauseUpstream();
}
