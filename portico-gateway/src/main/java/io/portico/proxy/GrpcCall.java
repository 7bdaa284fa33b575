package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.portico.config.GrpcRouteConfig;
import io.portico.grpc.GrpcContentType;
import io.portico.grpc.GrpcFrameReader;
import io.portico.grpc.GrpcMessage;
import io.portico.grpc.GrpcStatus;
import io.portico.grpc.GrpcTimeout;
import io.portico.spi.plugin.Reply;
import io.portico.upstream.CallFailure;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What makes an exchange a gRPC call (a request whose {@code Content-Type} is {@code
 * application/grpc} or one of its {@code +} forms): the gateway's own answers in gRPC's shape, the
 * call's deadline, the request's messages checked as they pass, and the call's gRPC status.
 *
 * <ul>
 *   <li><b>Answers.</b> Whatever the exchange would answer with a problem (no route, a plugin's
 *       refusal, an upstream failure, a timeout) is a trailers-only response instead: HTTP 200,
 *       {@code content-type: application/grpc}, {@code grpc-status} and the percent-encoded {@code
 *       grpc-message} in the one HEADERS frame (for an HTTP/1.1 client, in the head of an empty
 *       response). Once the response has started, a failure ends it with trailers carrying the
 *       status ({@link #trailers}) when the client's framing has room for them.
 *   <li><b>Deadline.</b> {@code grpc-timeout}, capped by the route's {@code response} timeout, runs
 *       from the request head; the remaining time is what the upstream gets as {@code
 *       grpc-timeout}.
 *   <li><b>Messages.</b> The request body's length-prefixed messages are checked by a {@link
 *       GrpcFrameReader} as chunks pass ({@link GrpcFrameReader#skim}: from the prefixes alone,
 *       nothing held or copied): a message over the route's {@code grpc.max-message-size}, a
 *       compressed message without {@code grpc-encoding}, reserved flags or a body ending inside a
 *       message refuse the call.
 *   <li><b>Status.</b> The upstream's {@code grpc-status} (trailers, or a trailers-only head) or
 *       the gateway's own, for the access log and metrics.
 *   <li><b>Response messages.</b> The upstream's messages are checked the same way as they pass,
 *       against the route's {@code grpc.max-response-message-size}: a refused one ends the call
 *       with {@code RESOURCE_EXHAUSTED} or {@code INTERNAL} and resets the upstream stream.
 * </ul>
 *
 * <p>Made by the exchange only for a request that is a gRPC call, so a plain request pays nothing
 * for it; it acts on the exchange through the exchange's own answering and writing methods.
 * Confined to the exchange's event loop: the deadline is a task on that loop, cancelled by {@link
 * #close}. Holds no buffer: its readers only skim; a refused chunk is released here.
 */
final class GrpcCall {

  static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
  static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
  static final AsciiString GRPC_TIMEOUT = AsciiString.cached("grpc-timeout");
  static final AsciiString GRPC_ENCODING = AsciiString.cached("grpc-encoding");
  static final AsciiString APPLICATION_GRPC = AsciiString.cached("application/grpc");

  /**
   * How long before the call's deadline an upstream's reset still counts as the deadline passing:
   * the upstream's own deadline starts when it reads the head, so it never passes before the
   * gateway's by more than the clocks' and timers' slack.
   */
  static final long DEADLINE_RESET_TOLERANCE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final ResponseRelay exchange;
  private long deadlineNanos;
  private long budgetNanos;
  private @Nullable ScheduledFuture<?> deadlineTask;

  /** An upstream's trailers-only answer waits for its end, to go out as one message. */
  private boolean trailersOnly;

  private @Nullable GrpcFrameReader reader;
  private @Nullable GrpcFrameReader responseReader;
  private int maxResponseMessageSize = GrpcRouteConfig.DEFAULT_MAX_MESSAGE_SIZE;
  private int grpcStatus = -1;

  private GrpcCall(ResponseRelay exchange) {
    this.exchange = exchange;
  }

  /**
   * The call {@code exchange}'s request makes, or null when it is not gRPC (gRPC-Web is not, here).
   */
  static @Nullable GrpcCall of(HttpRequest request, ResponseRelay exchange) {
    return GrpcContentType.of(request.headers().get(HttpHeaderNames.CONTENT_TYPE))
            == GrpcContentType.GRPC
        ? new GrpcCall(exchange)
        : null;
  }

  /**
   * The call was routed: its deadline ({@code grpc-timeout} from {@code startNanos}, at most the
   * route's {@code responseNanos}; none without {@code grpc-timeout}), scheduled on the exchange's
   * loop when it has one, and its message reader.
   */
  void routed(
      HttpHeaders headers,
      GrpcRouteConfig config,
      long startNanos,
      long responseNanos,
      long nowNanos,
      ByteBufAllocator alloc) {
    long timeout = GrpcTimeout.parseNanos(headers.get(GRPC_TIMEOUT));
    if (timeout >= 0) {
      budgetNanos = Math.min(timeout, responseNanos);
      deadlineNanos = startNanos + budgetNanos;
      if (deadlineNanos == 0) {
        deadlineNanos = 1;
      }
    }
    String encoding = headers.get(GRPC_ENCODING);
    boolean compression = encoding != null && !"identity".equalsIgnoreCase(encoding.trim());
    reader = new GrpcFrameReader(alloc, config.maxMessageSize(), compression);
    maxResponseMessageSize = config.maxResponseMessageSize();
    if (deadlineNanos != 0) {
      deadlineTask =
          exchange
              .eventLoop()
              .schedule(
                  this::onDeadline, Math.max(0, deadlineNanos - nowNanos), TimeUnit.NANOSECONDS);
    }
  }

  /** The deadline passed: the exchange fails, which resets the upstream stream. */
  private void onDeadline() {
    deadlineTask = null;
    ExchangeState state = exchange.state();
    if (state != ExchangeState.DONE && state != ExchangeState.UPGRADED) {
      exchange.fail(Failure.GRPC_DEADLINE_EXCEEDED, deadlineDetail());
    }
  }

  /** What the client is told when the call's deadline passed. */
  private String deadlineDetail() {
    return "The call's deadline passed after "
        + TimeUnit.NANOSECONDS.toMillis(budgetNanos)
        + " ms.";
  }

  /**
   * Whether an upstream failure is the upstream enforcing the call's deadline: the upstream got
   * that deadline as {@code grpc-timeout} and resets its stream when it passes (grpc-java does),
   * which can reach the gateway just before the gateway's own deadline task runs. A reset or close
   * at the deadline, or within {@link #DEADLINE_RESET_TOLERANCE_NANOS} before it, is the deadline
   * passing ({@code DEADLINE_EXCEEDED}); one earlier stays the upstream's failure ({@code
   * UNAVAILABLE}).
   *
   * @return true when it is, and the exchange failed with {@code DEADLINE_EXCEEDED} here
   */
  boolean failedAtDeadline(CallFailure reason, long nowNanos) {
    if (deadlineNanos == 0
        || (reason != CallFailure.RESET_BEFORE_RESPONSE
            && reason != CallFailure.RESET_AFTER_RESPONSE)
        || nowNanos - deadlineNanos < -DEADLINE_RESET_TOLERANCE_NANOS) {
      return false;
    }
    exchange.fail(Failure.GRPC_DEADLINE_EXCEEDED, deadlineDetail());
    return true;
  }

  /** When the call's deadline passes (the event loop's clock), or 0 when it has none. */
  long deadlineNanos() {
    return deadlineNanos;
  }

  /** Tells the upstream how much of the deadline is left: {@code grpc-timeout} in its head. */
  void prepareHead(HttpRequest head, long nowNanos) {
    if (deadlineNanos != 0) {
      head.headers().set(GRPC_TIMEOUT, GrpcTimeout.format(deadlineNanos - nowNanos));
    }
  }

  /**
   * Reads the messages a request chunk completes (the chunk itself stays the caller's).
   *
   * @return null, or why the call is refused
   */
  GrpcFrameReader.@Nullable Failure inspect(ByteBuf chunk, boolean last) {
    if (reader == null) {
      return null;
    }
    GrpcFrameReader.Failure refused = reader.skim(chunk);
    if (refused == null && last) {
      refused = reader.end();
    }
    return refused;
  }

  /**
   * Checks the messages a request chunk completes; a refused one fails the exchange (the chunk
   * released, the connection to close) and is true.
   */
  boolean refusesRequest(HttpContent content, boolean last) {
    GrpcFrameReader.Failure refused = inspect(content.content(), last);
    if (refused == null) {
      return false;
    }
    exchange.refuseRequest(content, failureOf(refused), refused.message());
    return true;
  }

  /** The failure of a refused message, as the exchange records it. */
  static Failure failureOf(GrpcFrameReader.Failure refused) {
    return refused.status() == GrpcStatus.RESOURCE_EXHAUSTED
        ? Failure.GRPC_MESSAGE_TOO_LARGE
        : Failure.GRPC_MESSAGE_INVALID;
  }

  /** The failure of a refused response message, as the exchange records it. */
  static Failure responseFailureOf(GrpcFrameReader.Failure refused) {
    return refused.status() == GrpcStatus.RESOURCE_EXHAUSTED
        ? Failure.UPSTREAM_RESPONSE_TOO_LARGE
        : Failure.UPSTREAM_BODY_INVALID;
  }

  /**
   * Reads the messages an upstream response chunk completes, from their prefixes alone (the chunk
   * stays the caller's): a message over the route's {@code grpc.max-response-message-size}, a
   * compressed message when the upstream's head named no {@code grpc-encoding}, reserved flags or a
   * body that ends inside a message refuse the rest of the response.
   *
   * @return null, or why the response is refused; then {@link #responseRefusedAt} tells how much of
   *     the chunk passed
   */
  GrpcFrameReader.@Nullable Failure inspectResponse(ByteBuf chunk, boolean last) {
    if (responseReader == null) {
      return null;
    }
    GrpcFrameReader.Failure refused = responseReader.skim(chunk);
    if (refused == null && last) {
      refused = responseReader.end();
    }
    return refused;
  }

  /**
   * Where, in the chunk whose response message was refused, the refused message began: the bytes
   * before it are messages that passed the checks. -1 when none of the chunk passed.
   */
  int responseRefusedAt() {
    return responseReader == null ? -1 : responseReader.refusedAt();
  }

  /** Cancels the deadline and releases the partial message the readers hold, if any. */
  void close() {
    if (deadlineTask != null) {
      deadlineTask.cancel(false);
      deadlineTask = null;
    }
    if (reader != null) {
      reader.close();
    }
    if (responseReader != null) {
      responseReader.close();
    }
  }

  // ---------------------------------------------------------------- the upstream's status

  /**
   * Reads an upstream head: readies the check of its messages when it is a gRPC answer ({@code
   * grpc-encoding} of the response allows compressed ones), and tells whether it is a whole
   * trailers-only response ({@code grpc-status} in the head), which must reach the client as one
   * HEADERS frame, not a head and an empty end.
   */
  boolean onResponseHead(HttpResponse head, ByteBufAllocator alloc) {
    trailersOnly = readResponseHead(head, alloc);
    return trailersOnly;
  }

  private boolean readResponseHead(HttpResponse head, ByteBufAllocator alloc) {
    if (responseReader != null) {
      responseReader.close();
      responseReader = null;
    }
    if (GrpcContentType.of(head.headers().get(HttpHeaderNames.CONTENT_TYPE))
        == GrpcContentType.GRPC) {
      // Only a gRPC answer is read as messages: an error page from something in between passes.
      String encoding = head.headers().get(GRPC_ENCODING);
      responseReader =
          new GrpcFrameReader(
              alloc,
              maxResponseMessageSize,
              encoding != null && !"identity".equalsIgnoreCase(encoding.trim()));
    }
    String value = head.headers().get(GRPC_STATUS);
    if (value == null) {
      return false;
    }
    grpcStatus = GrpcStatus.ofHeader(value).code();
    return true;
  }

  /** Whether the head of an upstream's trailers-only answer waits for its end. */
  boolean holdsTrailersOnly() {
    return trailersOnly;
  }

  /**
   * An upstream response chunk, before the exchange relays it: the status from the last one's
   * trailers, a held trailers-only head written (as one message when the chunk is an empty end),
   * the chunk's messages checked. True when the chunk was taken here (the answer went out whole, or
   * a refused message ended the call); else the exchange relays it.
   */
  boolean takesResponseContent(HttpContent content, boolean last) {
    if (last) {
      onResponseEnd((LastHttpContent) content);
    }
    if (trailersOnly) {
      trailersOnly = false;
      if (last && !content.content().isReadable()) {
        content.release();
        HttpResponse head = exchange.response();
        exchange.sendWhole(
            whole(
                Objects.requireNonNull(head, "a trailers-only answer has its head"),
                exchange.http2()));
        return true;
      }
      exchange.writeResponseHead();
    }
    return refusedResponse(content, last);
  }

  /**
   * Checks the gRPC messages of an upstream chunk; a refused one ends the call (the upstream stream
   * reset, the client given the status in trailers) after the messages before it in the chunk.
   */
  private boolean refusedResponse(HttpContent content, boolean last) {
    GrpcFrameReader.Failure refused = inspectResponse(content.content(), last);
    if (refused == null) {
      return false;
    }
    ByteBuf data = content.content();
    int passed = responseRefusedAt() - data.readerIndex();
    if (passed > 0 && exchange.relaysUntransformed()) {
      exchange.writeBody(new DefaultHttpContent(data.retainedSlice(data.readerIndex(), passed)));
    }
    content.release();
    exchange.fail(responseFailureOf(refused), refused.message());
    return true;
  }

  /**
   * A response already started ends with trailers that carry the failure's status, when the
   * client's framing has room for them (HTTP/2, or a chunked HTTP/1.1 body); false otherwise.
   */
  boolean endWithTrailers(Failure reason, String detail, @Nullable HttpResponse started) {
    if (started == null || !(exchange.http2() || HttpUtil.isTransferEncodingChunked(started))) {
      return false;
    }
    exchange.endStarted(trailers(reason, detail));
    return true;
  }

  /** The upstream's last chunk: its trailers carry the call's status. */
  void onResponseEnd(LastHttpContent last) {
    String value = last.trailingHeaders().get(GRPC_STATUS);
    if (value != null) {
      grpcStatus = GrpcStatus.ofHeader(value).code();
    }
  }

  /**
   * A trailers-only head from the upstream made into the one message the client gets: the head's
   * status and headers, no body.
   */
  static FullHttpResponse whole(HttpResponse head, boolean http2) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            head.status(),
            Unpooled.EMPTY_BUFFER,
            head.headers(),
            EmptyHttpHeaders.INSTANCE);
    r.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
    if (!http2) {
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    }
    return r;
  }

  /**
   * The gRPC status the access log and metrics record: the upstream's or the gateway's own when one
   * was seen or sent; else derived from how the exchange ended ({@code CANCELLED} for a client that
   * left, the failure's status, gRPC's mapping of an HTTP status other than 200, and {@code
   * UNKNOWN} for a 200 that ended without {@code grpc-status}).
   */
  int recordedStatus(int httpStatus, @Nullable Failure failure) {
    if (grpcStatus >= 0) {
      return grpcStatus;
    }
    if (failure != null) {
      return statusOf(failure).code();
    }
    if (httpStatus == 0) {
      return GrpcStatus.CANCELLED.code();
    }
    return httpStatus == 200
        ? GrpcStatus.UNKNOWN.code()
        : GrpcStatus.ofHttpStatus(httpStatus).code();
  }

  // ---------------------------------------------------------------- the gateway's own answers

  /** The gateway's answer to a failure, trailers-only. */
  FullHttpResponse reply(Failure failure, String detail) {
    return reply(statusOf(failure), detail);
  }

  /**
   * A plugin's refusal as a gRPC answer, with the reply's headers as metadata (a {@code
   * WWW-Authenticate}, a {@code Retry-After}); a reply that is no refusal (below 400, without a
   * problem) is null: it goes to the client as the plugin made it.
   */
  @Nullable FullHttpResponse reply(Reply reply) {
    Reply.ProblemDetail p = reply.problem();
    if (p == null && reply.status().code() < 400) {
      return null;
    }
    String message =
        p == null
            ? reply.status().reasonPhrase()
            : p.detail() == null || p.detail().isEmpty() ? p.title() : p.detail();
    FullHttpResponse r = reply(statusOfHttp(reply.status().code()), message);
    HttpHeaders h = r.headers();
    for (Map.Entry<String, String> e : reply.headers()) {
      if (!HttpHeaderNames.CONTENT_TYPE.contentEqualsIgnoreCase(e.getKey())
          && !HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(e.getKey())
          && !GRPC_STATUS.contentEqualsIgnoreCase(e.getKey())
          && !GRPC_MESSAGE.contentEqualsIgnoreCase(e.getKey())) {
        h.add(e.getKey(), e.getValue());
      }
    }
    return r;
  }

  /** A trailers-only answer: HTTP 200, {@code application/grpc}, the status and message. */
  FullHttpResponse reply(GrpcStatus status, String message) {
    grpcStatus = status.code();
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_GRPC)
        .set(GRPC_STATUS, status.codeText())
        .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    if (message != null && !message.isEmpty()) {
      r.headers().set(GRPC_MESSAGE, GrpcMessage.encode(message));
    }
    return r;
  }

  /** The end of a response already started: trailers with the status of {@code failure}. */
  LastHttpContent trailers(Failure failure, String detail) {
    GrpcStatus status = statusOf(failure);
    grpcStatus = status.code();
    LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
    last.trailingHeaders().set(GRPC_STATUS, status.codeText());
    if (detail != null && !detail.isEmpty()) {
      last.trailingHeaders().set(GRPC_MESSAGE, GrpcMessage.encode(detail));
    }
    return last;
  }

  /** The gRPC status a client gets for each way the gateway fails a call. */
  static GrpcStatus statusOf(Failure failure) {
    return switch (failure) {
      case NO_ROUTE, METHOD_NOT_ALLOWED -> GrpcStatus.UNIMPLEMENTED;
      case NO_HEALTHY_UPSTREAM,
          UPSTREAM_POOL_EXHAUSTED,
          CIRCUIT_OPEN,
          UPSTREAM_OVERLOADED,
          UPSTREAM_CONNECT_FAILED,
          UPSTREAM_TLS_FAILED,
          UPSTREAM_CONNECT_TIMEOUT,
          UPSTREAM_RESET_BEFORE_RESPONSE,
          UPSTREAM_RESET_AFTER_RESPONSE,
          AGGREGATE_BACKEND_FAILED,
          SHUTTING_DOWN ->
          GrpcStatus.UNAVAILABLE;
      case UPSTREAM_RESPONSE_TIMEOUT,
          UPSTREAM_IDLE_TIMEOUT,
          AGGREGATE_TIMEOUT,
          PLUGIN_TIMEOUT,
          REQUEST_HEADER_TIMEOUT,
          REQUEST_BODY_TIMEOUT,
          DOWNSTREAM_WRITE_TIMEOUT,
          GRPC_DEADLINE_EXCEEDED ->
          GrpcStatus.DEADLINE_EXCEEDED;
      case BODY_TOO_LARGE,
          HEADERS_TOO_LARGE,
          URI_TOO_LONG,
          UPSTREAM_RESPONSE_TOO_LARGE,
          GRPC_MESSAGE_TOO_LARGE ->
          GrpcStatus.RESOURCE_EXHAUSTED;
      case DOWNSTREAM_CLOSED -> GrpcStatus.CANCELLED;
      case BAD_REQUEST,
          BAD_FRAMING,
          BAD_PATH,
          HTTP_VERSION_NOT_SUPPORTED,
          UPSTREAM_PROTOCOL_ERROR,
          UPSTREAM_BODY_INVALID,
          PLUGIN_ERROR,
          INTERNAL_ERROR,
          GRPC_MESSAGE_INVALID ->
          GrpcStatus.INTERNAL;
    };
  }

  /**
   * The gRPC status of a plugin's HTTP refusal: gRPC's own mapping, except that a rate limit or a
   * size limit is {@code RESOURCE_EXHAUSTED}, a timeout {@code DEADLINE_EXCEEDED}, and a method the
   * route does not serve {@code UNIMPLEMENTED}.
   */
  static GrpcStatus statusOfHttp(int httpStatus) {
    return switch (httpStatus) {
      case 413, 429, 431 -> GrpcStatus.RESOURCE_EXHAUSTED;
      case 408, 504 -> GrpcStatus.DEADLINE_EXCEEDED;
      case 405, 501 -> GrpcStatus.UNIMPLEMENTED;
      case 500 -> GrpcStatus.INTERNAL;
      default -> GrpcStatus.ofHttpStatus(httpStatus);
    };
  }
}
