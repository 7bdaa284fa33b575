package io.portico.proxy;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.portico.config.LimitsConfig;
import java.util.List;

/**
 * The checks a request head must pass before anything else looks at it: the first step of an
 * exchange. Each refusal names one {@link Failure} and says what was expected; a refused request is
 * answered and its connection closed, and nothing of it reaches a plugin or an upstream.
 *
 * <p>Stateless; the checks allocate nothing for a request that passes.
 */
final class RequestChecks {

  /** Why a request was refused. */
  record Refusal(Failure failure, String detail) {}

  private RequestChecks() {}

  /**
   * Checks the head: decoder failures (bad framing, oversized line or headers), the header count,
   * {@code CONNECT}, a declared body over the limit, and the {@code Host} header.
   *
   * @return null when the head is acceptable
   */
  static Refusal check(HttpRequest request, LimitsConfig limits) {
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      Throwable cause = result.cause();
      if (cause instanceof TooLongHttpLineException) {
        return new Refusal(
            Failure.URI_TOO_LONG,
            "The request line is longer than " + limits.maxRequestLine() + " bytes.");
      } else if (cause instanceof TooLongHttpHeaderException) {
        return new Refusal(
            Failure.HEADERS_TOO_LARGE,
            "The request headers exceed " + limits.maxHeaderSize() + " bytes.");
      } else if (cause instanceof TooLongFrameException) {
        return new Refusal(Failure.HEADERS_TOO_LARGE, "The request head is too large.");
      }
      return new Refusal(Failure.BAD_FRAMING, "The request is malformed: " + describe(cause));
    }
    HttpHeaders headers = request.headers();
    if (headers.size() > limits.maxHeaderCount()) {
      return new Refusal(
          Failure.HEADERS_TOO_LARGE, "More than " + limits.maxHeaderCount() + " header fields.");
    }
    if (request.method() == HttpMethod.CONNECT) {
      return new Refusal(
          Failure.METHOD_NOT_ALLOWED, "CONNECT is not supported: Portico is not a forward proxy.");
    }
    long contentLength = HttpUtil.getContentLength(request, -1L);
    if (limits.maxBodySize() > 0 && contentLength > limits.maxBodySize()) {
      return new Refusal(
          Failure.BODY_TOO_LARGE,
          "The request body of "
              + contentLength
              + " bytes exceeds "
              + limits.maxBodySize()
              + " bytes.");
    }
    List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1) {
      return new Refusal(
          Failure.BAD_REQUEST, "A request may carry one Host header, not " + hosts.size() + ".");
    }
    if (hosts.isEmpty() && request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      return new Refusal(Failure.BAD_REQUEST, "An HTTP/1.1 request needs a Host header.");
    }
    return null;
  }

  /** What a decoder failure says, for a client. */
  static String describe(Throwable cause) {
    String m = cause == null ? null : cause.getMessage();
    return m == null ? "invalid HTTP/1.1 framing" : m;
  }
}
