package io.portico.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * How an upstream's response head is framed for the client: HTTP/1.1, a body framing the client can
 * read (chunked, or closing the connection for HTTP/1.0 clients), the framing a body stage needs,
 * and {@code Connection} per the keep-alive decision. The decision comes back as flags, so framing
 * a response allocates nothing.
 *
 * <p>Stateless.
 */
final class ResponseFraming {

  /** The client connection must close after this response. */
  static final int CLOSE = 1;

  /** The head waits for the first transformed bytes (a body stage runs). */
  static final int DEFER_HEAD = 2;

  /** The head waits for the whole transformed body and gets its exact length. */
  static final int LENGTH_AT_END = 4;

  private ResponseFraming() {}

  /** Whether a response with this head to {@code method} can carry a body. */
  static boolean mayHaveBody(HttpMethod method, HttpResponse head) {
    int code = head.status().code();
    return method != HttpMethod.HEAD && code >= 200 && code != 204 && code != 304;
  }

  /**
   * Frames {@code head} in place.
   *
   * @param close whether the connection closes after this response already (not keep-alive,
   *     draining, or the request body not read)
   * @param pipeline the exchange's body stage, or null
   * @return a combination of {@link #CLOSE}, {@link #DEFER_HEAD} and {@link #LENGTH_AT_END}
   */
  static int frame(
      HttpResponse head,
      HttpMethod method,
      boolean clientHttp10,
      boolean http2,
      boolean close,
      ResponseBodyPipeline pipeline) {
    HttpHeaders h = head.headers();
    head.setProtocolVersion(HttpVersion.HTTP_1_1);
    int flags = close ? CLOSE : 0;
    if (pipeline != null) {
      // The plugins decide the body's length: the upstream's framing no longer holds. The head
      // waits for the first transformed bytes, so a step that fails at once still gets a problem
      // response; with a whole-body stage it waits for the end and the exact length.
      h.remove(HttpHeaderNames.CONTENT_LENGTH);
      h.remove(HttpHeaderNames.TRANSFER_ENCODING);
      flags |= DEFER_HEAD;
      if (pipeline.holdsWholeBody()) {
        flags |= LENGTH_AT_END;
      } else if (clientHttp10) {
        flags |= CLOSE;
      } else if (!http2) {
        HttpUtil.setTransferEncodingChunked(head, true);
      }
    } else if (clientHttp10 && HttpUtil.isTransferEncodingChunked(head)) {
      // HTTP/1.0 clients cannot read chunked bodies: frame the body by closing instead.
      h.remove(HttpHeaderNames.TRANSFER_ENCODING);
      flags |= CLOSE;
    } else if (mayHaveBody(method, head)
        && !h.contains(HttpHeaderNames.CONTENT_LENGTH)
        && !HttpUtil.isTransferEncodingChunked(head)) {
      // The upstream delimits the body by closing; the client keeps its connection if it can
      // read chunks.
      if (clientHttp10) {
        flags |= CLOSE;
      } else if (!http2) {
        HttpUtil.setTransferEncodingChunked(head, true);
      }
    }
    if ((flags & CLOSE) != 0) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (clientHttp10) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    return flags;
  }
}
