package io.portico.proxy;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.portico.spi.plugin.Reply;
import io.portico.spi.plugin.StatusReasons;
import org.jspecify.annotations.Nullable;

/**
 * Renders RFC 9457 problem responses: {@code application/problem+json} with a stable {@code type},
 * the status, a human {@code detail}, the request path as {@code instance}, the request id and,
 * when tracing is on, the trace id ({@code trace_id}). Never a stack trace.
 */
final class ProblemResponses {

  static final AsciiString PROBLEM_JSON = AsciiString.cached("application/problem+json");
  private static final String TYPE_PREFIX = "https://portico.dev/problems/";

  private ProblemResponses() {}

  static FullHttpResponse render(
      ByteBufAllocator alloc,
      HttpResponseStatus status,
      String type,
      String title,
      @Nullable String detail,
      @Nullable String instance,
      @Nullable String requestId) {
    return render(alloc, status, type, title, detail, instance, requestId, null, null, null);
  }

  /**
   * As above, with the trace id (or null) and one more member {@code extraName} whose value is the
   * JSON text {@code extraJson} (produced by the gateway, never by a client).
   */
  static FullHttpResponse render(
      ByteBufAllocator alloc,
      HttpResponseStatus status,
      String type,
      String title,
      @Nullable String detail,
      @Nullable String instance,
      @Nullable String requestId,
      @Nullable String traceId,
      @Nullable String extraName,
      @Nullable String extraJson) {
    StringBuilder json = new StringBuilder(256).append("{\"type\":");
    quote(json, type.contains(":") ? type : TYPE_PREFIX + type);
    json.append(",\"title\":");
    quote(json, title);
    json.append(",\"status\":").append(status.code());
    if (detail != null) {
      json.append(",\"detail\":");
      quote(json, detail);
    }
    if (instance != null) {
      json.append(",\"instance\":");
      quote(json, instance);
    }
    if (requestId != null) {
      json.append(",\"request_id\":");
      quote(json, requestId);
    }
    if (traceId != null) {
      json.append(",\"trace_id\":");
      quote(json, traceId);
    }
    if (extraName != null && extraJson != null) {
      json.append(',');
      quote(json, extraName);
      json.append(':').append(extraJson);
    }
    json.append("}\n");
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            StatusReasons.standard(status),
            ByteBufUtil.writeUtf8(alloc, json));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, PROBLEM_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return response;
  }

  static FullHttpResponse render(
      ByteBufAllocator alloc,
      Failure failure,
      @Nullable String detail,
      @Nullable String instance,
      @Nullable String requestId) {
    return render(alloc, failure, detail, instance, requestId, null);
  }

  /** The problem for {@code failure}, with the trace id when there is one. */
  static FullHttpResponse render(
      ByteBufAllocator alloc,
      Failure failure,
      @Nullable String detail,
      @Nullable String instance,
      @Nullable String requestId,
      @Nullable String traceId) {
    return render(
        alloc,
        failure.status(),
        failure.type(),
        failure.title(),
        detail,
        instance,
        requestId,
        traceId,
        null,
        null);
  }

  /** A plugin's local {@link Reply}: its problem rendered as above, or its plain body. */
  static FullHttpResponse render(
      ByteBufAllocator alloc,
      Reply reply,
      @Nullable String instance,
      @Nullable String requestId,
      @Nullable String traceId) {
    FullHttpResponse r;
    Reply.ProblemDetail p = reply.problem();
    if (p != null) {
      r =
          render(
              alloc,
              reply.status(),
              p.type(),
              p.title(),
              p.detail(),
              instance,
              requestId,
              traceId,
              null,
              null);
    } else {
      byte[] body = reply.body();
      ByteBuf content = body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
      r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(), content);
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    }
    r.headers().add(reply.headers());
    return r;
  }

  /**
   * A refusal or failure in OpenAI's error shape, for a route whose {@code ai} section answers
   * errors that way: {@code {"error": {"message", "type", "param": null, "code"}}} with {@code
   * Content-Type: application/json}, so OpenAI clients read it as one of their API errors. {@code
   * type} is {@code invalid_request_error} for a 4xx and {@code server_error} for a 5xx; {@code
   * code} is the problem's type without its URI prefix, dashes made underscores ({@code
   * https://portico.dev/problems/rate-limited} becomes {@code rate_limited}).
   */
  static FullHttpResponse renderOpenAi(
      ByteBufAllocator alloc, HttpResponseStatus status, String type, String message) {
    String code = type.substring(type.lastIndexOf('/') + 1).replace('-', '_');
    StringBuilder json = new StringBuilder(160).append("{\"error\":{\"message\":");
    quote(json, message);
    json.append(",\"type\":");
    quote(json, status.code() >= 500 ? "server_error" : "invalid_request_error");
    json.append(",\"param\":null,\"code\":");
    quote(json, code);
    json.append("}}\n");
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            StatusReasons.standard(status),
            ByteBufUtil.writeUtf8(alloc, json));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return response;
  }

  /** An error in Anthropic's shape ({@code {"type": "error", "error": {...}}}). */
  static FullHttpResponse renderAnthropic(
      ByteBufAllocator alloc, HttpResponseStatus status, String message) {
    byte[] body = io.portico.ai.AiPlan.anthropicError(status.code(), message);
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            StatusReasons.standard(status),
            alloc.buffer(body.length).writeBytes(body));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return response;
  }

  /** A plugin's problem {@link Reply} in Anthropic's error shape, with the reply's headers. */
  static FullHttpResponse renderAnthropic(ByteBufAllocator alloc, Reply reply) {
    Reply.ProblemDetail p = java.util.Objects.requireNonNull(reply.problem());
    String message = p.detail() == null || p.detail().isEmpty() ? p.title() : p.detail();
    FullHttpResponse r = renderAnthropic(alloc, reply.status(), message);
    r.headers().add(reply.headers());
    return r;
  }

  /** A plugin's problem {@link Reply} in OpenAI's error shape, with the reply's headers. */
  static FullHttpResponse renderOpenAi(ByteBufAllocator alloc, Reply reply) {
    Reply.ProblemDetail p = java.util.Objects.requireNonNull(reply.problem());
    String message = p.detail() == null || p.detail().isEmpty() ? p.title() : p.detail();
    FullHttpResponse r = renderOpenAi(alloc, reply.status(), p.type(), message);
    r.headers().add(reply.headers());
    return r;
  }

  private static void quote(StringBuilder out, String s) {
    out.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, out);
    out.append('"');
  }
}
