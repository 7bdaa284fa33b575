package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.util.ReferenceCountUtil;
import io.portico.config.LimitsConfig;
import io.portico.snapshot.Snapshot;
import io.portico.spi.plugin.Reply;
import io.portico.spi.plugin.RequestBodyTransform;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request body of an exchange before and while it goes on: whether it has fully arrived, the
 * chunks queued while no upstream takes them, the body read for plugins ({@link #requestBody}, a
 * {@link RequestBodyBuffer}) or replaced by one ({@link #replaceRequestBody}), and the client's
 * deadline while it arrives (the route's idle timeout, never past {@code limits.body-timeout} from
 * the head). A body over a limit, or one a plugin cannot take, refuses the request and closes the
 * connection after the answer.
 *
 * <p>The layer of {@link HttpExchange} between its facts ({@link ExchangeView}) and its response
 * ({@link ResponseRelay}): the same object, so a request whose body streams straight to its
 * upstream allocates nothing here.
 *
 * <p>Threading: the exchange's event loop (the plugins' calls are checked to be on it). Buffers:
 * queued chunks, the held body and a replacement are owned here (a plugin's {@link
 * TransformedRequestBody} streams the body instead, closed once) until handed on ({@link
 * #nextHeld}) or released ({@link #releaseQueued}, {@link #discardHeld}); plugins only get
 * read-only views that cannot be released.
 */
abstract class RequestBody extends ExchangeView {

  private static final Logger log = LoggerFactory.getLogger(RequestBody.class);

  /** The body plugins get for a request without one. */
  private static final ByteBuf NO_BODY =
      Unpooled.unreleasableBuffer(Unpooled.EMPTY_BUFFER.asReadOnly());

  boolean requestComplete;
  boolean expectContinue;
  @Nullable ArrayDeque<HttpContent> pendingBody;
  @Nullable RequestBodyBuffer bodyBuffer;
  @Nullable ByteBuf replacedBody;
  @Nullable TransformedRequestBody requestTransform;

  /** Whether a piece of the body arrived (a chunked body is not sent before its first). */
  boolean bodyChunkSeen;

  /** The connection closes after this exchange. */
  boolean closeAfter;

  RequestBody(DownstreamHandler conn, HttpRequest request, Snapshot snapshot, LimitsConfig limits) {
    super(conn, request, snapshot, limits);
  }

  /**
   * Clears the body's state for the connection's next request: only after an exchange that ended
   * cleanly, whose body had fully arrived and gone on, so no buffer is held any more.
   */
  void resetBody() {
    requestComplete = false;
    expectContinue = false;
    releaseQueued();
    bodyBuffer = null;
    replacedBody = null;
    requestTransform = null;
    bodyChunkSeen = false;
    closeAfter = false;
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
    if (ended()) {
      return CompletableFuture.failedFuture(new CancellationException("the exchange has ended"));
    }
    if (!inRequestPhases()) {
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
    bodyBuffer = new RequestBodyBuffer(conn.alloc(), limit);
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
    failClosing(Failure.BODY_TOO_LARGE, "The request body exceeds " + limit + " bytes.");
    return CompletableFuture.failedFuture(
        new CancellationException("the request body exceeds " + limit + " bytes"));
  }

  @Override
  public void replaceRequestBody(ByteBuf body) {
    if (!eventLoop().inEventLoop()) {
      body.release();
      throw new IllegalStateException("the request body is replaced on the exchange's event loop");
    }
    if (!inRequestPhases()) {
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

  /**
   * A chunk of a body a plugin asked for: held until the body ends, which completes the plugins'
   * stages (and may resume the request phases, and call the upstream, from here).
   */
  void readForPlugins(HttpContent content, boolean last) {
    RequestBodyBuffer buffer = Objects.requireNonNull(bodyBuffer, "a plugin asked for the body");
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

  @Override
  public void transformRequestBody(RequestBodyTransform transform) {
    if (!eventLoop().inEventLoop()) {
      throw new IllegalStateException(
          "the request body is transformed on the exchange's event loop");
    }
    if (!inRequestPhases()) {
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
  @Nullable HttpContent transformRequest(TransformedRequestBody t, HttpContent content) {
    try {
      return t.apply(content, conn.alloc());
    } catch (RequestBodyTransform.Refused e) {
      t.close();
      requestComplete = true;
      closeAfter = true;
      releaseUpstreamSide();
      if (state() == ExchangeState.RESPONDING) {
        fail(Failure.PLUGIN_ERROR, String.valueOf(e.getMessage()));
      } else {
        onReply(e.reply());
      }
      return null;
    } catch (RuntimeException e) {
      t.close();
      log.warn("a plugin failed transforming the request body of request {}", requestIdOrNull(), e);
      requestComplete = true;
      closeAfter = true;
      fail(Failure.PLUGIN_ERROR, "A plugin failed while handling the request body.");
      return null;
    }
  }

  /** Queues a chunk that arrived before the request could go on. */
  void queue(HttpContent content) {
    if (pendingBody == null) {
      pendingBody = new ArrayDeque<>(4);
    }
    pendingBody.add(content);
  }

  /**
   * The next piece of the body held before the request went on (a plugin's replacement, the body
   * read for plugins, which a body still arriving follows, or chunks queued meanwhile), or null
   * when nothing is held; ownership passes to the caller.
   */
  @Nullable HttpContent nextHeld() {
    if (replacedBody != null) {
      ByteBuf body = replacedBody;
      replacedBody = null;
      return new DefaultLastHttpContent(body);
    }
    if (bodyBuffer != null && bodyBuffer.holdsBody()) {
      return bodyBuffer.forward();
    }
    return pendingBody == null ? null : pendingBody.poll();
  }

  /** Releases the chunks queued while the request phases ran. */
  void releaseQueued() {
    if (pendingBody != null) {
      pendingBody.forEach(ReferenceCountUtil::release);
      pendingBody = null;
    }
  }

  /** Releases whatever of the body is still held: the exchange ended before it went on. */
  void discardHeld() {
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
  }

  /**
   * Checks a chunk of the body as it arrives: decoding, trailers, the body's size; copies it for
   * the access log and checks its gRPC messages when the exchange does. False when the request was
   * refused (the chunk released); else the chunk is the caller's to hand on.
   */
  boolean admit(HttpContent content) {
    if (content.decoderResult().isFailure()) {
      Throwable cause = content.decoderResult().cause();
      content.release();
      if (cause instanceof TooLongHttpHeaderException) {
        refuseRequest(
            Failure.HEADERS_TOO_LARGE,
            "The request trailers exceed " + limits.maxHeaderSize() + " bytes.");
      } else {
        refuseRequest(
            Failure.BAD_FRAMING, "The request body is malformed: " + RequestChecks.describe(cause));
      }
      return false;
    }
    if (content instanceof LastHttpContent lastContent) {
      RequestChecks.Refusal refusal = RequestChecks.checkTrailers(lastContent, limits);
      if (refusal != null) {
        refuseRequest(content, refusal.failure(), refusal.detail());
        return false;
      }
      RequestChecks.stripTrailers(
          lastContent, snapshot.identityHeaders(), snapshot.forwarding().requestIdHeader());
    }
    bodyChunkSeen = true;
    requestBytes += content.content().readableBytes();
    if (limits.maxBodySize() > 0 && requestBytes > limits.maxBodySize()) {
      refuseRequest(
          content,
          Failure.BODY_TOO_LARGE,
          "The request body exceeds " + limits.maxBodySize() + " bytes.");
      return false;
    }
    if (captured != null) {
      captured.request(content.content());
    }
    boolean last = content instanceof LastHttpContent;
    if (grpc != null && grpc.refusesRequest(content, last)) {
      return false;
    }
    if (last) {
      requestComplete = true;
    }
    return true;
  }

  /** The first piece of the body to hand on: what is held, else the empty end of a whole body. */
  @Nullable HttpContent firstHeld() {
    HttpContent held = nextHeld();
    return held == null && requestComplete ? LastHttpContent.EMPTY_LAST_CONTENT : held;
  }

  /** Sends {@code 100 Continue} to a client that waits for it before its body. */
  void continueIfExpected() {
    if (expectContinue && !requestComplete) {
      conn.writeContinue();
    }
  }

  boolean requestComplete() {
    return requestComplete;
  }

  /** The rest of the body is read from now on, within the body deadline, if any is left. */
  void readRestOfBody() {
    if (requestComplete) {
      conn.armDeadline(0);
    } else {
      armBodyDeadline();
      conn.resumeReads();
    }
  }

  /**
   * Refuses the request at one of its body chunks: the chunk released, nothing more read, and the
   * connection closed after the answer.
   */
  void refuseRequest(HttpContent content, Failure reason, String detail) {
    content.release();
    refuseRequest(reason, detail);
  }

  /** Refuses the request while its body arrives: nothing more read, the connection to close. */
  void refuseRequest(Failure reason, String detail) {
    requestComplete = true;
    failClosing(reason, detail);
  }

  /** Fails the exchange, and closes the connection after the answer. */
  void failClosing(Failure reason, String detail) {
    closeAfter = true;
    fail(reason, detail);
  }

  /** A chunk of the body arrived: the body deadline again, or none after the last. */
  void armForBody(boolean last) {
    if (last) {
      conn.armDeadline(0);
    } else {
      armBodyDeadline();
    }
  }

  /**
   * While the request body arrives: the route's idle timeout from now, but never past {@code
   * limits.body-timeout} from the head, so a body trickled byte by byte is cut off too.
   */
  void armBodyDeadline() {
    long idle = conn.nanoTime() + routed().timeouts().idle().toNanos();
    conn.armDeadline(Math.min(idle, startNanos + limits.bodyTimeout().toNanos()));
  }

  /**
   * Whether the upstream takes the request body now: the client's reads resume, or pause until it
   * does.
   */
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

  // ---------------------------------------------------------------- what the exchange provides

  /** Whether the exchange has ended. */
  abstract boolean ended();

  /** Whether the REWRITE and ACCESS phases run, when plugins may read and replace the body. */
  abstract boolean inRequestPhases();

  /** Fails the exchange: its answer, or the connection closed once the response started. */
  abstract void fail(Failure reason, String detail);

  /** Answers with a plugin's reply, in the shape the client expects. */
  public abstract void onReply(Reply reply);

  /** Where the exchange is; null before it started. */
  abstract @Nullable ExchangeState state();

  /** Ends the upstream side (the call, its stages) and releases the body chunks still queued. */
  abstract void releaseUpstreamSide();
}
