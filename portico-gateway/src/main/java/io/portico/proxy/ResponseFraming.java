package io.portico.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.jspecify.annotations.Nullable;

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

  /**
   * The head waits for the first transformed bytes (a body stage runs), then is framed by {@link
   * #frameDeferred}.
   */
  static final int DEFER_HEAD = 2;

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
   * @return a combination of {@link #CLOSE} and {@link #DEFER_HEAD}
   */
  static int frame(
      HttpResponse head,
      HttpMethod method,
      boolean clientHttp10,
      boolean http2,
      boolean close,
      @Nullable ResponseBodyPipeline pipeline) {
    HttpHeaders h = head.headers();
    head.setProtocolVersion(HttpVersion.HTTP_1_1);
    int flags = close ? CLOSE : 0;
    if (pipeline != null) {
      // The plugins decide the body's bytes: the upstream's framing and strong validator no
      // longer hold. The head waits for the first transformed bytes, so a step that fails at once
      // still gets a problem response; frameDeferred then frames it.
      h.remove(HttpHeaderNames.CONTENT_LENGTH);
      h.remove(HttpHeaderNames.TRANSFER_ENCODING);
      String etag = h.get(HttpHeaderNames.ETAG);
      if (etag != null && !etag.startsWith("W/")) {
        h.set(HttpHeaderNames.ETAG, "W/" + etag);
      }
      return flags | DEFER_HEAD;
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

  /**
   * Frames a head held for a body stage once its first bytes are ready: with the exact {@code
   * Content-Length} when the body is {@code complete} (all of it is {@code length} bytes), else
   * chunked (HTTP/1.1), closing (HTTP/1.0) or by frames (HTTP/2).
   *
   * @return whether the connection closes after this response
   */
  static boolean frameDeferred(
      HttpResponse head,
      boolean complete,
      int length,
      boolean clientHttp10,
      boolean http2,
      boolean close) {
    HttpHeaders h = head.headers();
    if (complete) {
      h.setInt(HttpHeaderNames.CONTENT_LENGTH, length);
    } else if (clientHttp10) {
      close = true;
    } else if (!http2) {
      HttpUtil.setTransferEncodingChunked(head, true);
    }
    if (close) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (clientHttp10) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    return close;
  }
}
