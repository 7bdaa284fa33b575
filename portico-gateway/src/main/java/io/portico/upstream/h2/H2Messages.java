package io.portico.upstream.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import io.portico.upstream.DeferredTrailers;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * HTTP/1.1 objects to HTTP/2 header blocks and back, for an upstream stream, by Netty's {@link
 * HttpConversionUtil} (a request in origin form by {@link H2RequestHeaders}, the same conversion
 * without its per-request copies) and with the rules of Netty's {@code
 * Http2StreamFrameToHttpObjectCodec}: the connection-specific fields of HTTP/1.1 ({@code
 * Connection}, {@code Keep-Alive}, {@code Transfer-Encoding}, {@code Upgrade}, ...) are dropped,
 * {@code TE} kept only as {@code trailers}, {@code Host} becomes {@code :authority}; a response
 * without {@code Content-Length} is read as chunked. Stateless.
 */
final class H2Messages {

  private static final String GRPC = "application/grpc";
  private static final CharSequence SCHEME = HttpConversionUtil.ExtensionHeaderNames.SCHEME.text();
  private static final String EXTENSION_PREFIX = "x-http2-";
  private static final CharSequence STREAM_ID =
      HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text();

  private H2Messages() {}

  /**
   * The request head as HTTP/2 headers, {@code :scheme} from the connection. A gRPC request gets
   * {@code TE: trailers} back, which the exchange removed with the other hop-by-hop fields: gRPC
   * servers expect it on every call, and HTTP/2 allows {@code TE} with that value only.
   */
  static Http2Headers requestHeaders(HttpRequest request, boolean tls) {
    return requestHeaders(request, tls, null);
  }

  /**
   * The request head as {@link #requestHeaders(HttpRequest, boolean)}: one in origin form in {@code
   * reuse} when given, an empty validating map whose entries the caller drops once the block was
   * encoded.
   */
  static Http2Headers requestHeaders(
      HttpRequest request, boolean tls, @Nullable Http2Headers reuse) {
    if (H2RequestHeaders.applies(request)) {
      return reuse == null
          ? H2RequestHeaders.of(request, tls)
          : H2RequestHeaders.of(request, tls, reuse);
    }
    String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (grpc(type)) {
      request.headers().set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
    }
    request.headers().set(SCHEME, tls ? "https" : "http");
    try {
      return HttpConversionUtil.toHttp2Headers(request, true);
    } finally {
      request.headers().remove(SCHEME);
    }
  }

  /** Whether {@code contentType} is gRPC's. */
  static boolean grpc(@Nullable CharSequence contentType) {
    return contentType != null
        && AsciiString.regionMatches(contentType, true, 0, GRPC, 0, GRPC.length());
  }

  /** Whether the head is the whole request (a body-less {@code FullHttpRequest}). */
  static boolean wholeRequest(HttpRequest request) {
    return request instanceof FullHttpRequest full
        && !full.content().isReadable()
        && full.trailingHeaders().isEmpty();
  }

  /** Whether the header block is an informational (1xx) response head, which others follow. */
  static boolean informational(Http2Headers headers) {
    CharSequence status = headers.status();
    return status != null && status.length() == 3 && status.charAt(0) == '1';
  }

  /**
   * A response head; {@code ended}: nothing follows it (a 204, a gRPC trailers-only answer), else a
   * head without {@code Content-Length} is chunked, as over HTTP/1.1.
   */
  static HttpResponse responseHead(int id, Http2Headers headers, boolean ended)
      throws Http2Exception {
    return responseHead(id, headers, ended, null);
  }

  /**
   * A response head as {@link #responseHead(int, Http2Headers, boolean)}; one of plain fields is
   * made in {@code frames}' spare response when it has one ({@link H2Response}).
   */
  static HttpResponse responseHead(
      int id, Http2Headers headers, boolean ended, @Nullable H2StreamFrames frames)
      throws Http2Exception {
    HttpResponse head =
        plainFields(headers) ? plainResponse(headers, frames) : nettyResponse(id, headers);
    if (!ended
        && head.status().codeClass() != HttpStatusClass.INFORMATIONAL
        && !HttpUtil.isContentLengthSet(head)) {
      head.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    return head;
  }

  private static HttpResponse nettyResponse(int id, Http2Headers headers) throws Http2Exception {
    HttpResponse head = HttpConversionUtil.toHttpResponse(id, headers, true);
    head.headers().remove(STREAM_ID);
    return head;
  }

  /**
   * Whether Netty's conversion would copy every field of {@code headers} but {@code :status} as it
   * is: no other pseudo-header, no {@code cookie} (joined), {@code host} (checked against {@code
   * :authority}) or {@code x-http2-*} extension name (dropped).
   */
  private static boolean plainFields(Http2Headers headers) {
    for (Map.Entry<CharSequence, CharSequence> field : headers) {
      CharSequence name = field.getKey();
      if (name.length() == 0
          || (name.charAt(0) == ':'
              && !Http2Headers.PseudoHeaderName.STATUS.value().contentEquals(name))
          || HttpHeaderNames.COOKIE.contentEqualsIgnoreCase(name)
          || HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)
          || AsciiString.regionMatches(
              name, true, 0, EXTENSION_PREFIX, 0, EXTENSION_PREFIX.length())) {
        return false;
      }
    }
    return true;
  }

  /**
   * The response head of {@code headers}, which are {@link #plainFields}: what Netty's {@code
   * toHttpResponse} makes of them, without its translator and its stream-id field, which is added
   * only to be removed.
   */
  private static HttpResponse plainResponse(Http2Headers headers, @Nullable H2StreamFrames frames)
      throws Http2Exception {
    HttpResponseStatus status = HttpConversionUtil.parseStatus(headers.status());
    HttpResponse head =
        frames == null
            ? new DefaultHttpResponse(
                HttpVersion.HTTP_1_1, status, DefaultHttpHeadersFactory.headersFactory())
            : frames.response(status);
    HttpHeaders out = head.headers();
    try {
      addRegularFields(headers, out);
    } catch (RuntimeException e) {
      if (frames != null && head instanceof H2Response made) {
        frames.giveBack(made);
      }
      throw e;
    }
    out.remove(HttpHeaderNames.TRANSFER_ENCODING);
    out.remove(HttpHeaderNames.TRAILER);
    out.remove(HttpHeaderNames.CONNECTION);
    return head;
  }

  /**
   * Trailers: a header block that ends the stream after the head, in a map made for the few fields
   * trailers carry ({@link DeferredTrailers}); when they are {@link #plainFields}, copied as they
   * are, without Netty's translator.
   */
  static LastHttpContent trailers(int id, Http2Headers headers) throws Http2Exception {
    LastHttpContent last =
        new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, DeferredTrailers.FACTORY);
    HttpHeaders out = last.trailingHeaders();
    if (!plainFields(headers)) {
      HttpConversionUtil.addHttp2ToHttpHeaders(id, headers, out, HttpVersion.HTTP_1_1, true, false);
      return last;
    }
    try {
      addRegularFields(headers, out);
    } catch (RuntimeException e) {
      throw Http2Exception.streamError(
          id, Http2Error.PROTOCOL_ERROR, e, "HTTP/2 to HTTP/1.x headers conversion error");
    }
    out.remove(HttpHeaderNames.TRANSFER_ENCODING);
    out.remove(HttpHeaderNames.TRAILER);
    return last;
  }

  /** Adds every field of {@code headers} but the pseudo-headers to {@code out}, in order. */
  private static void addRegularFields(Http2Headers headers, HttpHeaders out) {
    for (Map.Entry<CharSequence, CharSequence> field : headers) {
      CharSequence name = field.getKey();
      if (name.charAt(0) != ':') {
        out.add(name, field.getValue());
      }
    }
  }

  /** The end of a response's body without trailers (yet): its trailer map made on first write. */
  static LastHttpContent end(ByteBuf data) {
    return new DefaultLastHttpContent(data, DeferredTrailers.FACTORY);
  }
}
