package io.portico.proxy;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/**
 * Renders RFC 9457 problem responses: {@code application/problem+json} with a stable {@code type},
 * the status, a human {@code detail}, the request path as {@code instance} and the request id.
 * Never a stack trace.
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
      String detail,
      String instance,
      String requestId) {
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
    json.append("}\n");
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, status, ByteBufUtil.writeUtf8(alloc, json));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, PROBLEM_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return response;
  }

  static FullHttpResponse render(
      ByteBufAllocator alloc, Failure failure, String detail, String instance, String requestId) {
    return render(
        alloc, failure.status(), failure.type(), failure.title(), detail, instance, requestId);
  }

  private static void quote(StringBuilder out, String s) {
    out.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, out);
    out.append('"');
  }
}
